"""The console's screen-pop shows the caller's bills, and "Information given" closes an IF-TAGIHAN at first contact."""

import importlib
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.utils import timezone
from playwright.sync_api import expect

from billing.models import Bill
from hotline.models import Call, OperatorSeat
from tests.e2e.test_console_screen_pop import SECRET, ensure_seed_data, log_in, post_signed
from tests.factories import CustomerFactory
from tickets.models import Category, Ticket


@pytest.mark.django_db(transaction=True)
def test_the_caller_hears_the_bill_and_the_call_is_resolved_at_first_contact(
    phone_page, live_server, settings, operator, ulp
):
    ensure_seed_data()
    if not Category.objects.filter(code="IF-TAGIHAN").exists():
        importlib.import_module("billing.migrations.0002_billing_categories").forward(apps, None)
    settings.PBX_SHARED_SECRET = SECRET
    settings.CONSOLE_POLL_MS = 500
    OperatorSeat.objects.create(user=operator, extension="2001")
    customer = CustomerFactory(unit=ulp, phone="+6281234567890", name="Siti Rahma", payment_type="postpaid")
    for month, kwh in ((10, 140), (11, 395)):
        Bill.objects.create(
            customer=customer, period=date(2026, month, 1), reading_start=1000, reading_end=1000 + kwh, kwh=kwh,
            amount=Decimal(kwh) * Decimal("1444.70"), due_date=date(2026, month + 1, 20),
            paid_at=timezone.now() if month == 10 else None,
        )  # fmt: skip
    page = phone_page
    log_in(page, operator, live_server.url)
    page.goto("/console/")
    page.click("#state-ready")
    expect(page.locator("#seat-state")).to_have_attribute("data-state", "ready")

    status = post_signed(
        live_server.url,
        {"event_id": str(uuid.uuid4()), "type": "ring", "call_id": "e2e-bill-1",
         "occurred_at": timezone.now().isoformat(), "caller_number": "0812-3456-7890", "operator": "2001"},
    )  # fmt: skip
    assert status == 201
    bills = page.locator("#call-bills")
    expect(bills).to_be_visible(timeout=5000)
    expect(page.locator("#call-bills-due")).to_contain_text("Rp 570.657")
    expect(page.locator("#call-bills-list li")).to_have_count(2)
    expect(page.locator("#call-bills-chart svg rect")).to_have_count(2)

    page.click("#info-given")
    expect(page.locator("#info-given-result")).to_contain_text("-")
    ticket = Ticket.objects.get(category__code="IF-TAGIHAN")
    assert ticket.status == Ticket.Status.CLOSED and ticket.customer == customer
    assert list(Call.objects.get(pbx_call_id="e2e-bill-1").tickets.all()) == [ticket]
