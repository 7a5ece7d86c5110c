"""A customer checks info tagihan on a phone, complains about a bill spike, and sees the corrected bill."""

import re
from datetime import date
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from billing import services as billing_services
from billing.models import Bill, BillCorrection
from tests.factories import CustomerFactory, ServiceUnitFactory, make_staff
from tickets.models import Notification, Ticket
from tickets.sla import services as sla_services

IDPEL = "532100000042"


@pytest.fixture
def spiking_customer(transactional_db):
    ulp = ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Utara", center_lat=-1.212, center_lng=116.872)
    customer = CustomerFactory(unit=ulp, id_pelanggan=IDPEL, name="Budi Santoso", payment_type="postpaid")
    reading = 1000
    for month, kwh in zip(range(5, 12), [120, 130, 125, 118, 140, 135, 410], strict=True):
        Bill.objects.create(
            customer=customer, period=date(2026, month, 1), reading_start=reading, reading_end=reading + kwh,
            kwh=kwh, amount=Decimal(kwh) * Decimal("1444.70"), due_date=date(2026, month + 1, 20),
            paid_at=None if month == 11 else "2026-01-01T00:00:00Z",
        )  # fmt: skip
        reading += kwh
    return customer


def test_bill_spike_from_info_tagihan_to_the_corrected_bill(phone_page, spiking_customer):
    page = phone_page
    # given the info tagihan page, linked from the menu
    page.goto("/")
    page.click("nav.site-nav a[href='/info-tagihan/']")
    expect(page.locator("h1")).to_have_text("Info tagihan")
    # a letter in the ID is refused with a clear message
    page.fill("#id_id_pelanggan", "53210000004O")
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#field-id_pelanggan .error")).to_contain_text("huruf")
    # the customer sees the spike: masked name, six bills, an unpaid amount and the chart
    page.fill("#id_id_pelanggan", "5321 0000 0042")
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#bill-result")).to_contain_text("B*** S******")
    expect(page.locator("#bills tbody tr")).to_have_count(6)
    expect(page.locator("#amount-due")).to_contain_text("Rp 592.327")
    expect(page.locator(".usage-chart rect")).to_have_count(6)
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    # the whole bill table fits the phone: the status column is not hidden behind a sideways scroll
    box = page.evaluate(
        "(() => { const s = document.querySelector('#bills').parentElement; return [s.scrollWidth, s.clientWidth]; })()"
    )
    assert box[0] <= box[1], box
    # and reports it from the link under the bills
    page.click("#bill-result a[href='/']")
    page.select_option("#id_category", label="Tagihan membengkak / lonjakan tagihan")
    page.fill("#id_customer_number", IDPEL)
    page.fill("#id_description", "Tagihan November naik tiga kali lipat, padahal pemakaian biasa saja.")
    page.fill("#id_reporter_phone", "081234567890")
    page.click("#submit-report")
    number = page.locator("#ticket-number").inner_text().strip()
    assert re.fullmatch(r"\d{6}-\d{6}-\d", number)
    ticket = Ticket.objects.get(number=number)
    assert ticket.customer == spiking_customer and ticket.category.code == "TG-LONJAK"

    # the back office corrects the bill (their own pages are covered by tests/billing)
    back_office = make_staff(role="back_office", unit=ticket.unit, username="bo-e2e")
    ticket = sla_services.claim_ticket(ticket=ticket, user=back_office)
    billing_services.issue_correction(
        ticket=ticket, user=back_office, period=date(2026, 11, 1), new_amount=Decimal("317834"),
        reason="Salah catat angka meter.",
    )  # fmt: skip
    assert BillCorrection.objects.filter(ticket=ticket).exists()
    assert Notification.objects.filter(ticket=ticket, kind="bill_correction").exists()

    # then the tracking page shows the correction, and info tagihan the corrected amount
    page.click("#tracking-link")
    expect(page.locator("#timeline")).to_contain_text("Rp 592.327 → Rp 317.834")
    page.goto("/info-tagihan/")
    page.fill("#id_id_pelanggan", IDPEL)
    page.click("#lookup-form button[type=submit]")
    expect(page.locator("#amount-due")).to_contain_text("Rp 317.834")
