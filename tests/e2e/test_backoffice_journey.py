"""Back-office staff resolve a billing complaint on a phone; a supervisor reads the reports on a phone."""

import pytest
from django.test import Client
from playwright.sync_api import expect

from core import roles
from tests.factories import ServiceUnitFactory, category, make_staff
from tickets import services
from tickets.models import Ticket


@pytest.fixture
def ulp_with_staff(transactional_db):
    up3 = ServiceUnitFactory(code="UP3-E2E", name="UP3 Balikpapan", level="UP3")
    ulp = ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", parent=up3)
    return {
        "ulp": ulp,
        "back_office": make_staff(role=roles.BACK_OFFICE, unit=ulp, username="dewi-e2e"),
        "supervisor": make_staff(role=roles.SUPERVISOR, unit=up3, username="bambang-e2e"),
    }


def log_in(page, user, base_url: str) -> None:
    client = Client()
    client.force_login(user)
    page.context.add_cookies([{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": base_url}])


def test_back_office_claims_and_resolves_with_a_public_answer(phone_page, ulp_with_staff, live_server):
    # given a bill-shock complaint in the ULP
    ticket = services.open_ticket(
        category=category("TG-LONJAK"),
        channel=Ticket.Channel.PHONE,
        description="Tagihan bulan ini naik dua kali lipat",
        reporter_phone="081234567890",
        unit=ulp_with_staff["ulp"],
    )
    page = phone_page
    log_in(page, ulp_with_staff["back_office"], live_server.url)
    # when the back office opens the queue, claims the ticket and resolves it
    page.goto("/backoffice/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.click(f"text={ticket.number}")
    page.click("#claim")
    expect(page.locator("#ticket-status")).to_contain_text("Dalam Pengerjaan")
    # the note form's "customer may read this" box sits on its label's row, not a line apart
    checkbox = page.locator("#note-form input[type=checkbox]")
    box = checkbox.bounding_box()
    label = page.locator(f"#note-form label[for={checkbox.get_attribute('id')}]")
    label_box = label.bounding_box()
    assert abs((box["y"] + box["height"] / 2) - (label_box["y"] + label_box["height"] / 2)) < 8, (box, label_box)
    assert box["width"] < 40
    page.fill("#id_resolve-answer", "Ada kesalahan catat meter; tagihan sudah dikoreksi")
    page.click("#resolve")
    # then
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RESOLVED
    expect(page.locator("#timeline")).to_contain_text("tagihan sudah dikoreksi")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_supervisor_reads_the_reports_on_a_phone(phone_page, ulp_with_staff, live_server):
    page = phone_page
    log_in(page, ulp_with_staff["supervisor"], live_server.url)
    page.goto("/reports/")
    expect(page.locator("#tmp-compliance")).to_be_visible()
    expect(page.locator("#kpi-link")).to_have_attribute("href", "/console/kpi/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
