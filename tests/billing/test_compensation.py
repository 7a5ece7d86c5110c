"""Compensation in rupiah against hand-computed examples, the per-unit page and the CIS export."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from billing import compensation
from billing.models import BiayaBeban
from billing.selectors import biaya_beban_for
from core import roles
from tests.factories import CustomerFactory, category, make_staff
from tickets import services as ticket_services
from tickets.models import TicketServiceLevel

pytestmark = pytest.mark.django_db


def test_biaya_beban_is_versioned_data():
    # Seeded: R-1/TR 901–2200 VA at Rp 57,788 per kVA from 2024-01-01.
    assert biaya_beban_for("R-1/TR", 1300, on=date(2026, 11, 1)) == Decimal("75124")  # 1.3 kVA × 57,788 = 75,124.4
    assert biaya_beban_for("R-1/TR", 1300, on=date(2023, 12, 1)) is None
    current = BiayaBeban.objects.get(tariff="R-1/TR", min_va=901)
    current.valid_until = date(2027, 1, 1)
    current.save()
    BiayaBeban.objects.create(
        tariff="R-1/TR", min_va=901, max_va=2200, rupiah_per_kva=60000, valid_from=date(2027, 1, 1)
    )
    assert biaya_beban_for("R-1/TR", 2200, on=date(2027, 2, 1)) == Decimal("132000")
    overlapping = BiayaBeban(tariff="R-1/TR", min_va=901, max_va=2200, rupiah_per_kva=1, valid_from=date(2026, 6, 1))
    with pytest.raises(ValidationError):
        overlapping.full_clean()


def _breached(customer, code: str, *, percent: int, at: datetime, indicator: str = "bill_correction"):
    ticket = ticket_services.open_ticket(
        category=category(code), channel="web", description="x", reporter_phone="081234567890", customer=customer
    )
    TicketServiceLevel.objects.filter(ticket=ticket).update(
        compensation_percent=percent, resolution_breached_at=at, indicator=indicator
    )
    return ticket


def test_monthly_amounts_by_hand(ulp):
    postpaid = CustomerFactory(
        unit=ulp, id_pelanggan="532100000001", tariff="R-1/TR", power_va=2200, payment_type="postpaid"
    )
    prepaid = CustomerFactory(
        unit=ulp, id_pelanggan="532100000002", tariff="R-1/TR", power_va=900, payment_type="prepaid"
    )
    when = datetime(2026, 10, 14, 3, tzinfo=UTC)
    _breached(postpaid, "TG-KOREKSI", percent=35, at=when)
    outage = [
        compensation.OutageCase(postpaid.pk, "outage_duration", 75),  # the larger one is paid
        compensation.OutageCase(prepaid.pk, "outage_count", 20),
    ]
    lines = compensation.monthly_compensation(unit_ids=[ulp.pk], month=date(2026, 10, 1), outage_cases=outage)
    by_id = {line.customer.id_pelanggan: line for line in lines}
    # 2.2 kVA × Rp 57,788 = Rp 127,133.6 → 127,134; 75 % = 95,350.5 → Rp 95,351
    assert by_id["532100000001"].biaya_beban == Decimal("127134")
    assert (by_id["532100000001"].percent, by_id["532100000001"].amount) == (75, Decimal("95351"))
    # Subsidised 900 VA: 0.9 kVA × Rp 20,000 = Rp 18,000; 20 % = Rp 3,600, credited on the next token
    assert (by_id["532100000002"].amount, by_id["532100000002"].settlement) == (
        Decimal("3600"),
        compensation.NEXT_TOKEN,
    )
    csv_text = compensation.export_csv(lines)
    assert "532100000001,2026-10,next_bill_deduction,95351,75,outage_duration,127134,R-1/TR,2200,postpaid" in csv_text
    assert "532100000002,2026-10,next_token_credit,3600,20,outage_count,18000" in csv_text
    # Another month: nothing.
    assert compensation.monthly_compensation(unit_ids=[ulp.pk], month=date(2026, 9, 1)) == []


def test_staff_page_lists_per_unit_and_exports(client, ulp):
    customer = CustomerFactory(
        unit=ulp, id_pelanggan="532100000005", tariff="R-1/TR", power_va=1300, payment_type="postpaid"
    )
    ticket = _breached(customer, "TG-KOREKSI", percent=35, at=datetime(2026, 10, 2, 3, tzinfo=UTC))
    client.force_login(make_staff(role=roles.SUPERVISOR, unit=ulp))
    page = client.get("/reports/compensation/?month=2026-10")
    html = page.content.decode()
    assert page.status_code == 200 and "532100000005" in html and ticket.number in html
    assert "Rp 26.293" in html  # 35 % of Rp 75,124 = 26,293.4
    export = client.get("/reports/compensation.csv?month=2026-10")
    assert (
        export["Content-Type"].startswith("text/csv")
        and "532100000005,2026-10,next_bill_deduction,26293" in export.content.decode()
    )
    assert client.get("/reports/compensation/?month=2026-13").status_code == 400
