"""A quote from loose inputs (the public calculator and the quote API), checked like an application."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError
from tickets import selectors as ticket_selectors
from tickets.models import ServiceUnit

from . import rules, selectors


def _invalid(fields: dict[str, str]) -> ApplicationError:
    return ApplicationError(_("Some fields are not valid."), extra={"fields": {k: [v] for k, v in fields.items()}})


def quote_from_query(
    *,
    kind: str,
    requested_va: int,
    tariff: str,
    payment_type: str = "prepaid",
    current_va: int = 0,
    id_pelanggan: str = "",
    unit: str = "",
    at: datetime | None = None,
) -> selectors.Quote:
    """Check the request (a real power step, a class that can have it), find the customer and the ULP, quote."""
    errors: dict[str, str] = {}
    if not rules.is_power_step(requested_va):
        errors["requested_va"] = _("Choose one of the standard power levels.")
    elif not rules.tariff_allows(tariff, requested_va):
        errors["tariff"] = _("Tariff class %(tariff)s cannot have %(va)s VA.") % {"tariff": tariff, "va": requested_va}
    customer = ticket_selectors.find_customer(id_pelanggan=id_pelanggan) if id_pelanggan else None
    if id_pelanggan and customer is None:
        errors["id_pelanggan"] = _("No customer has this ID pelanggan.")
    if kind == "power_change":
        if customer is not None:
            current_va = customer.power_va
        if not rules.is_power_step(current_va):
            errors["current_va"] = _("Give the current power (a standard power level) or your ID pelanggan.")
        elif current_va == requested_va:
            errors["requested_va"] = _("This is already the contracted power.")
    service_unit = None
    if customer is not None:
        service_unit = customer.unit
    elif unit:
        service_unit = ServiceUnit.objects.filter(code=unit).first()
        if service_unit is None:
            errors["unit"] = _("Unknown ULP.")
    if service_unit is None and "unit" not in errors:
        service_unit = (
            ticket_selectors.default_unit() or ServiceUnit.objects.filter(level="ULP").order_by("code").first()
        )
    if errors:
        raise _invalid(errors)
    registered = timezone.localtime(customer.created_at, selectors.unit_zone(service_unit)).date() if customer else None
    request = rules.Request(
        kind=kind,
        requested_va=requested_va,
        tariff=tariff,
        payment_type=payment_type,
        current_va=current_va if kind == "power_change" else 0,
        current_tariff=customer.tariff if customer else "",
        current_payment_type=customer.payment_type if customer else "",
        id_pelanggan=customer.id_pelanggan if customer else "",
        registered_on=registered,
    )
    return selectors.quote_for(request, unit=service_unit, at=at, customer=customer)
