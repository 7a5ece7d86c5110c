"""Writes of the customer record: opening an account (a new ID pelanggan in the ULP's numbering) and changing
a contract's power, tariff class or payment type. Each writes a CustomerHistory row.

ID pelanggan scheme (12 digits): ``5`` · the ULP's 4-digit number (its row id, zero-padded) · a 6-digit
sequence per ULP · a Luhn check digit over the 11 digits before it. The sequence is a NumberCounter row per
ULP, taken under a row lock, so two accounts opened at once in one ULP never get the same number; a number
already held by an imported customer is skipped.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Customer, CustomerHistory, NumberCounter, ServiceUnit
from .numbering import luhn_check_digit
from .sla.models import LV_POWER_LEVELS

MAX_SEQUENCE = 999_999


def _next_in_unit(unit: ServiceUnit) -> int:
    name = f"idpel:{unit.pk}"
    NumberCounter.objects.get_or_create(name=name, defaults={"value": 0})
    counter = NumberCounter.objects.select_for_update().get(name=name)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def new_id_pelanggan(unit: ServiceUnit) -> str:
    """Allocate the next free ID pelanggan of ``unit`` (inside the caller's transaction)."""
    if unit.pk > 9999:
        raise ValidationError({"unit": _("This ULP has no number in the ID pelanggan scheme.")})
    for _attempt in range(1000):
        sequence = _next_in_unit(unit)
        if sequence > MAX_SEQUENCE:
            raise ValidationError({"unit": _("This ULP has used every ID pelanggan of its range.")})
        body = f"5{unit.pk:04d}{sequence:06d}"
        number = f"{body}{luhn_check_digit(body)}"
        if not Customer.objects.filter(id_pelanggan=number).exists():
            return number
    raise ValidationError({"unit": _("No free ID pelanggan found.")})


def _check_contract(power_va: int, tariff: str, payment_type: str) -> None:
    errors = {}
    if power_va not in LV_POWER_LEVELS:
        errors["power_va"] = _("This is not a standard power level.")
    if tariff not in Customer.Tariff.values:
        errors["tariff"] = _("Unknown tariff class.")
    if payment_type not in Customer.PaymentType.values:
        errors["payment_type"] = _("Choose prepaid or postpaid.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def open_customer_account(
    *,
    unit: ServiceUnit,
    name: str,
    phone: str,
    email: str = "",
    address: str,
    lat: float | None,
    lng: float | None,
    tariff: str,
    power_va: int,
    payment_type: str,
    meter_number: str = "",
    reference: str = "",
    actor=None,
) -> Customer:
    """Open a new customer account (an energised new connection) with a new ID pelanggan of ``unit``."""
    _check_contract(power_va, tariff, payment_type)
    if meter_number and Customer.objects.filter(meter_number=meter_number).exists():
        raise ValidationError({"meter_number": _("This meter number belongs to another customer.")})
    customer = Customer(
        id_pelanggan=new_id_pelanggan(unit),
        meter_number=meter_number or None,
        name=name[:120],
        phone=phone[:20],
        email=email,
        address=address[:255],
        lat=lat,
        lng=lng,
        unit=unit,
        tariff=tariff,
        power_va=power_va,
        payment_type=payment_type,
    )
    customer.full_clean(exclude=["unit"])
    customer.save()
    CustomerHistory.objects.create(
        customer=customer,
        change=CustomerHistory.Change.OPENED,
        new_power_va=power_va,
        new_tariff=tariff,
        new_payment_type=payment_type,
        meter_number=meter_number,
        reference=reference[:40],
        actor=actor,
    )
    return customer


@transaction.atomic
def change_contract(
    *,
    customer: Customer,
    power_va: int,
    tariff: str,
    payment_type: str | None = None,
    meter_number: str = "",
    reference: str = "",
    actor=None,
) -> Customer:
    """Change a customer's contracted power and tariff class (tambah / turun daya), under a row lock."""
    locked = Customer.objects.select_for_update().get(pk=customer.pk)
    payment_type = payment_type or locked.payment_type
    _check_contract(power_va, tariff, payment_type)
    history = CustomerHistory(
        customer=locked,
        change=CustomerHistory.Change.POWER_CHANGE,
        old_power_va=locked.power_va,
        new_power_va=power_va,
        old_tariff=locked.tariff,
        new_tariff=tariff,
        old_payment_type=locked.payment_type,
        new_payment_type=payment_type,
        meter_number=meter_number or (locked.meter_number or ""),
        reference=reference[:40],
        actor=actor,
    )
    locked.power_va, locked.tariff, locked.payment_type = power_va, tariff, payment_type
    if meter_number:
        if Customer.objects.filter(meter_number=meter_number).exclude(pk=locked.pk).exists():
            raise ValidationError({"meter_number": _("This meter number belongs to another customer.")})
        locked.meter_number = meter_number
    locked.full_clean(exclude=["unit"])
    locked.save(update_fields=["power_va", "tariff", "payment_type", "meter_number"])
    history.save()
    return locked
