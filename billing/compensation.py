"""TMP compensation in rupiah: per customer and month, the one indicator with the largest amount, as a
percentage (``tickets.sla.rules`` rules) of the customer's biaya beban (``BiayaBeban``, versioned data).

Postpaid customers get it deducted from the next bill; prepaid customers as a credit on the next token,
valued like a postpaid customer with the same power (DOMAIN: "token kompensasi").

Cases come from two places: tickets whose TMP target was missed and grants compensation (the ticket's
service-level clock, read here), and monthly outage realisation per customer (computed by the reports,
which pass them in as ``OutageCase`` rows).
"""

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import Q

from tickets.models import Customer, TicketServiceLevel

from .models import BiayaBeban
from .selectors import biaya_beban_for, compensation_rupiah

NEXT_BILL = "next_bill_deduction"
NEXT_TOKEN = "next_token_credit"


@dataclass(frozen=True)
class OutageCase:
    customer_id: int
    indicator: str
    percent: int


@dataclass
class CompensationLine:
    customer: Customer
    month: date
    indicator: str
    percent: int
    biaya_beban: Decimal | None
    amount: Decimal | None
    source: str

    @property
    def settlement(self) -> str:
        return NEXT_TOKEN if self.customer.payment_type == Customer.PaymentType.PREPAID else NEXT_BILL


def month_bounds(month: date, zone: str) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    tz = ZoneInfo(zone)
    return datetime.combine(first, time.min, tzinfo=tz), datetime.combine(following, time.min, tzinfo=tz)


def ticket_cases(*, unit_ids: list[int] | None, month: date, zone: str) -> list[tuple[int, str, int, str]]:
    """(customer id, indicator, percent, ticket number) of tickets whose compensated target was missed in the month."""
    start, end = month_bounds(month, zone)
    levels = TicketServiceLevel.objects.filter(
        compensation_percent__isnull=False,
        resolution_breached_at__gte=start,
        resolution_breached_at__lt=end,
        ticket__customer__isnull=False,
    ).filter(Q(exemption="") | Q(exemption__isnull=True))
    if unit_ids is not None:
        levels = levels.filter(unit_id__in=unit_ids)
    return list(levels.values_list("ticket__customer_id", "indicator", "compensation_percent", "ticket__number"))


def monthly_compensation(
    *, unit_ids: list[int] | None, month: date, zone: str = "Asia/Jakarta", outage_cases: Iterable[OutageCase] = ()
) -> list[CompensationLine]:
    """One line per customer for the month: the case with the largest rupiah amount."""
    month = month.replace(day=1)
    cases: dict[int, list[tuple[str, int, str]]] = {}
    for customer_id, indicator, percent, number in ticket_cases(unit_ids=unit_ids, month=month, zone=zone):
        cases.setdefault(customer_id, []).append((indicator, percent, number))
    for case in outage_cases:
        cases.setdefault(case.customer_id, []).append((case.indicator, case.percent, "outage"))
    customers = Customer.objects.filter(pk__in=list(cases)).select_related("unit")
    if unit_ids is not None:
        customers = customers.filter(unit_id__in=unit_ids)
    rates = list(
        BiayaBeban.objects.filter(valid_from__lte=month).filter(Q(valid_until__isnull=True) | Q(valid_until__gt=month))
    )
    lines = []
    for customer in customers:
        base = biaya_beban_for(customer.tariff, customer.power_va, on=month, rates=rates)
        best = max(cases[customer.pk], key=lambda c: c[1])  # same base for one customer: largest percent wins
        indicator, percent, source = best
        amount = compensation_rupiah(percent, base) if base is not None else None
        lines.append(CompensationLine(customer, month, indicator, percent, base, amount, source))
    lines.sort(key=lambda line: (line.customer.unit.code, -(line.amount or 0), line.customer.id_pelanggan))
    return lines


CSV_HEADER = [
    "id_pelanggan", "month", "settlement", "amount_rp", "percent", "indicator", "biaya_beban_rp",
    "tariff", "power_va", "payment_type", "ulp_code", "source",
]  # fmt: skip


def export_csv(lines: list[CompensationLine]) -> str:
    """The CIS hand-over: next-bill deductions (postpaid) and next-token credits (prepaid). Lines without a
    known biaya beban are left out (they are listed on the page to be fixed in the admin)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADER)
    for line in lines:
        if line.amount is None:
            continue
        c = line.customer
        writer.writerow([
            c.id_pelanggan, f"{line.month:%Y-%m}", line.settlement, line.amount, line.percent, line.indicator,
            line.biaya_beban, c.tariff, c.power_va, c.payment_type, c.unit.code, line.source,
        ])  # fmt: skip
    return out.getvalue()
