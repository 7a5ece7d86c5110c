"""INFO PADAM MELUAS on the public form: shown to a visitor in the area, not to one outside it; one tap asks for
an SMS when power returns instead of a report."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from dispatch.models import Incident
from outages import services
from outages.models import RestorationSubscription, WideAreaOutage
from tests.factories import CustomerFactory, ServiceUnitFactory


@pytest.fixture
def dark_city(transactional_db):
    """A wide-area outage in ULP Balikpapan Utara; ULP Semarang Tengah has power."""
    dark = ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", center_lat=-1.212, center_lng=116.872)
    lit = ServiceUnitFactory(
        code="ULP-E2E-LIT", name="ULP Semarang Tengah", center_lat=-6.98, center_lng=110.41, time_zone="Asia/Jakarta"
    )
    incident = Incident.objects.create(
        unit=dark,
        lat=-1.2101,
        lng=116.8711,
        opened_at=timezone.now(),
        last_report_at=timezone.now(),
        report_count=80,
        customers_affected=900,
        estimated_restoration_at=timezone.now() + timezone.timedelta(hours=2),
    )
    WideAreaOutage.objects.create(incident=incident, unit=dark, reports=80, customers=900)
    return dark, lit, incident


def test_banner_on_the_public_form_of_the_area_and_not_outside_it(phone_page, dark_city):
    dark, lit, incident = dark_city
    page = phone_page
    page.goto("/")
    banner = page.locator("#outage-banner")
    expect(banner).to_be_hidden()
    # a visitor in the dark area shares their location: the banner appears with the estimated restoration
    page.click("#use-location")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("INFO PADAM MELUAS")
    expect(banner).to_contain_text("Perkiraan menyala")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # choosing a ULP elsewhere: no banner
    page.select_option("#id_unit", label=lit.name)
    expect(banner).to_be_hidden()
    # back in the area, ask for one SMS instead of filing a report
    page.select_option("#id_unit", label=dark.name)
    expect(banner).to_be_visible()
    page.fill(f"#outage-subscribe-phone-{incident.pk}", "0812 3456 7890")
    banner.get_by_role("button").click()
    expect(banner.locator(".outage-subscribed")).to_be_visible()
    assert RestorationSubscription.objects.filter(incident=incident, phone="+6281234567890").count() == 1


def test_no_banner_for_a_visitor_outside_the_area(browser, live_server, dark_city):
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        base_url=live_server.url,
        geolocation={"latitude": -6.981, "longitude": 110.409},
        permissions=["geolocation"],
    )
    page = context.new_page()
    try:
        page.goto("/")
        page.click("#use-location")
        expect(page.locator("#location-status")).to_contain_text("(")
        page.wait_for_load_state("networkidle")
        expect(page.locator("#outage-banner")).to_be_hidden()
    finally:
        context.close()


def test_the_outage_map_shows_the_city_on_a_phone(phone_page, dark_city):
    dark, _lit, _incident = dark_city
    page = phone_page
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"/peta-padam/?area={dark.code}")
    expect(page.locator("#outage-list")).to_contain_text("INFO PADAM MELUAS")
    expect(page.locator("#outage-map.leaflet-container")).to_be_visible()  # the vendored Leaflet ran under the CSP
    expect(page.locator(".leaflet-interactive")).to_have_count(1)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert errors == []


def test_typing_the_customer_number_shows_planned_work_on_that_connection(phone_page, dark_city):
    _dark, lit, _incident = dark_city
    on_plan = CustomerFactory(unit=lit, transformer_code="GD-SMG-1", lat=-6.98, lng=110.41)
    elsewhere = CustomerFactory(unit=lit, transformer_code="GD-SMG-9", lat=-6.99, lng=110.42)
    start = timezone.now() + timezone.timedelta(hours=3)
    services.create_planned_outage(
        unit=lit,
        title="Ganti trafo",
        starts_at=start,
        ends_at=start + timezone.timedelta(hours=2),
        transformer_codes=["GD-SMG-1"],
    )
    page = phone_page
    page.goto("/")
    banner = page.locator("#outage-banner")
    page.fill("#id_customer_number", elsewhere.id_pelanggan)
    page.locator("#id_description").click()  # leaving the field fires "change"
    page.wait_for_load_state("networkidle")
    expect(banner).to_be_hidden()
    page.fill("#id_customer_number", on_plan.meter_number)
    page.locator("#id_description").click()
    expect(banner).to_contain_text("Ganti trafo")
    expect(banner).to_contain_text("Pemadaman terencana")
