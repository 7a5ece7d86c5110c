"""Counts read right in English on the dispatch board and the technician's app: "1 report waiting",
"2 reports waiting", "1 job", "0 jobs" (never "1 reports" or "1 jobs")."""

import pytest
from playwright.sync_api import expect

from core import roles
from dispatch import services
from tests.factories import ServiceUnitFactory, TicketFactory, make_staff

from .test_dispatch_journeys import SLOW, outage_ticket, technician, use_session_of


@pytest.fixture
def balikpapan_ulp(transactional_db):
    return ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", center_lat=-1.212, center_lng=116.872)


def in_english(page, live_server):
    page.context.add_cookies([{"name": "sigap_language", "value": "en", "url": live_server.url}])


def test_the_board_and_the_technician_count_in_singular_and_plural(phone_page, balikpapan_ulp, live_server, settings):
    settings.MAP_TILE_URL = ""  # no map tiles from the internet in tests
    page = phone_page
    # given one incident with one report, another with two, and a technician with one job
    dispatcher = make_staff(role=roles.DISPATCHER, unit=balikpapan_ulp, username="count-dispatch")
    single = services.attach_to_incident(ticket=outage_ticket(balikpapan_ulp, address="Jl. Melati 1"))
    tech = technician(balikpapan_ulp, "joko")
    services.manual_assign(incident=single, technician=tech, reason="Regu terdekat", by=dispatcher)
    far = {"lat": -1.26, "lng": 116.90, "address": "Jl. Kenanga 2"}
    double = services.attach_to_incident(ticket=TicketFactory(unit=balikpapan_ulp, **far))
    assert services.attach_to_incident(ticket=TicketFactory(unit=balikpapan_ulp, **far)) == double
    # when the dispatcher reads the board in English
    in_english(page, live_server)
    use_session_of(page, dispatcher, live_server)
    page.goto("/dispatch/")
    # then
    expect(page.locator(f".incident[data-incident='{single.pk}']")).to_contain_text("1 report waiting", timeout=SLOW)
    expect(page.locator(f".incident[data-incident='{double.pk}']")).to_contain_text("2 reports waiting")
    expect(page.locator("#technician-list")).to_contain_text("1 job ·")
    # when the technician opens the job in English
    use_session_of(page, tech.user, live_server)
    page.goto("/tech/")
    # then
    expect(page.locator("#jobs .job-meta")).to_contain_text("1 report waiting", timeout=SLOW)
