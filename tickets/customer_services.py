"""Bulk writes of the customer master (tickets owns ``Customer``; the billing import calls this).

``upsert_customers`` takes checked rows, reads the rows already stored for those IDs pelanggan (one query),
and writes only the new and the changed ones in one INSERT … ON CONFLICT (id_pelanggan) DO UPDATE. A row
equal to what is stored is not written at all, so importing the same file twice changes nothing.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Count

from .models import Customer

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
