"""The operator console in a real browser: a ring event from the PBX pops the caller up at once."""

import importlib
import json
import urllib.request
import uuid

import pytest
from django.apps import apps
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from hotline import pbx
from hotline.models import Call, OperatorSeat
from tests.factories import CustomerFactory, TicketFactory
from tickets.models import Category, Ticket

SECRET = "e2e-pbx-secret"


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


def ensure_seed_data() -> None:
    """Put back the rows the data migrations seed, if an earlier transactional test flushed them.

    serialized_rollback cannot restore them here: once Playwright's event loop runs in this thread, Django
    hands out fresh connection objects that lack the serialized copy (and reloading it after another
    transactional test has flushed the tables collides with the content types that flush recreated).
    """
    if not Category.objects.exists():
        with connection.schema_editor() as editor:
            importlib.import_module("tickets.migrations.0002_seed_categories_groups_sequence").seed(apps, editor)
    if not apps.get_model("hotline", "WarningLetterRule").objects.exists():
        importlib.import_module("hotline.migrations.0002_default_warning_letter_rules").add_rules(apps, None)


def log_in(page, user, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
    page.context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": base_url}])


@pytest.mark.django_db(transaction=True)
def test_a_ring_event_pops_the_caller_up_on_the_ready_operators_console(
    phone_page, live_server, settings, operator, ulp
):
    # given an operator at the console, ready, and a known customer with an open ticket
    ensure_seed_data()
    settings.PBX_SHARED_SECRET = SECRET
    settings.CONSOLE_POLL_MS = 500
    OperatorSeat.objects.create(user=operator, extension="2001")
    customer = CustomerFactory(unit=ulp, phone="+6281234567890", name="Siti Rahma")
    ticket = TicketFactory(unit=ulp, customer=customer, reporter_phone="+6281234567890")
    page = phone_page
    log_in(page, operator, live_server.url)
    page.goto("/console/")
    page.click("#state-ready")
    expect(page.locator("#seat-state")).to_have_attribute("data-state", "ready")
    expect(page.locator("#call-pop")).to_be_hidden()

    # when the PBX rings the operator's set
    status = post_signed(
        live_server.url,
        {
            "event_id": str(uuid.uuid4()),
            "type": "ring",
            "call_id": "e2e-call-1",
            "occurred_at": timezone.now().isoformat(),
            "caller_number": "0812-3456-7890",
            "operator": "2001",
        },
    )

    # then the call pops up with the customer and their open ticket
    assert status == 201
    pop = page.locator("#call-pop")
    expect(pop).to_be_visible(timeout=5000)
    expect(page.locator("#call-number")).to_have_text("+6281234567890")
    expect(pop).to_contain_text("Siti Rahma")
    expect(pop).to_contain_text(ticket.number)
    expect(page.locator("#ticket-idpel")).to_have_value(customer.id_pelanggan)

    # and the operator logs an outage ticket from the keyboard, linked to the call
    page.select_option("#ticket-category", "GG-PADAM-1")
    page.fill("#ticket-description", "Listrik padam satu rumah sejak pagi")
    page.press("#ticket-description", "Control+Enter")
    expect(page.locator("#ticket-result")).to_be_visible()
    call = Call.objects.get(pbx_call_id="e2e-call-1")
    assert call.tickets.get().channel == Ticket.Channel.PHONE


@pytest.mark.django_db(transaction=True)
def test_a_poll_sent_before_the_operator_changes_state_does_not_show_the_old_state(
    phone_page, live_server, settings, operator, ulp
):
    # given an operator at the console, whose next poll of the current call is held on its way back
    settings.CONSOLE_POLL_MS = 500
    OperatorSeat.objects.create(user=operator, extension="2001")
    page = phone_page
    log_in(page, operator, live_server.url)
    held = []

    def hold_the_first(route):
        if held:
            route.continue_()
        else:
            held.append((route, route.fetch()))  # read now (the state before the change), delivered later

    page.goto("/console/")
    seat = page.locator("#seat-state")
    expect(seat).not_to_have_attribute("data-state", "ready")
    page.route("**/calls/current/", hold_the_first)
    with page.expect_request(lambda r: r.url.endswith("/calls/current/")):
        pass
    for _ in range(250):  # the handler runs as Playwright processes that request's events
        if held:
            break
        page.wait_for_timeout(20)
    assert held
    # when the operator goes ready
    page.click("#state-ready")
    expect(seat).to_have_attribute("data-state", "ready")
    page.evaluate(
        """() => {
            window.staleShown = 0;
            const seat = document.getElementById("seat-state");
            window.setInterval(() => { if (seat.dataset.state !== "ready") { window.staleShown += 1; } }, 10);
        }"""
    )
    # and the poll read before the change is answered only now, followed by the next one
    route, stale = held[0]
    route.fulfill(response=stale)
    with page.expect_request(lambda r: r.url.endswith("/calls/current/")):
        pass
    # then the console went on showing "ready"
    assert page.evaluate("window.staleShown") == 0
    expect(seat).to_have_attribute("data-state", "ready")
