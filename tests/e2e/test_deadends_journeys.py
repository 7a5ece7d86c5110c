"""No dead ends, in a real browser at phone (360 px) and desktop sizes, in both languages:

- an operator logs a caller without an ID pelanggan from a map pin;
- a call that rings out unanswered at an operator's set becomes a violation, and the ladder reaches SP1;
- a supervisor filters the KPIs in Indonesian and sees the charts.
"""

import importlib
import json
import urllib.request
import uuid
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from hotline import pbx
from hotline.models import OperatorSeat, Violation, WarningLetter
from tests.factories import ServiceUnitFactory
from tickets.models import Category, Ticket

SECRET = "e2e-deadends-secret"
SIZES = {"phone": {"width": 360, "height": 740}, "desktop": {"width": 1280, "height": 900}}
WORDS = {
    "id": {"saved": "Tiket tersimpan", "no_pin": "Belum ada pin", "violation": "Berdering tanpa diangkat"},
    "en": {"saved": "Ticket saved", "no_pin": "No pin yet", "violation": "Rang out without an answer"},
}


def ensure_seed_data() -> None:
    """Put back the rows the data migrations seed, if an earlier transactional test flushed them."""
    if not Category.objects.exists():
        with connection.schema_editor() as editor:
            importlib.import_module("tickets.migrations.0002_seed_categories_groups_sequence").seed(apps, editor)
    importlib.import_module("hotline.migrations.0003_deadends_ring_no_answer_ladder").seed_ladder(apps, None)


@pytest.fixture
def page_for(browser, live_server):
    contexts = []

    def make(user, *, size: str, language: str):
        context = browser.new_context(
            viewport=SIZES[size], base_url=live_server.url, is_mobile=size == "phone", has_touch=size == "phone"
        )
        contexts.append(context)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [
                {"name": cookie.key, "value": cookie.value, "url": live_server.url},
                {"name": django_settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url},
            ]
        )
        page = context.new_page()
        page.set_default_timeout(15000)
        return page

    yield make
    for context in contexts:
        context.close()


def post_signed(base_url: str, body: dict) -> int:
    raw = json.dumps(body).encode()
    request = urllib.request.Request(
        f"{base_url}/api/v1/calls/events/",
        data=raw,
        headers={"Content-Type": "application/json", **pbx.signed_headers(raw, secret=SECRET)},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def no_horizontal_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.django_db(transaction=True)
def test_an_operator_logs_a_caller_without_id_pelanggan_from_a_map_pin(
    page_for, live_server, settings, operator, ulp, size, language
):
    # given a second ULP east of the operator's, no default unit, and no map tiles (no network in tests)
    ensure_seed_data()
    settings.MAP_TILE_URL = ""
    settings.SIGAP_DEFAULT_UNIT_CODE = ""
    east = ServiceUnitFactory(code="ULP-EAST", name="ULP Timur", parent=ulp.parent, center_lat=-1.21, center_lng=116.95)
    page = page_for(operator, size=size, language=language)
    page.goto("/console/")
    expect(page.locator("#ticket-pin")).to_contain_text(WORDS[language]["no_pin"])
    assert no_horizontal_scroll(page)

    # when the operator fills the form for a passer-by and pins the place on the map, east of the centre
    page.select_option("#ticket-category", "GG-BAHAYA")
    page.fill("#ticket-phone", "081234567890")
    page.fill("#ticket-name", "Pak Andi")
    page.fill("#ticket-address", "Jl. Mulawarman")
    page.fill("#ticket-landmark", "depan masjid")
    page.fill("#ticket-description", "Tiang listrik roboh menimpa pagar")
    page.locator("#ticket-map").scroll_into_view_if_needed()
    box = page.locator("#ticket-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] / 2)
    expect(page.locator("#ticket-lat")).not_to_have_value("")
    page.click("#ticket-submit")

    # then the ticket is saved at the pin, in the ULP nearest to it, and its number links to the ticket
    result = page.locator("#ticket-result")
    expect(result).to_contain_text(WORDS[language]["saved"])
    ticket = Ticket.objects.get()
    assert ticket.customer is None and ticket.lat is not None and ticket.lng > 116.87
    nearest = min((ulp, east), key=lambda unit: abs(unit.center_lng - ticket.lng))
    assert ticket.unit == nearest
    assert ticket.address == "Jl. Mulawarman (depan masjid)"
    result.get_by_role("link", name=ticket.number).click()
    expect(page.locator("h1")).to_have_text(ticket.number)


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.django_db(transaction=True)
def test_an_empty_save_shows_plain_messages_beside_the_fields(page_for, live_server, operator, size, language):
    # given
    ensure_seed_data()
    page = page_for(operator, size=size, language=language)
    page.goto("/console/")
    # when
    page.click("#ticket-submit")
    # then: a message under the category and the description, none of them framework text
    category_error = page.locator('[data-field="category"] .field-error')
    expect(category_error).to_have_text({"id": "Pilih kategori.", "en": "Choose a category."}[language])
    expect(page.locator('[data-field="description"] .field-error')).to_be_visible()
    assert "null" not in page.locator("#ticket-form").inner_text()
    assert "category:" not in page.locator("#ticket-form").inner_text()


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.django_db(transaction=True)
def test_calls_rung_out_unanswered_become_violations_and_reach_sp1(
    page_for, live_server, settings, operator, supervisor, size, language
):
    # given an operator at extension 2001 and the seeded ladder (reprimand, then SP1 after two more)
    ensure_seed_data()
    settings.PBX_SHARED_SECRET = SECRET
    OperatorSeat.objects.create(user=operator, extension="2001")
    start = timezone.now() - timedelta(hours=3)

    # when three calls ring at the set for 20 s and the callers give up
    for n in range(3):
        rang = start + timedelta(minutes=20 * n)
        for kind, at, extra in (
            ("ring", rang, {"operator": "2001", "caller_number": "081234567890"}),
            ("hangup", rang + timedelta(seconds=20), {"ended_by": "caller"}),
        ):
            body = {"event_id": str(uuid.uuid4()), "type": kind, "call_id": f"rna-{n}", "occurred_at": at.isoformat()}
            assert post_signed(live_server.url, {**body, **extra}) == 201

    # then the supervisor sees the violations and the letters: a reprimand, then SP1
    assert Violation.objects.filter(kind="ring_no_answer", operator=operator).count() == 3
    sp1 = WarningLetter.objects.get(operator=operator, level=1)
    page = page_for(supervisor, size=size, language=language)
    page.goto("/console/violations/")
    expect(page.get_by_text(WORDS[language]["violation"]).first).to_be_visible()
    letters = page.locator("table").nth(0)
    expect(letters.get_by_role("cell", name=sp1.number, exact=True)).to_be_visible()
    expect(letters).to_contain_text("TGR/123/")
    assert no_horizontal_scroll(page) or size == "desktop"


@pytest.mark.parametrize("size", ["phone", "desktop"])
@pytest.mark.django_db(transaction=True)
def test_a_supervisor_filters_kpis_in_indonesian_and_sees_the_charts(
    page_for, live_server, operator, supervisor, ulp, size
):
    # given a call answered yesterday at noon in the supervisor's zone (their unit's, which the page uses: WITA
    # here, an hour ahead of the server's WIB — "a day ago" at 23:30 WIB is already today in WITA)
    ensure_seed_data()
    from zoneinfo import ZoneInfo

    from hotline.models import Call

    zone = ZoneInfo(supervisor.staff_profile.unit.time_zone)
    yesterday = (timezone.now().astimezone(zone) - timedelta(days=1)).replace(hour=12, minute=0, second=0)
    Call.objects.create(
        pbx_call_id="kpi-1",
        operator=operator,
        unit=ulp,
        status="ended",
        rang_at=yesterday,
        answered_at=yesterday + timedelta(seconds=6),
        ended_at=yesterday + timedelta(minutes=3),
        recorded_notice_played=True,
    )
    page = page_for(supervisor, size=size, language="id")
    page.goto("/console/kpi/")
    date_from = page.locator("#id_date_from")
    # then the date inputs hold real dates the browser accepts (an unparsable value reads as "")
    assert date_from.input_value() != ""
    # when the supervisor picks a range and submits
    day = yesterday.date()
    date_from.fill((day - timedelta(days=2)).isoformat())
    page.fill("#id_date_to", day.isoformat())
    page.get_by_role("button", name="Tampilkan").click()
    # then the page answers for that range, with the charts drawn
    expect(page).to_have_url(f"{live_server.url}/console/kpi/?date_from={day - timedelta(days=2)}&date_to={day}")
    chart = page.locator(".bar-chart").first
    expect(chart).to_be_visible()
    expect(chart.locator(".bar-row")).to_have_count(1)
    assert chart.locator("rect.bar-fill").first.evaluate("node => node.getBBox().width") > 0

    # and the reports draw real charts: coloured bars (not black), each with its table of numbers
    page.goto("/reports/")
    per_hour = page.locator("#chart-answer-per-hour")
    expect(per_hour.locator("h3")).to_have_text("Rata-rata waktu angkat per jam (detik)")
    bar = per_hour.locator("rect.chart-bar").first
    assert bar.evaluate("node => getComputedStyle(node).fill") not in ("rgb(0, 0, 0)", "")
    # drawn with real geometry in Indonesian too (a decimal comma would leave the bars unrendered)
    assert per_hour.locator("rect.chart-bar").evaluate_all("bars => Math.max(...bars.map(b => b.getBBox().height))") > 0
    per_hour.locator("summary").click()
    expect(per_hour.locator("table")).to_be_visible()
    assert no_horizontal_scroll(page)
