"""Writes of the customer record: opening an account (a new ID pelanggan in the ULP's numbering) and changing
a contract's power, tariff class or payment type. Each writes a CustomerHistory row.

ID pelanggan scheme (12 digits): ``5`` · the ULP's 4-digit number (its row id, zero-padded) · a 6-digit
sequence per ULP · a Luhn check digit over the 11 digits before it. The sequence is a NumberCounter row per
ULP, taken under a row lock, so two accounts opened at once in one ULP never get the same number; a number
already held by an imported customer is skipped.

Bulk writes of the customer master (the billing import calls them): ``upsert_customers`` takes checked rows, reads
the rows already stored for those IDs pelanggan (one query), and writes only the new and the changed ones in one
INSERT … ON CONFLICT (id_pelanggan) DO UPDATE. A row equal to what is stored is not written at all, so importing
the same file twice changes nothing.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Count
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


# The columns the CIS owns; everything else on Customer (e-mail, created_at) is left alone.
MASTER_FIELDS = (
    "name",
    "address",
    "tariff",
    "power_va",
    "payment_type",
    "meter_number",
    "transformer_code",
    "feeder_code",
    "unit_id",
    "lat",
    "lng",
    "phone",
)


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _values(row: dict) -> tuple:
    return tuple(row.get(field) for field in MASTER_FIELDS)


def upsert_customers(rows: list[dict], *, write: bool = True) -> UpsertResult:
    """Insert or update customers by ID pelanggan. Each row has ``id_pelanggan`` and the MASTER_FIELDS.

    With ``write=False`` only counts what would change (a dry run). Call inside a transaction.
    """
    result = UpsertResult()
    if not rows:
        return result
    if write and connection.vendor == "postgresql":
        return _upsert_postgresql(rows)
    stored = {
        values[0]: values[1:]
        for values in Customer.objects.filter(id_pelanggan__in=[row["id_pelanggan"] for row in rows]).values_list(
            "id_pelanggan", *MASTER_FIELDS
        )
    }
    changed = []
    for row in rows:
        before = stored.get(row["id_pelanggan"])
        if before is None:
            result.created += 1
        elif tuple(before) == _values(row):
            result.unchanged += 1
            continue
        else:
            result.updated += 1
        changed.append(row)
    if write and changed:
        Customer.objects.bulk_create(
            [Customer(id_pelanggan=row["id_pelanggan"], **{f: row.get(f) for f in MASTER_FIELDS}) for row in changed],
            update_conflicts=True,
            unique_fields=["id_pelanggan"],
            update_fields=list(MASTER_FIELDS),
        )
    return result


def _upsert_postgresql(rows: list[dict]) -> UpsertResult:
    """One statement per batch: INSERT … ON CONFLICT DO UPDATE only where a column differs; RETURNING tells
    inserted rows (xmax = 0) from updated ones; rows equal to what is stored are neither."""
    from psycopg2.extras import execute_values

    table = Customer._meta.db_table
    columns = ["id_pelanggan", *MASTER_FIELDS, "email", "created_at"]
    names = ", ".join(columns)
    changed = " OR ".join(f"{table}.{f} IS DISTINCT FROM EXCLUDED.{f}" for f in MASTER_FIELDS)
    updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in MASTER_FIELDS)
    sql = (
        f"INSERT INTO {table} ({names}) VALUES %s ON CONFLICT (id_pelanggan) DO UPDATE SET {updates} "
        f"WHERE {changed} RETURNING (xmax = 0)"
    )
    from django.utils import timezone

    now = timezone.now()
    values = [(row["id_pelanggan"], *(row.get(f) for f in MASTER_FIELDS), "", now) for row in rows]
    with connection.cursor() as cursor:
        returned = execute_values(cursor.cursor, sql, values, page_size=len(values), fetch=True)
    created = sum(1 for (inserted,) in returned if inserted)
    return UpsertResult(created=created, updated=len(returned) - created, unchanged=len(rows) - len(returned))


def upsert_customers_from(source: str, params=(), *, write: bool = True) -> UpsertResult:
    """Upsert by ID pelanggan every row of ``source`` in one statement (PostgreSQL only).

    ``source`` is a SELECT (the billing import's staging table) whose columns are ``id_pelanggan`` and the
    MASTER_FIELDS with the customer table's types. Rows equal to what is stored are not written; with
    ``write=False`` the same counts are computed without writing (a dry run). Call inside a transaction.
    """
    table = Customer._meta.db_table
    fields = ", ".join(MASTER_FIELDS)
    stored = ", ".join(f"c.{f}" for f in MASTER_FIELDS)
    staged = ", ".join(f"s.{f}" for f in MASTER_FIELDS)
    if not write:
        sql = (
            f"SELECT count(*) FILTER (WHERE c.id IS NULL), "
            f"count(*) FILTER (WHERE c.id IS NOT NULL AND ({stored}) IS DISTINCT FROM ({staged})), count(*) "
            f"FROM ({source}) s LEFT JOIN {table} c ON c.id_pelanggan = s.id_pelanggan"
        )
    else:
        excluded = ", ".join(f"EXCLUDED.{f}" for f in MASTER_FIELDS)
        current = ", ".join(f"{table}.{f}" for f in MASTER_FIELDS)
        updates = ", ".join(f"{f} = EXCLUDED.{f}" for f in MASTER_FIELDS)
        # xmax = 0 on a returned row: inserted; otherwise updated. Unchanged rows are not returned.
        sql = (
            f"WITH src AS MATERIALIZED ({source}), "
            f"ins AS (INSERT INTO {table} (id_pelanggan, {fields}, email, created_at) "
            f"SELECT s.id_pelanggan, {staged}, '', now() FROM src s "
            f"ON CONFLICT (id_pelanggan) DO UPDATE SET {updates} WHERE ({current}) IS DISTINCT FROM ({excluded}) "
            f"RETURNING (xmax = 0) AS inserted) "
            f"SELECT count(*) FILTER (WHERE inserted), count(*) FILTER (WHERE NOT inserted), "
            f"(SELECT count(*) FROM src) FROM ins"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        created, updated, total = cursor.fetchone()
    return UpsertResult(created=created, updated=updated, unchanged=total - created - updated)


def meters_taken_by_others(pairs: list[tuple[str, str]]) -> set[str]:
    """Of (id_pelanggan, meter_number) pairs, the meter numbers already held by another customer."""
    meters = [meter for _idpel, meter in pairs if meter]
    if not meters:
        return set()
    owner = dict(pairs)
    return {
        meter
        for idpel, meter in Customer.objects.filter(meter_number__in=meters).values_list("id_pelanggan", "meter_number")
        if owner.get(idpel) != meter
    }


def customers_per_unit() -> dict[int, int]:
    return dict(Customer.objects.values("unit_id").annotate(n=Count("id")).values_list("unit_id", "n"))


def customer_ids(id_pelanggans: list[str]) -> dict[str, int]:
    """Primary keys of the customers with these IDs pelanggan (unknown ones are absent)."""
    return dict(Customer.objects.filter(id_pelanggan__in=id_pelanggans).values_list("id_pelanggan", "pk"))


def set_payment_type(*, id_pelanggan: str, payment_type: str) -> int:
    """Switch a customer between prepaid and postpaid (what the CIS says after a migration, LY-MIG)."""
    if payment_type not in Customer.PaymentType.values:
        raise ValueError(payment_type)
    return Customer.objects.filter(id_pelanggan=id_pelanggan).update(payment_type=payment_type)
