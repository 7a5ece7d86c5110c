"""Reads of the ticket domain. Row visibility for staff is narrowed here, by ``viewer``."""

from django.conf import settings
from django.db.models import QuerySet

from . import roles
from .geo import haversine_km
from .models import Category, Customer, ServiceUnit, Ticket, TicketEvent
from .numbering import normalize_ticket_number
from .phone import same_phone


def unit_subtree_ids(unit: ServiceUnit) -> list[int]:
    """The unit and every unit below it (UID → UP3 → ULP)."""
    ids = [unit.pk]
    frontier = [unit.pk]
    while frontier:
        frontier = list(ServiceUnit.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
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
    ids = unit_subtree_ids(profile.unit) if profile else []
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
    qs = Customer.objects.select_related("unit")
    if id_pelanggan:
        return qs.filter(id_pelanggan=id_pelanggan).first()
    if meter_number:
        return qs.filter(meter_number=meter_number).first()
    return None


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
