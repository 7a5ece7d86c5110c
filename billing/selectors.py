"""Reads of billing: the "info tagihan" look-up, a ticket's disputed bill, customers served, compensation."""

import re
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _

from tickets.models import Customer, Ticket

from .models import BiayaBeban, Bill, BillCorrection, TokenPurchase, UnitCustomerCount
from .providers import Account, get_provider

ID_PELANGGAN = re.compile(r"^\d{12}$")


def clean_id_pelanggan(value: str) -> str:
    """Spaces are allowed (it is printed in groups); anything else that is not a digit is an error."""
    text = "".join(str(value or "").split())
    if not text:
        raise ValidationError(_("Enter the ID pelanggan."), code="required")
    if not text.isdigit():
        raise ValidationError(_("ID pelanggan has only digits; this one has a letter or a sign."), code="not_digits")
    if not ID_PELANGGAN.match(text):
        raise ValidationError(
            _("ID pelanggan must be exactly 12 digits (this one has %(count)s).") % {"count": len(text)}, code="length"
        )
    return text


def mask_name(name: str) -> str:
    """Each word keeps its first letter: "Budi Santoso" → "B*** S******"."""
    return " ".join(word[0] + "*" * (len(word) - 1) for word in (name or "").split())


def usage_chart(bills: list[dict], *, width: int = 320, height: int = 120) -> dict | None:
    """Bar geometry of a small kWh-per-month chart (oldest left), drawn by ``usage_chart_svg``."""
    if not bills:
        return None
    ordered = list(reversed(bills))
    top = max(b["kwh"] for b in ordered) or 1
    gap, base, label_h = 8, height - 18, 14
    bar_w = (width - gap * (len(ordered) + 1)) / len(ordered)
    bars = []
    for i, bill in enumerate(ordered):
        x = gap + i * (bar_w + gap)
        h = max(1.0, (base - label_h) * bill["kwh"] / top)
        bars.append(
            {
                "x": f"{x:.1f}", "y": f"{base - h:.1f}", "w": f"{bar_w:.1f}", "h": f"{h:.1f}",
                "cx": f"{x + bar_w / 2:.1f}", "ty": f"{base - h - 3:.1f}", "kwh": bill["kwh"],
                "period": bill["period"], "label": f"{bill['period'][5:]}/{bill['period'][2:4]}",
            }
        )  # fmt: skip
    return {"width": width, "height": height, "label_y": height - 4, "bars": bars}


def usage_chart_svg(bills: list[dict], chart: dict | None = None) -> str:
    """The chart as SVG text (server-side, no script, no CDN), for the page, the API and the console.

    Built with ``format_html`` (every value escaped), not a template: one per look-up, and a template render
    cost more than the rest of the answer."""
    chart = chart if chart is not None else usage_chart(bills)
    if not chart:
        return ""
    bars = format_html_join(
        "",
        '<rect x="{}" y="{}" width="{}" height="{}" rx="2" fill="#0a6ebd"><title>{}: {} kWh</title></rect>'
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>'
        '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
        (
            (b["x"], b["y"], b["w"], b["h"], b["period"], b["kwh"], b["cx"], b["ty"], b["kwh"], b["cx"],
             chart["label_y"], b["label"])
            for b in chart["bars"]
        ),
    )  # fmt: skip
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" class="usage-chart" '
        'aria-label="{}">{}</svg>',
        chart["width"],
        chart["height"],
        _("kWh per month"),
        bars,
    )


def _rupiah(value: Decimal) -> str:
    return str(Decimal(value).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def lookup(id_pelanggan: str, *, months: int = 6) -> dict:
    """The public "info tagihan" answer: the last bills (or purchases), amount due, a usage chart.

    A customer with no bills and no purchases and an unknown ID pelanggan give the very same answer
    (the name, tariff and payment type are shown only with billing history), so the look-up cannot be used
    to find out which IDs exist. Never the address or the phone. Raises ProviderUnavailable.
    """
    account: Account = get_provider().account(id_pelanggan, months=months)
    bills = [
        {
            "period": f"{b.period:%Y-%m}",
            "kwh": b.kwh,
            "reading_start": b.reading_start,
            "reading_end": b.reading_end,
            "amount": _rupiah(b.amount),
            "late_fee": _rupiah(b.late_fee),
            "due_date": b.due_date,
            "paid": b.paid,
        }
        for b in account.bills[:months]
    ]
    purchases = [
        {
            "purchased_at": p.purchased_at,
            "kwh": str(p.kwh),
            "amount": _rupiah(p.amount),
            "token": p.token_masked,
        }
        for p in account.purchases[:months]
    ]
    chart = usage_chart(bills)
    has_history = bool(bills or purchases)
    unpaid = [b for b in account.bills if not b.paid]
    due = sum((b.amount + b.late_fee for b in unpaid), Decimal("0"))
    return {
        "id_pelanggan": id_pelanggan,
        "name": mask_name(account.name) if has_history else "",
        "payment_type": account.payment_type if has_history else "",
        "tariff": account.tariff if has_history else "",
        "power_va": account.power_va if has_history else None,
        "amount_due": _rupiah(due),
        "due_date": min(b.due_date for b in unpaid) if unpaid else None,
        "bills": bills,
        "purchases": purchases,
        "chart_svg": usage_chart_svg(bills, chart),
        "chart": chart,
        "stale": account.stale,
    }


# --- back office -----------------------------------------------------------------------------------


@dataclass
class DisputedBill:
    bill: Bill | None
    average_kwh: Decimal | None
    average_amount: Decimal | None
    months_averaged: int
    history: list[Bill]

    @property
    def kwh_ratio(self) -> Decimal | None:
        if self.bill is None or not self.average_kwh:
            return None
        return (Decimal(self.bill.kwh) / self.average_kwh).quantize(Decimal("0.01"))


def disputed_bill(ticket: Ticket) -> DisputedBill | None:
    """The latest bill of the ticket's customer against the average of the 6 months before it."""
    if not ticket.customer_id:
        return None
    history = list(Bill.objects.filter(customer_id=ticket.customer_id).order_by("-period")[:7])
    if not history:
        return DisputedBill(None, None, None, 0, [])
    disputed, before = history[0], history[1:7]
    if not before:
        return DisputedBill(disputed, None, None, 0, history)
    n = len(before)
    return DisputedBill(
        disputed,
        (Decimal(sum(b.kwh for b in before)) / n).quantize(Decimal("0.1")),
        (sum((b.amount for b in before), Decimal("0")) / n).quantize(Decimal("1")),
        n,
        history,
    )


def corrections_for(ticket: Ticket) -> list[BillCorrection]:
    return list(BillCorrection.objects.filter(ticket=ticket).select_related("created_by"))


def public_corrections_for(ticket: Ticket) -> list[BillCorrection]:
    return list(BillCorrection.objects.filter(ticket=ticket).order_by("created_at"))


def purchases_for_ticket(ticket: Ticket, *, limit: int = 5) -> list[TokenPurchase]:
    if not ticket.customer_id:
        return []
    return list(TokenPurchase.objects.filter(customer_id=ticket.customer_id).order_by("-purchased_at")[:limit])


# --- reports ---------------------------------------------------------------------------------------


def customers_served(unit_ids: list[int] | None) -> dict[int, int]:
    """Customers served per unit: the count kept by the last customer import; units it never counted
    fall back to the customer rows."""
    counted = UnitCustomerCount.objects.all()
    rows = Customer.objects.all()
    if unit_ids is not None:
        counted = counted.filter(unit_id__in=unit_ids)
        rows = rows.filter(unit_id__in=unit_ids)
    served = dict(counted.values_list("unit_id", "customers"))
    from django.db.models import Count

    for unit_id, n in (
        rows.exclude(unit_id__in=list(served)).values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n")
    ):
        served[unit_id] = n
    return served


# --- compensation ----------------------------------------------------------------------------------


def biaya_beban_for(tariff: str, power_va: int, *, on: date, rates: list[BiayaBeban] | None = None) -> Decimal | None:
    """Rp per month of biaya beban for the class and power valid on ``on`` (None when no rate is known)."""
    if rates is None:
        rates = list(
            BiayaBeban.objects.filter(tariff=tariff, valid_from__lte=on).filter(
                Q(valid_until__isnull=True) | Q(valid_until__gt=on)
            )
        )
    matching = [
        r
        for r in rates
        if r.tariff == tariff
        and r.covers(power_va)
        and r.valid_from <= on
        and (r.valid_until is None or r.valid_until > on)
    ]
    if not matching:
        return None
    rate = max(matching, key=lambda r: (r.valid_from, r.min_va))
    return (Decimal(power_va) / 1000 * rate.rupiah_per_kva).quantize(Decimal("1"), rounding=ROUND_HALF_UP)


def compensation_rupiah(percent: int, biaya_beban: Decimal) -> Decimal:
    return (biaya_beban * percent / 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
