"""Reads of the ticket domain. Row visibility for staff is narrowed here, by ``viewer``."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet

from core import roles
from core.geo import haversine_km
from core.phone import same_phone
from core.rows import RowReader
from core.sql import execute

from . import reference
from .models import Category, Customer, ServiceUnit, Ticket, TicketEvent
from .numbering import normalize_ticket_number

UNIT_TREE_GENERATION_KEY = "sigap:unit-tree-generation"
UNIT_TREE_SECONDS = 300


def _unit_tree_generation() -> int:
    generation = cache.get(UNIT_TREE_GENERATION_KEY)
    if generation is None:
        cache.add(UNIT_TREE_GENERATION_KEY, 1, None)
        generation = cache.get(UNIT_TREE_GENERATION_KEY) or 1
    return generation


def forget_unit_tree() -> None:
    """Called when any unit is saved or deleted: every cached subtree is read again."""
    try:
        cache.incr(UNIT_TREE_GENERATION_KEY)
    except ValueError:
        cache.set(UNIT_TREE_GENERATION_KEY, 2, None)


def unit_subtree_ids(unit: ServiceUnit | int) -> list[int]:
    """The unit and every unit below it (UID → UP3 → ULP).

    Every staff request needs it and the tree changes only in the admin, so it is cached (in Redis when
    configured) under a generation number that every save or delete of a unit moves on.
    """
    unit_id = unit if isinstance(unit, int) else unit.pk
    key = f"sigap:unit-subtree:{_unit_tree_generation()}:{unit_id}"
    ids = cache.get(key)
    if ids is not None:
        return list(ids)
    ids = [unit_id]
    frontier = [unit_id]
    while frontier:
        frontier = list(ServiceUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    cache.set(key, ids, UNIT_TREE_SECONDS)
    return ids


def visible_unit_ids(viewer) -> list[int] | None:
    """Units whose tickets ``viewer`` may see; None means all units (admins)."""
    if not viewer or not viewer.is_authenticated:
        return []
    if viewer.is_superuser or roles.has_role(viewer, roles.ADMIN):
        return None
    cached = getattr(viewer, "_sigap_unit_ids", None)
    if cached is not None:
        return cached
    profile = getattr(viewer, "staff_profile", None)
    ids = unit_subtree_ids(profile.unit_id) if profile else []
    viewer._sigap_unit_ids = ids
    return ids


def tickets_visible_to(viewer) -> QuerySet[Ticket]:
    qs = Ticket.objects.select_related("category", "unit", "customer")
    unit_ids = visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(unit_id__in=unit_ids)


def ticket_for_tracking(*, number: str, phone: str) -> Ticket | None:
    """The ticket with this number whose reporter phone matches; None for any mismatch."""
    canonical = normalize_ticket_number(number)
    if canonical is None:
        return None
    ticket = Ticket.objects.select_related("category", "unit").filter(number=canonical).first()
    if ticket is None or not same_phone(ticket.reporter_phone, phone):
        return None
    return ticket


def ticket_by_tracking_token(token: str) -> Ticket | None:
    if not token or len(token) > 64:
        return None
    return Ticket.objects.select_related("category", "unit").filter(tracking_token=token).first()


def public_events(ticket: Ticket) -> QuerySet[TicketEvent]:
    return ticket.events.filter(is_public=True).order_by("created_at", "id")


def public_categories() -> QuerySet[Category]:
    return Category.objects.filter(active=True, is_public=True).order_by("sort_order", "code")


def find_customer(*, id_pelanggan: str = "", meter_number: str = "") -> Customer | None:
    """The customer with this ID pelanggan (or else meter number), with their ULP; None when there is none.

    Every report that gives an ID pelanggan makes this read, so it is one indexed statement written once (the
    ORM's building of the equivalent ``select_related`` query cost three times its CPU) and the ULP comes from
    the reference tables this process holds (``tickets.reference``).
    """
    if id_pelanggan:
        column, value = "id_pelanggan", id_pelanggan
    elif meter_number:
        column, value = "meter_number", meter_number
    else:
        return None
    sql, reader = _customer_by(column)
    with connection.cursor() as cursor:
        execute(cursor, sql, [value])
        row = cursor.fetchone()
    if row is None:
        return None
    customer = reader.instance(row)
    unit = reference.tables().units.get(customer.unit_id)
    if unit is not None:  # else (a ULP added since the copy was read) the first use of .unit reads it
        Customer.unit.field.set_cached_value(customer, unit)
    return customer


_CUSTOMER_BY: dict[str, tuple[str, RowReader]] = {}


def _customer_by(column: str) -> tuple[str, RowReader]:
    found = _CUSTOMER_BY.get(column)
    if found is None:
        reader = RowReader(Customer, "c")
        quote = connection.ops.quote_name
        sql = f"SELECT {reader.columns} FROM {quote(Customer._meta.db_table)} c WHERE c.{quote(column)} = %s LIMIT 1"
        found = _CUSTOMER_BY[column] = (sql, reader)
    return found


def nearest_unit(*, lat: float, lng: float) -> ServiceUnit | None:
    """The active ULP whose centre is nearest to the point."""
    units = ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP, active=True).only(
        "pk", "center_lat", "center_lng", "time_zone", "code", "name", "level"
    )
    best, best_km = None, None
    for unit in units:
        km = haversine_km(lat, lng, unit.center_lat, unit.center_lng)
        if best_km is None or km < best_km:
            best, best_km = unit, km
    return best


def default_unit() -> ServiceUnit | None:
    if settings.SIGAP_DEFAULT_UNIT_CODE:
        return ServiceUnit.objects.filter(code=settings.SIGAP_DEFAULT_UNIT_CODE).first()
    return None


def public_units() -> QuerySet[ServiceUnit]:
    return ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP, active=True).order_by("name")
