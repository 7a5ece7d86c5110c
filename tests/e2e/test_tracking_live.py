"""A customer keeps the tracking page open on a phone and sees the technician arrive, without reloading."""

import pytest
from playwright.sync_api import expect

from tests.factories import category
from tests.tickets.seeding import reseed_categories
from tickets import services
from tickets.models import Ticket


@pytest.fixture(autouse=True)
def _categories(transactional_db):
    """Live-server and worker tests run on a flushed database: seed the categories again."""
    reseed_categories()


def test_the_tracking_page_changes_by_itself_when_the_technician_is_on_site(phone_page, settings, ulp, dispatcher):
    # given: a report whose technician is on the way, open on the customer's phone
    settings.TRACKING_POLL_SECONDS = 1
    ticket = services.open_ticket(
        category=category("GG-PADAM-1"),
        channel=Ticket.Channel.WEB,
        description="Listrik padam",
        reporter_phone="081234567890",
        unit=ulp,
    )
    for status in ("assigned", "on_the_way"):
        ticket = services.change_status(
            ticket=ticket,
            to_status=status,
            actor=dispatcher,
            data={"technician_first_name": "Joko", "eta_minutes": 15},
        )
    phone_page.goto(f"/t/{ticket.tracking_token}/")
    expect(phone_page.locator("#progress-eta")).to_be_visible()
    expect(phone_page.locator("#progress-technician")).to_have_text("Joko")
    before = phone_page.locator("#timeline li").count()
    # when: the technician marks the job on site
    services.change_status(ticket=ticket, to_status="in_progress", actor=dispatcher)
    # then: the page shows it without a reload
    expect(phone_page.locator("#ticket-status")).to_have_class("status status-in_progress")
    expect(phone_page.locator("#progress-stage-text")).to_have_text("Sudah di lokasi, sedang dikerjakan")
    expect(phone_page.locator("#progress-eta")).to_be_hidden()
    expect(phone_page.locator("#timeline li")).to_have_count(before + 1)
    expect(phone_page.locator("#survey-link")).to_be_hidden()
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 360
    # and when the power is back, the rating link appears
    services.change_status(ticket=ticket, to_status="restored", actor=dispatcher)
    expect(phone_page.locator("#survey-link")).to_be_visible()
    expect(phone_page.locator("#progress")).to_be_hidden()
