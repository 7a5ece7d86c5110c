"""Reads of the call centre: the operator's current call, caller lookup, visibility and KPIs."""

import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext

from core import roles
from core.phone import normalize_phone
from outages import selectors as outage_selectors
from tickets.models import Customer, ServiceUnit, StaffProfile, Ticket
from tickets.selectors import visible_unit_ids

from . import compliance
from .models import Call, OperatorSeat, Violation, WarningLetter

logger = logging.getLogger(__name__)

# A call whose hang-up never arrived stops popping up after this long.
LIVE_CALL_WINDOW = timedelta(hours=2)
RECENT_TICKET_DAYS = 30
MAX_RESULTS = 10
CLOSED_STATUSES = (Ticket.Status.CLOSED, Ticket.Status.CANCELLED)


def current_call_for(operator) -> Call | None:
    """The call ringing at, or being handled by, this operator (newest first)."""
    since = timezone.now() - LIVE_CALL_WINDOW
    return (
        Call.objects.filter(operator=operator, status__in=[Call.Status.RINGING, Call.Status.ANSWERED])
        .filter(Q(rang_at__gte=since) | Q(rang_at__isnull=True, created_at__gte=since))
        .order_by("-rang_at", "-id")
        .first()
    )


def operator_seats_for_pbx() -> list[OperatorSeat]:
    """Seats with an extension, each marked ``on_call`` when a live call rings or talks there."""
    since = timezone.now() - LIVE_CALL_WINDOW
    busy = set(
        Call.objects.filter(
            status__in=[Call.Status.RINGING, Call.Status.ANSWERED], operator__isnull=False, rang_at__gte=since
        ).values_list("operator_id", flat=True)
    )
    seats = list(OperatorSeat.objects.select_related("user").exclude(extension=None).order_by("extension"))
    for seat in seats:
        seat.on_call = seat.user_id in busy
    return seats


def customers_by_phone(phone: str) -> list[Customer]:
    if not phone or not phone.startswith("+"):
        return []
    return list(Customer.objects.select_related("unit").filter(phone=phone)[:MAX_RESULTS])


def search_customers(query: str) -> list[Customer]:
    """Customers by ID pelanggan (12 digits), meter number (11 digits), phone number or name."""
    text = (query or "").strip()
    if not text:
        return []
    qs = Customer.objects.select_related("unit")
    digits = re.sub(r"[\s\-.]", "", text)
    conditions = Q()
    if digits.isdigit() and len(digits) == 12:
        conditions |= Q(id_pelanggan=digits)
    if digits.isdigit() and len(digits) == 11:
        conditions |= Q(meter_number=digits)
    if re.fullmatch(r"\+?\d{8,15}", digits):
        try:
            conditions |= Q(phone=normalize_phone(digits))
        except ValidationError:
            pass
        conditions |= Q(id_pelanggan__startswith=digits) | Q(meter_number__startswith=digits)
    if len(text) >= 3 and not digits.isdigit():
        conditions |= Q(name__icontains=text)
    if not conditions:
        return []
    return list(qs.filter(conditions).order_by("name")[:MAX_RESULTS])


def tickets_for_caller(*, customers: list[Customer], phone: str = "") -> dict[str, list[Ticket]]:
    """Open tickets and recent closed ones of these customers or of this phone number."""
    match = Q(customer__in=customers)
    if phone:
        match |= Q(reporter_phone=phone)
    if not customers and not phone:
        return {"open": [], "recent": []}
    qs = Ticket.objects.select_related("category", "unit").filter(match).order_by("-created_at")
    open_tickets = list(qs.exclude(status__in=CLOSED_STATUSES)[:MAX_RESULTS])
    since = timezone.now() - timedelta(days=RECENT_TICKET_DAYS)
    recent = list(qs.filter(status__in=CLOSED_STATUSES, created_at__gte=since)[:MAX_RESULTS])
    return {"open": open_tickets, "recent": recent}


def incidents_near(*, lat: float | None, lng: float | None, radius_m: int = 500) -> list:
    """Open outage incidents near a point, as outages tells the public about them; [] when the look-up fails
    (never raises: the console must pop up anyway)."""
    if lat is None or lng is None:
        return []
    try:
        return list(outage_selectors.incidents_near(lat=lat, lng=lng, radius_m=radius_m))
    except Exception:  # the console must still pop up when the incident lookup fails
        logger.exception("open_incidents_near failed")
        return []


def outage_notices(*, customers: list[Customer]) -> list[dict]:
    """Wide-area outages (first) and planned outages of the caller's area (from outages; [] when that fails)."""
    if not customers:
        return []
    try:
        return outage_selectors.console_notices(customers=customers)
    except Exception:  # the console must still pop up when the lookup fails
        logger.exception("console_notices failed")
        return []


def incident_summary(incident) -> dict:
    """A small, shape-tolerant description of a dispatch incident for the console."""

    def pick(*names):
        for name in names:
            value = incident.get(name) if isinstance(incident, dict) else getattr(incident, name, None)
            if value not in (None, ""):
                return value
        return None

    status = pick("get_status_display", "status")
    if callable(status):
        status = status()
    eta = pick("estimated_restore_at", "estimated_restoration_at", "eta")
    return {
        "id": pick("pk", "id"),
        "title": str(pick("title", "name", "summary") or incident),
        "status": str(status or ""),
        "estimated_restore_at": eta.isoformat() if hasattr(eta, "isoformat") else eta,
    }


def calls_visible_to(viewer) -> QuerySet[Call]:
    """Operators see their own calls; supervisors the calls of their units; admins all."""
    qs = Call.objects.select_related("operator", "unit")
    if roles.has_role(viewer, roles.ADMIN):
        return qs
    if roles.has_role(viewer, roles.SUPERVISOR):
        return qs.filter(unit_id__in=visible_unit_ids(viewer) or [])
    return qs.filter(operator=viewer)


def can_play_recording(user, call: Call) -> bool:
    """Only the operator who took the call, supervisors of its unit (or above) and admins."""
    if not user or not user.is_authenticated:
        return False
    if roles.has_role(user, roles.ADMIN):
        return True
    if call.operator_id is not None and call.operator_id == user.pk:
        return True
    if roles.has_role(user, roles.OPERATOR) and _handled_call(user, call):
        return True
    if roles.has_role(user, roles.SUPERVISOR):
        return call.unit_id is not None and call.unit_id in (visible_unit_ids(user) or [])
    return False


def _handled_call(user, call: Call) -> bool:
    """True when the PBX named this user (by extension or username) on the call: rang, answered or transferred."""
    names = {user.get_username()}
    seat = OperatorSeat.objects.filter(user=user).exclude(extension=None).first()
    if seat is not None:
        names.add(seat.extension)
    for payload in call.events.filter(kind__in=["ring", "answer", "transfer"]).values_list("payload", flat=True):
        if {payload.get("operator"), payload.get("transfer_to")} & names:
            return True
    return False


def violations_visible_to(viewer) -> QuerySet[Violation]:
    qs = Violation.objects.select_related("call", "operator", "letter", "reviewed_by")
    unit_ids = visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(call__unit_id__in=unit_ids)


def letters_visible_to(viewer) -> QuerySet[WarningLetter]:
    qs = WarningLetter.objects.select_related("operator", "unit").annotate(violation_count=Count("violations"))
    unit_ids = visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(unit_id__in=unit_ids)


# KPIs ---------------------------------------------------------------------------------------------


@dataclass
class KpiRow:
    """Call-centre figures for one operator, shift or unit over a date range."""

    key: str
    label: str
    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    answered_in_time: int = 0
    hang_ups: int = 0
    tickets: int = 0
    # Calls whose matter was settled on the call: a ticket closed before the call ended (e.g. IF-TAGIHAN).
    first_contact: int = 0
    notice_played: int = 0
    answer_seconds: list[float] = field(default_factory=list)
    handle_seconds: list[float] = field(default_factory=list)

    @property
    def share_in_time(self) -> float | None:
        return self.answered_in_time / self.answered if self.answered else None

    @property
    def notice_share(self) -> float | None:
        """Share of answered calls where the caller heard that the call is recorded."""
        return self.notice_played / self.answered if self.answered else None

    @property
    def asa(self) -> float | None:
        return sum(self.answer_seconds) / len(self.answer_seconds) if self.answer_seconds else None

    @property
    def aht(self) -> float | None:
        return sum(self.handle_seconds) / len(self.handle_seconds) if self.handle_seconds else None

    @property
    def tickets_per_call(self) -> float | None:
        return self.tickets / self.answered if self.answered else None

    @property
    def first_contact_share(self) -> float | None:
        return self.first_contact / self.answered if self.answered else None

    def add(self, call: Call, ticket_count: int) -> None:
        self.offered += 1
        answer = call.answer_seconds
        if call.answered_at is not None:
            self.answered += 1
            if call.recorded_notice_played:
                self.notice_played += 1
            if answer is not None:
                self.answer_seconds.append(answer)
                if not compliance.is_late(answer):
                    self.answered_in_time += 1
            if call.handle_seconds is not None:
                self.handle_seconds.append(call.handle_seconds)
            if call.ended_by == Call.EndedBy.OPERATOR:
                self.hang_ups += 1
        elif call.ended_at is not None:
            waited = (call.ended_at - call.rang_at).total_seconds() if call.rang_at else None
            if waited is None or waited >= settings.CALL_SHORT_ABANDON_SECONDS:
                self.abandoned += 1
        self.tickets += ticket_count
        if getattr(call, "closed_on_call", 0):
            self.first_contact += 1


def _shift_starts() -> list[tuple[int, str]]:
    starts = []
    for item in settings.CALL_SHIFTS:
        name, _sep, hour = item.partition(":")
        starts.append((int(hour or 0), name))
    return sorted(starts)


def shift_of(moment: datetime, zone: str, starts: list[tuple[int, str]] | None = None) -> str:
    """The shift a moment falls in, by the shifts' starting hours in the unit's local time."""
    starts = starts or _shift_starts()
    local_hour = moment.astimezone(ZoneInfo(zone)).hour
    current = starts[-1][1]
    for hour, name in starts:
        if local_hour >= hour:
            current = name
    return current


KPI_FIELDS = (
    "rang_at",
    "answered_at",
    "ended_at",
    "ended_by",
    "recorded_notice_played",
    "operator_ref",
    "operator__username",
    "operator__first_name",
    "operator__last_name",
    "unit__code",
    "unit__name",
    "unit__time_zone",
)


def call_kpis(*, viewer, start: datetime, end: datetime) -> dict[str, list[KpiRow]]:
    """KPIs per operator, per shift and per unit for calls that rang in [start, end).

    Only the columns the figures need are read, in chunks, so a month of a busy centre stays cheap.
    """
    calls = (
        calls_visible_to(viewer)
        .filter(rang_at__gte=start, rang_at__lt=end)
        .only(*KPI_FIELDS)
        .annotate(
            ticket_count=Count("tickets"),
            closed_on_call=Count(
                "tickets",
                filter=Q(tickets__status="closed")
                & (Q(ended_at__isnull=True) | Q(tickets__closed_at__lte=F("ended_at"))),
            ),
        )
        .order_by("rang_at")
    )
    starts = _shift_starts()
    total_label = gettext("All calls")
    groups: dict[str, dict[str, KpiRow]] = {"operator": {}, "shift": {}, "unit": {}, "total": {}}
    for call in calls.iterator(chunk_size=2000):
        zone = call.unit.time_zone if call.unit else settings.TIME_ZONE
        operator_label = (
            (call.operator.get_full_name() or call.operator.get_username()) if call.operator else call.operator_ref
        )
        keys = {
            "operator": (str(call.operator_id or call.operator_ref or "-"), operator_label or "-"),
            "shift": (shift_of(call.rang_at, zone, starts),) * 2,
            "unit": (call.unit.code if call.unit else "-", call.unit.name if call.unit else "-"),
            "total": ("all", total_label),
        }
        for group, (key, label) in keys.items():
            row = groups[group].get(key)
            if row is None:
                row = groups[group][key] = KpiRow(key=key, label=label)
            row.add(call, call.ticket_count)
    return {name: sorted(rows.values(), key=lambda r: r.label) for name, rows in groups.items()}


def default_kpi_range(today=None) -> tuple:
    local_today = today or timezone.localdate()
    return local_today - timedelta(days=6), local_today


def kpi_bounds(date_from, date_to) -> tuple[datetime, datetime]:
    zone = timezone.get_current_timezone()
    start = datetime.combine(date_from, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(date_to + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    return start, end


# The console's ticket form and ticket search ---------------------------------------------------------

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
TICKET_SEARCH_LIMIT = 50


def home_unit(user) -> ServiceUnit | None:
    profile = StaffProfile.objects.filter(user=user).select_related("unit").first()
    return profile.unit if profile else None


def ulps_for_console() -> list[ServiceUnit]:
    """Every ULP: a call to 123 may be about any place, not only the operator's own unit."""
    return list(ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP).order_by("name"))


def map_centre(unit: ServiceUnit | None) -> list[float] | None:
    if unit is None or unit.center_lat is None:
        first = ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP).order_by("name").first()
        return [first.center_lat, first.center_lng] if first else None
    return [unit.center_lat, unit.center_lng]


def zone_label(unit: ServiceUnit | None) -> str:
    return ZONE_LABELS.get(unit.time_zone if unit else settings.TIME_ZONE, "")


def search_tickets(query: str) -> list[Ticket]:
    """Tickets by number (whole or its end), the reporter's phone, or the ID pelanggan; newest first."""
    text = (query or "").strip()
    digits = re.sub(r"[\s\-.]", "", text)
    conditions = Q(number__iexact=text) | Q(number__iendswith=text) if len(text) >= 4 else Q(number__iexact=text)
    if digits.isdigit() and len(digits) == 12:
        conditions |= Q(id_pelanggan=digits)
    if re.fullmatch(r"\+?\d{8,15}", digits):
        try:
            conditions |= Q(reporter_phone=normalize_phone(digits))
        except ValidationError:
            pass
    return list(
        Ticket.objects.select_related("category", "unit")
        .filter(conditions)
        .order_by("-created_at")[:TICKET_SEARCH_LIMIT]
    )


def ticket_for_agent(number: str) -> Ticket | None:
    return Ticket.objects.select_related("category", "unit", "customer").filter(number__iexact=number.strip()).first()
