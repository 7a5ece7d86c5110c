"""A customer on a phone reports an outage with "use my location" and follows it on the tracking page."""

import re

import pytest
from playwright.sync_api import expect

from tests.factories import ServiceUnitFactory
from tickets.models import Ticket


@pytest.fixture
def balikpapan_ulp(transactional_db):
    return ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", center_lat=-1.212, center_lng=116.872)


def test_customer_reports_an_outage_and_tracks_it_on_a_phone(phone_page, balikpapan_ulp):
    page = phone_page
    # given the report form, in Indonesian by default
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Laporkan gangguan listrik")
    # when the customer fills it in and uses their location
    page.select_option("#id_category", label="Padam satu rumah / persil")
    page.fill("#id_description", "Listrik di rumah padam sejak jam 7 malam")
    page.click("#use-location")
    expect(page.locator("#location-status")).to_contain_text("Lokasi ditambahkan")
    page.fill("#id_reporter_name", "Siti")
    page.fill("#id_reporter_phone", "0812 3456 7890")
    page.click("#submit-report")
    # then a ticket number and a tracking link are shown
    number = page.locator("#ticket-number").inner_text().strip()
    assert re.fullmatch(r"\d{6}-\d{6}-\d", number)
    ticket = Ticket.objects.get(number=number)
    assert ticket.unit == balikpapan_ulp and ticket.channel == "web"
    assert abs(ticket.lat - -1.2101) < 1e-4
    # and the page fits a 360 px phone without sideways scrolling
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click("#tracking-link")
    expect(page.locator("#ticket-status")).to_have_text("Lapor")
    expect(page.locator("#timeline li")).to_have_count(1)


def test_customer_finds_the_report_with_number_and_phone_in_english(phone_page, balikpapan_ulp):
    page = phone_page
    page.goto("/")
    page.click(".language-switch button[value=en]")
    expect(page.locator("h1")).to_have_text("Report a power problem")
    page.select_option("#id_category", label="Single-premise outage")
    page.fill("#id_description", "No power in the whole house")
    page.select_option("#id_unit", label="ULP Balikpapan Utara")
    page.fill("#id_reporter_phone", "081234567890")
    page.click("#submit-report")
    number = page.locator("#ticket-number").inner_text().strip()
    page.goto("/lacak/")
    page.fill("#id_number", number)
    page.fill("#id_phone", "+62 812-3456-7890")
    page.click("form.stack button[type=submit]")
    expect(page.locator(".ticket-number")).to_have_text(number)
    expect(page.locator("#ticket-status")).to_have_text("Received (Lapor)")
