"""Writes of dispatch: positions, incidents, routing, job steps, manual assignment, restoration.

Locks are always taken in the same order — incident, then assignment, then technician — so two
workers never wait on each other in a circle.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from core.geo import valid_coordinates
from core.rows import RowReader
from core.sql import execute
from notifications import messages
from notifications import services as notification_services
from tickets import services as ticket_services
from tickets.api.serializers import tracking_url
from tickets.models import Customer, ServiceUnit, Ticket
from tickets.sla import services as sla_services

from . import selectors, signals
from .distance import distance_m
from .models import Assignment, FieldJob, Incident, IncidentReport, JobStep, Technician

logger = logging.getLogger(__name__)

S = Ticket.Status
# The way an outage ticket walks while its crew works; each move is a public event (and a notification).
TICKET_PATH = [S.RECEIVED, S.ASSIGNED, S.ON_THE_WAY, S.IN_PROGRESS, S.TEMPORARILY_RESTORED, S.RESTORED]
TICKET_DONE = {S.RESTORED, S.CLOSED, S.CANCELLED}

INCIDENT_TO_TICKET = {
    Incident.Status.ASSIGNED: S.ASSIGNED,
    Incident.Status.ON_THE_WAY: S.ON_THE_WAY,
    Incident.Status.IN_PROGRESS: S.IN_PROGRESS,
    Incident.Status.PARTLY_RESTORED: S.TEMPORARILY_RESTORED,
    Incident.Status.RESTORED: S.RESTORED,
}

# Category → the skill its job needs (everything else: low voltage).
CATEGORY_SKILLS = {"GG-GARDU": Technician.Skill.MEDIUM_VOLTAGE, "GG-APP": Technician.Skill.METER}


def _announce(incident: Incident, change: str) -> None:
    signals.incident_changed.send(sender=Incident, incident=incident, change=change)


# --- technicians --------------------------------------------------------------------------------


def _refresh_load(technician_id: int) -> Technician:
    """Recount a technician's live jobs under a row lock and set their state from it."""
    tech = Technician.objects.select_for_update().get(pk=technician_id)
    tech.active_jobs = Assignment.objects.filter(technician_id=tech.pk, state__in=Assignment.LIVE_STATES).count()
    if not tech.on_duty:
        tech.state = Technician.State.OFF
    else:
        tech.state = Technician.State.BUSY if tech.active_jobs >= tech.job_limit else Technician.State.AVAILABLE
    tech.save(update_fields=["active_jobs", "state"])
    return tech


def record_position(
    *,
    technician: Technician,
    lat: float,
    lng: float,
    accuracy_m: float | None = None,
    at: datetime | None = None,
) -> Technician:
    """Store the technician's last known position; impossible coordinates are refused."""
    if not valid_coordinates(lat, lng) or (lat == 0 and lng == 0):
        raise ApplicationError(
            _("These coordinates are not a place on Earth."),
            extra={
                "fields": {
                    "lat": [_("Latitude must be between -90 and 90.")],
                    "lng": [_("Longitude must be between -180 and 180.")],
                }
            },
        )
    if accuracy_m is not None and accuracy_m < 0:
        raise ApplicationError(
            _("Accuracy cannot be negative."), extra={"fields": {"accuracy_m": [_("Accuracy cannot be negative.")]}}
        )
    now = timezone.now()
    when = min(at or now, now)
    # A position older than the one we hold (a queued step sent late) does not move the technician back.
    Technician.objects.filter(pk=technician.pk).filter(
        Q(last_position_at__isnull=True) | Q(last_position_at__lte=when)
    ).update(last_lat=lat, last_lng=lng, last_accuracy_m=accuracy_m, last_position_at=when)
    technician.refresh_from_db(fields=["last_lat", "last_lng", "last_accuracy_m", "last_position_at"])
    return technician


@transaction.atomic
def set_on_duty(*, technician: Technician, on_duty: bool, shift_ends_at: datetime | None = None) -> Technician:
    """Start or end a shift. Off duty, no new offer comes; jobs already in hand stay with the technician."""
    if on_duty and shift_ends_at is not None and shift_ends_at <= timezone.now():
        raise ApplicationError(
            _("The shift must end in the future."),
            extra={"fields": {"shift_ends_at": [_("The shift must end in the future.")]}},
        )
    Technician.objects.filter(pk=technician.pk).update(on_duty=on_duty, shift_ends_at=shift_ends_at)
    tech = _refresh_load(technician.pk)
    return Technician.objects.select_related("user", "unit").get(pk=tech.pk)


@transaction.atomic
def withdraw_cancelled_report(*, ticket_id: int) -> Incident | None:
    """A member ticket was cancelled: when no report of its incident is left open, cancel the incident and
    withdraw its crew (the technician is freed for other work)."""
    report = IncidentReport.objects.filter(ticket_id=ticket_id).first()
    if report is None:
        return None
    incident = Incident.objects.select_for_update().get(pk=report.incident_id)
    if not incident.is_open:
        return incident
    if selectors.member_tickets(incident).exclude(status=S.CANCELLED).exists():
        return incident
    now = timezone.now()
    live = selectors.live_assignment(incident)
    if live is not None:
        Assignment.objects.filter(pk=live.pk).update(state=Assignment.State.WITHDRAWN, finished_at=now)
        _refresh_load(live.technician_id)
    incident.status = Incident.Status.CANCELLED
    incident.save(update_fields=["status"])
    _announce(incident, "status")
    return incident


def settle_finished_report(*, ticket_id: int) -> Incident | None:
    """A member report was restored or closed by another path: restore its incident when none is left open."""
    report = IncidentReport.objects.filter(ticket_id=ticket_id).values_list("incident_id", flat=True).first()
    if report is None:
        return None
    incident = Incident.objects.filter(pk=report, status__in=Incident.OPEN_STATUSES).first()
    if incident is None or selectors.open_member_count(incident) > 0:
        return incident
    return restore_incident(incident=incident, by=None)


# --- incidents ----------------------------------------------------------------------------------


def _skill_for(ticket: Ticket) -> str:
    return CATEGORY_SKILLS.get(ticket.category.code, Technician.Skill.LOW_VOLTAGE)


def _customers_affected(incident: Incident) -> int:
    if incident.transformer_code:
        on_transformer = Customer.objects.filter(transformer_code=incident.transformer_code).count()
        return max(on_transformer, incident.report_count)
    return incident.report_count


@dataclass
class _Report:
    """An outage report to file, as the plain values grouping reads (no model instances)."""

    ticket_id: int
    unit_id: int
    lat: float | None
    lng: float | None
    address: str
    skill: str
    transformer: str
    feeder: str


@dataclass
class _Filed:
    """An incident a batch filed reports into: opened by the batch (``opened``) or joined."""

    incident: Incident
    opened: bool
    reports: list[_Report]
    recently_routed: bool = False  # an open incident nobody was free for moments ago (not searched again)


_REPORT_FIELDS = (
    "pk",
    "unit_id",
    "lat",
    "lng",
    "address",
    "category__code",
    "customer__transformer_code",
    "customer__feeder_code",
    "incident_report__incident_id",
)


def _report_of(row: tuple) -> _Report:
    pk, unit_id, lat, lng, address, code, transformer, feeder = row[:8]
    skill = CATEGORY_SKILLS.get(code, Technician.Skill.LOW_VOLTAGE)
    return _Report(pk, unit_id, lat, lng, address or "", skill, transformer or "", feeder or "")


_lock_unit_sql: str | None = None


def _lock_unit(unit_id: int) -> None:
    """Lock a ULP (FOR NO KEY UPDATE: its tickets can still be inserted) so that two reports of one outage
    filed at once by two workers do not open two incidents. Plain SQL built once per process (each routing
    batch takes it); a database without row locks (SQLite) locks the whole file on write instead."""
    global _lock_unit_sql
    if _lock_unit_sql is None:
        _lock_unit_sql = f"SELECT id FROM {ServiceUnit._meta.db_table} WHERE id = %s" + (
            " FOR NO KEY UPDATE" if connection.features.has_select_for_no_key_update else ""
        )
    with connection.cursor() as cursor:
        execute(cursor, _lock_unit_sql, [unit_id])
        cursor.fetchall()


@transaction.atomic
def attach_to_incident(*, ticket: Ticket) -> Incident:
    """Put an outage ticket into the open incident it belongs to, or open a new incident for it.

    1. Lock the ticket's ULP so that two reports of one outage arriving together do not open two incidents.
    2. Join the same transformer's open incident, else one with a report within INCIDENT_JOIN_RADIUS_M
       in the last INCIDENT_JOIN_HOURS, else open a new one.
    3. A report joining an incident whose crew is already on it follows the incident's status.
    """
    _lock_unit(ticket.unit_id)
    row = Ticket.objects.filter(pk=ticket.pk).values_list(*_REPORT_FIELDS).first()
    if row[-1] is not None:
        return Incident.objects.get(pk=row[-1])
    filed = _file_reports([_report_of(row)], timezone.now())
    _settle_filed(filed)
    return filed[0].incident


def attach_many(*, tickets: list[Ticket]) -> dict[int, list[int]]:
    """Attach a backlog of outage tickets (after a broker outage, a dead worker) to their incidents.

    The same rules as attach_to_incident, one transaction per ULP: the ULP is locked once and the reports are
    filed as a set (_file_reports). Returns ``{incident id: [ticket ids attached]}``; tickets attached already
    are left out.
    """
    by_unit: dict[int, list[int]] = {}
    for ticket in tickets:
        by_unit.setdefault(ticket.unit_id, []).append(ticket.pk)
    attached: dict[int, list[int]] = {}
    for unit_id in sorted(by_unit):
        with transaction.atomic():
            _lock_unit(unit_id)
            rows = _report_rows(by_unit[unit_id])
            filed = _file_reports([_report_of(row) for row in rows if row[-1] is None], timezone.now())
            _settle_filed(filed)
        attached.update({f.incident.pk: [r.ticket_id for r in f.reports] for f in filed})
    return attached


def _report_rows(ticket_ids: list[int], *, take_along: tuple[int, int, int] | None = None) -> list[tuple]:
    """The outage tickets among ``ticket_ids`` that still need a crew, oldest first, as plain values (the last
    one: the incident the ticket is in already, or None); ``take_along`` (ULP id, ticket id, n): with up to n
    other reports of the ULP handed to the worker and not attached yet (selectors.report_rows)."""
    return selectors.report_rows(ticket_ids, done=TICKET_DONE, take_along=take_along)


def _file_reports(reports: list[_Report], now: datetime) -> list[_Filed]:
    """File a batch of a ULP's reports (the ULP is locked by the caller) into incidents, as a set.

    Each report is grouped as if filed alone in order (attach_to_incident's rules, and a report joins an
    incident an earlier report of the batch opened), but the database is asked once per batch for the
    transformers' incidents and once per positioned report for the nearest reports around, and written with
    one insert of the reports, one insert per new incident and one update per incident joined. Returns the
    incidents filed into, in the order of their ids (new incidents last, in order of opening).
    """
    if not reports:
        return []
    since = now - timedelta(hours=settings.INCIDENT_JOIN_HOURS)
    radius = settings.INCIDENT_JOIN_RADIUS_M
    by_code = selectors.transformer_incidents({r.transformer for r in reports if r.transformer}, since=since)
    # What the batch has filed so far, as the database would show it to the next report's look-up.
    places: dict = {}  # incident key → its (lat, lng): an id, or ("new", n)
    filed: dict = {}  # incident key → (opened, [(report, distance)])
    new_by_code: dict[str, tuple] = {}
    batch_points: list[tuple] = []  # (incident key, lat, lng) of the reports filed so far
    for report in reports:
        key, distance = None, None
        code = report.transformer
        if code and (code in new_by_code or code in by_code):
            key = new_by_code.get(code)
            if key is None:
                key, i_lat, i_lng = by_code[code]
                places.setdefault(key, (i_lat, i_lng))
            i_lat, i_lng = places[key]
            if report.lat is not None and report.lng is not None and i_lat is not None and i_lng is not None:
                distance = distance_m((report.lat, report.lng), (i_lat, i_lng))
        elif report.lat is not None and report.lng is not None:
            key, distance = _nearest_incident(report, since, places, batch_points, radius)
        if key is None:
            key = ("new", len(filed))
            places[key] = (report.lat, report.lng)
            filed[key] = (True, [])
            if code:
                new_by_code[code] = key
            distance = 0.0
        filed.setdefault(key, (False, []))[1].append((report, distance))
        if report.lat is not None and report.lng is not None:
            batch_points.append((key, report.lat, report.lng))
    return _write_filed(filed, now)


def _nearest_incident(report: _Report, since: datetime, places: dict, batch_points: list, radius: float):
    """incident_to_join's second rule for one report of a batch: the database's nearest reports around, and
    those the batch filed before it, through the same filters and order; (incident key, distance) or (None,
    None)."""
    lat, lng = report.lat, report.lng
    min_lat, max_lat, min_lng, max_lng = selectors.bounding_box(lat, lng, radius)
    spread = selectors.bounding_box(lat, lng, settings.INCIDENT_SPREAD_M)
    points = []
    for incident_id, p_lat, p_lng, i_lat, i_lng in selectors.nearest_report_points(lat, lng, since=since):
        places.setdefault(incident_id, (i_lat, i_lng))
        points.append((selectors.report_distance_estimate(lat, lng, p_lat, p_lng), incident_id, p_lat, p_lng))
    for key, p_lat, p_lng in batch_points:
        i_lat, i_lng = places[key]
        if i_lat is None or i_lng is None or not (spread[0] <= i_lat <= spread[1] and spread[2] <= i_lng <= spread[3]):
            continue
        if min_lat <= p_lat <= max_lat and min_lng <= p_lng <= max_lng:
            points.append((selectors.report_distance_estimate(lat, lng, p_lat, p_lng), key, p_lat, p_lng))
    points.sort(key=lambda p: (p[0], _key_order(p[1])))
    best = None
    for _estimate, key, p_lat, p_lng in points[: selectors.JOIN_CANDIDATE_POINTS]:
        d = distance_m((lat, lng), (p_lat, p_lng))
        if d <= radius and (best is None or (d, _key_order(key)) < (best[0], _key_order(best[1]))):
            best = (d, key)
    return (best[1], best[0]) if best is not None else (None, None)


def _key_order(key) -> tuple:
    """Incidents in the database first by id, then those the batch opens, in order."""
    return (1, key[1]) if isinstance(key, tuple) else (0, key)


def _write_filed(filed: dict, now: datetime) -> list[_Filed]:
    """Write what _file_reports decided: the new incidents, every report in one insert, one update per incident
    joined (its counts; its place, address and skill through the model when they change, for the audit log)."""
    result: list[_Filed] = []
    new_keys = [key for key, (opened, _members) in filed.items() if opened]
    codes = {filed[key][1][0][0].transformer for key in new_keys} - {""}
    on_transformer = dict(
        Customer.objects.filter(transformer_code__in=sorted(codes))
        .values_list("transformer_code")
        .annotate(n=Count("id"))
        .order_by()
        if codes
        else []
    )
    incident_of: dict = {}
    for key in new_keys:
        members = [report for report, _distance in filed[key][1]]
        first = members[0]
        incident = Incident(
            unit_id=first.unit_id,
            lat=first.lat,
            lng=first.lng,
            transformer_code=first.transformer,
            feeder_code=first.feeder,
            address=first.address[:255],
            skill=first.skill,
            opened_at=now,
            last_report_at=now,
            report_count=len(members),
        )
        _absorb(incident, members)
        if _needs_medium_voltage(incident, members):
            incident.skill = Technician.Skill.MEDIUM_VOLTAGE
        incident.customers_affected = max(on_transformer.get(incident.transformer_code, 0), incident.report_count)
        incident.full_clean(exclude=["unit"], validate_unique=False)  # the unit is the reports' own
        incident.save()
        incident_of[key] = incident
    joined = sorted(key for key in filed if not isinstance(key, tuple))
    for incident_id in joined:
        incident, recently_routed = _count_joined(incident_id, [report for report, _d in filed[incident_id][1]], now)
        incident_of[incident_id] = incident
        result.append(_Filed(incident, False, [r for r, _d in filed[incident_id][1]], recently_routed))
    _insert_reports(
        [
            (incident_of[key].pk, report.ticket_id, distance, report.lat, report.lng)
            for key, (_opened, members) in filed.items()
            for report, distance in members
        ],
        now,
    )
    result += [_Filed(incident_of[key], True, [r for r, _d in filed[key][1]]) for key in new_keys]
    return result


# Rows per insert of reports: a batch is at most DISPATCH_ROUTE_BATCH; a sweeper's backlog may be more (SQLite
# takes at most 999 parameters a statement).
_REPORTS_PER_INSERT = 150


def _insert_reports(rows: list[tuple], now: datetime) -> None:
    """Insert the reports filed, (incident id, ticket id, distance, lat, lng) each, joined at ``now``: plain SQL
    (one statement for a batch), as bulk_create would write them, without its building of the statement."""
    table = IncidentReport._meta.db_table
    joined_at = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), _REPORTS_PER_INSERT):
            chunk = rows[start : start + _REPORTS_PER_INSERT]
            execute(
                cursor,
                f"INSERT INTO {table} (incident_id, ticket_id, joined_at, distance_m, lat, lng) VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s)"] * len(chunk)),
                [
                    value
                    for incident_id, ticket_id, d, lat, lng in chunk
                    for value in (incident_id, ticket_id, joined_at, d, lat, lng)
                ],
            )


def _absorb(incident: Incident, members: list[_Report]) -> bool:
    """A place and an address from the first member that has one, when the incident lacks them; True when
    the incident changed."""
    changed = False
    for report in members:
        if incident.lat is None and report.lat is not None:
            incident.lat, incident.lng, changed = report.lat, report.lng, True
        if not incident.address and report.address:
            incident.address, changed = report.address[:255], True
    return changed


def _needs_medium_voltage(incident: Incident, members: list[_Report]) -> bool:
    """A transformer report in an incident nobody holds yet needs a medium-voltage crew (the caller checks
    that nobody holds it)."""
    mv = Technician.Skill.MEDIUM_VOLTAGE
    return incident.skill != mv and any(r.skill == mv for r in members)


# The incident's columns an update of its counts returns: what the announcement and the next steps read.
# In the model's order of fields (Model.from_db reads them so).
_JOINED_FIELDS = tuple(
    f.attname
    for f in Incident._meta.concrete_fields
    if f.attname
    in {
        "id",
        "unit_id",
        "status",
        "lat",
        "lng",
        "address",
        "skill",
        "transformer_code",
        "report_count",
        "customers_affected",
    }
)


def _count_joined(incident_id: int, members: list[_Report], now: datetime) -> tuple[Incident, bool]:
    """Reports joined an incident: one update of its counts (which also locks it), returning what the next
    steps read; its place, address and skill are saved through the model only when they change. Returns the
    incident (other fields load on access) and whether it is open without a crew and was searched for one
    within DISPATCH_RETRY_SECONDS (nobody was free)."""
    table = Incident._meta.db_table
    bigger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    since = timezone.now() - timedelta(seconds=settings.DISPATCH_RETRY_SECONDS)
    # customers_affected is max(customers on the transformer, reports): the customers were counted when it
    # was opened (and are again when it is restored); each report may now raise it.
    sql = (
        f"UPDATE {table} SET report_count = report_count + %s, last_report_at = %s,"
        f" customers_affected = {bigger}(customers_affected, report_count + %s)"
        f" WHERE id = %s RETURNING {', '.join(_JOINED_FIELDS)},"
        " CASE WHEN last_routed_at > %s THEN 1 ELSE 0 END"
    )
    params = [
        len(members),
        connection.ops.adapt_datetimefield_value(now),
        len(members),
        incident_id,
        connection.ops.adapt_datetimefield_value(since),
    ]
    with connection.cursor() as cursor:
        execute(cursor, sql, params)
        row = cursor.fetchone()
    incident = Incident.from_db(connection.alias, list(_JOINED_FIELDS), row[:-1])
    changed = _absorb(incident, members)
    if _needs_medium_voltage(incident, members) and not selectors.live_assignments([incident.pk]):
        incident.skill, changed = Technician.Skill.MEDIUM_VOLTAGE, True
    if changed:  # rare: saved through the model, so the audit log records it
        incident.save(update_fields=["lat", "lng", "address", "skill"])
    return incident, bool(row[-1])


def _settle_filed(filed: list[_Filed]) -> tuple[dict[int, Assignment], list[_Filed]]:
    """After a batch was filed: reports that joined an incident with a crew are marked crewed and follow its
    status; reports that joined one nobody was free for moments ago wait with it; each incident is announced
    once ("opened" or "joined"). Returns the live offers or jobs ``{incident id: assignment}`` and the
    incidents still to be routed (new ones, and those not searched lately)."""
    live = selectors.live_assignments([f.incident.pk for f in filed if not f.opened])
    crewed, waiting, to_route = [], [], []
    for entry in filed:
        incident, members = entry.incident, [r.ticket_id for r in entry.reports]
        assignment = live.get(incident.pk)
        if assignment is not None:
            crewed += members
            target = INCIDENT_TO_TICKET.get(incident.status)
            if target is not None:
                data = _step_data(assignment, target)
                for ticket_id in members:
                    _walk_ticket(ticket_id=ticket_id, target=target, data=data)
        elif entry.recently_routed and incident.status == Incident.Status.OPEN:
            waiting += members
        else:
            to_route.append(entry)
    ticket_services.mark_dispatch_states(ticket_ids=crewed, state=Ticket.DispatchState.ASSIGNED)
    ticket_services.mark_dispatch_states(ticket_ids=waiting, state=Ticket.DispatchState.UNASSIGNABLE)
    for entry in filed:
        _announce(entry.incident, "opened" if entry.opened else "joined")
    return live, to_route


def _walk_ticket(*, ticket_id: int, target: str, data: dict | None = None, actor=None, message: str = "") -> None:
    """Move one outage ticket forward along TICKET_PATH to ``target``, one allowed step at a time."""
    ticket = Ticket.objects.select_related("unit").get(pk=ticket_id)
    if ticket.status in TICKET_DONE or ticket.status not in TICKET_PATH:
        return
    if target == S.RESTORED:
        steps = [S.RESTORED]
    else:
        here, there = TICKET_PATH.index(ticket.status), TICKET_PATH.index(target)
        steps = TICKET_PATH[here + 1 : there + 1]
    for status in steps:
        ticket = ticket_services.change_status(
            ticket=ticket,
            to_status=status,
            actor=actor,
            actor_label="dispatch" if actor is None else "",
            message=message if status == target else "",
            data=data or {},
        )


def _walk_members(incident: Incident, target: str, *, data: dict | None = None, actor=None, message: str = "") -> None:
    for ticket_id in selectors.member_tickets(incident).values_list("pk", flat=True):
        _walk_ticket(ticket_id=ticket_id, target=target, data=data, actor=actor, message=message)


def _mark_members(incident: Incident, state: str, *, only: list[int] | None = None) -> None:
    """Set the dispatch state of the incident's open member tickets; ``only``: of just these members (the
    reports that brought a routing here — a storm incident's thousands of others already carry it)."""
    if only is not None:
        ticket_services.mark_dispatch_states(ticket_ids=only, state=state)
        return
    ids = (
        selectors.member_tickets(incident)
        .exclude(dispatch_state=state)
        .exclude(status__in=TICKET_DONE)
        .values_list("pk", flat=True)
    )
    ticket_services.mark_dispatch_states(ticket_ids=list(ids), state=state)


def _step_data(assignment: Assignment | None, target: str) -> dict:
    data: dict = {}
    if assignment is not None:
        data["technician_first_name"] = (assignment.technician.user.first_name or "").split(" ")[0][:30]
        if target == S.ON_THE_WAY and assignment.distance_m:
            speed_m_per_min = settings.DISPATCH_TRAVEL_SPEED_KMH * 1000 / 60
            data["eta_minutes"] = max(1, round(assignment.distance_m / speed_m_per_min))
    incident = assignment.incident if assignment is not None else None
    if incident is not None and incident.estimated_restoration_at and target not in TICKET_DONE:
        data["estimated_restoration_at"] = incident.estimated_restoration_at.isoformat()
    return data


# --- routing ------------------------------------------------------------------------------------


def _offer(*, incident: Incident, technician: Technician, distance: float) -> Assignment:
    now = timezone.now()  # the moment of the offer: its clock starts here
    assignment = Assignment(
        incident=incident,
        technician=technician,
        state=Assignment.State.OFFERED,
        offered_at=now,
        expires_at=now + timedelta(seconds=settings.DISPATCH_OFFER_SECONDS),
        distance_m=round(distance, 1),
    )
    assignment.save()
    # The technician's row is locked by the caller; one statement books the seat.
    _sql(
        "book",
        lambda: f"UPDATE {Technician._meta.db_table} SET active_jobs = active_jobs + 1,"
        " state = CASE WHEN job_limit <= active_jobs + 1 THEN %s ELSE %s END WHERE id = %s",
        [Technician.State.BUSY, Technician.State.AVAILABLE, technician.pk],
    )
    assignment_id, eta = assignment.pk, assignment.expires_at
    transaction.on_commit(lambda: _schedule_expiry(assignment_id, eta))
    return assignment


def _schedule_expiry(assignment_id: int, eta: datetime) -> None:
    """Expire the offer on time; the sweeper catches it if this message is lost."""
    from . import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER:
        return  # in-process: run_sweepers expires offers
    try:
        tasks.expire_offer.apply_async(args=[assignment_id], eta=eta + timedelta(seconds=1))
    except Exception:
        logger.warning(
            "could not schedule expiry of offer %s; the sweeper will expire it", assignment_id, exc_info=True
        )


# Plain SQL of routing's hot statements, built once per process (the ORM's building of each cost more than it).
_SQL: dict[str, str] = {}
_READERS: dict[str, tuple] = {}


def _sql(name: str, build, params: list, *, fetch: bool = False) -> list[tuple] | None:
    sql = _SQL.get(name)
    if sql is None:
        sql = _SQL[name] = build()
    with connection.cursor() as cursor:
        execute(cursor, sql, params)
        return cursor.fetchall() if fetch else None


def _locked_incident(incident_id: int) -> Incident | None:
    """The incident with its ULP, its row locked (FOR UPDATE OF the incident alone)."""
    readers = _READERS.get("incident")
    if readers is None:
        readers = _READERS["incident"] = (RowReader(Incident, "i"), RowReader(ServiceUnit, "u"))
    incident, unit = readers
    lock = " FOR UPDATE OF i" if connection.features.has_select_for_update_of else ""
    rows = _sql(
        "incident",
        lambda: f"SELECT {incident.columns}, {unit.columns} FROM {Incident._meta.db_table} i"
        f" JOIN {ServiceUnit._meta.db_table} u ON u.id = i.unit_id WHERE i.id = %s{lock}",
        [incident_id],
        fetch=True,
    )
    if not rows:
        return None
    found = incident.instance(rows[0][: len(incident)])
    found.unit = unit.instance(rows[0][len(incident) :])
    return found


def _free_technician(technician_id: int) -> Technician | None:
    """The technician, locked, when on duty with room for a job; None when not, or when another worker holds
    their row (SKIP LOCKED: it is booking them; the caller tries the next one)."""
    reader = _READERS.get("technician")
    if reader is None:
        reader = _READERS["technician"] = (RowReader(Technician, "t"),)
    (technician,) = reader
    lock = " FOR UPDATE SKIP LOCKED" if connection.features.has_select_for_update_skip_locked else ""
    rows = _sql(
        "technician",
        lambda: f"SELECT {technician.columns} FROM {Technician._meta.db_table} t"
        f" WHERE t.id = %s AND t.on_duty AND t.active_jobs < t.job_limit{lock}",
        [technician_id],
        fetch=True,
    )
    return technician.instance(rows[0]) if rows else None


def route_incident(
    *, incident_id: int, new_members: list[int] | None = None, opened: bool = False
) -> Assignment | None:
    """Offer an open incident to the best available technician; idempotent.

    1. Lock the incident; if it already has a live assignment, return that one (``new_members``, the reports
       that just joined, are marked as crewed; without it every member is; ``opened``: the incident was opened
       for them, they are all its members).
    2. Rank candidates (distance + load penalty), skipping technicians who refused it lately.
    3. Lock the first free candidate with SELECT … FOR UPDATE SKIP LOCKED (another worker booking them
       skips to the next one), re-check the job limit under the lock and offer the job.
    4. Nobody free: the member tickets wait as "no technician available" for the sweeper.
    """
    with transaction.atomic():
        incident = _locked_incident(incident_id)
        if incident is None or not incident.is_open:
            return None
        now = timezone.now()
        live, exclude = selectors.live_and_refused(incident=incident, now=now)
        if live is not None:
            _mark_members(incident, Ticket.DispatchState.ASSIGNED, only=new_members)
            return live
        if incident.status != Incident.Status.OPEN:
            return None
        if not new_members and selectors.open_member_count(incident) == 0:
            # Every report is restored, closed or cancelled: no crew is needed. (Reports that just joined,
            # ``new_members``, are open: routing skips finished tickets.)
            return None
        ranked = selectors.ranked_candidates_for(incident=incident, exclude_ids=exclude)
        _sql("routed", lambda: f"UPDATE {Incident._meta.db_table} SET last_routed_at = %s,"
             " route_attempts = route_attempts + 1 WHERE id = %s",
             [connection.ops.adapt_datetimefield_value(now), incident.pk])  # fmt: skip
        incident.last_routed_at, incident.route_attempts = now, incident.route_attempts + 1
        for candidate in ranked[: settings.DISPATCH_MAX_CANDIDATES]:
            locked = _free_technician(candidate.technician.pk)
            if locked is None:
                continue
            assignment = _offer(incident=incident, technician=locked, distance=candidate.distance_m)
            if incident.unassignable_since is not None:
                Incident.objects.filter(pk=incident.pk).update(unassignable_since=None)
            _mark_members(incident, Ticket.DispatchState.ASSIGNED, only=new_members if opened else None)
            return assignment
        _mark_members(incident, Ticket.DispatchState.UNASSIGNABLE, only=new_members if opened else None)
        _nobody_to_offer(incident, now=now)
        return None


def _nobody_to_offer(incident: Incident, *, now: datetime) -> None:
    """No technician could be offered the job: say so at once, the first time — the board shows the incident
    as "nobody to offer" (unassignable_since), and its oldest open report is escalated to the ULP supervisor
    (an escalation row on the service-level clock, and a mail), not left to wait for the clock's deadline."""
    if Incident.objects.filter(pk=incident.pk, unassignable_since__isnull=True).update(unassignable_since=now) == 0:
        return
    incident.unassignable_since = now
    oldest = selectors.member_tickets(incident).exclude(status__in=TICKET_DONE).values_list("pk", flat=True).first()
    if oldest is not None:
        sla_services.escalate_now(ticket_id=oldest, now=now)
    _announce(incident, "unassignable")


def route_ticket(*, ticket_id: int) -> Assignment | None:
    """Route one outage ticket: attach it to its incident, then make sure the incident has a crew.

    In a storm, the ULP's other reports already handed to the worker (ENQUEUED, not attached yet) are
    attached in the same go, up to DISPATCH_ROUTE_BATCH: the ULP is locked once for all of them, and their
    own tasks then find them attached and only check their incident's crew. Returns the incident's live offer
    or job (None when nobody is free).
    """
    # One read of plain values first: in a storm most tasks find their report attached by another's batch,
    # and its incident crewed (the live assignment's id comes along).
    row = selectors.routing_state(ticket_id)
    if row is None:
        return None
    status, dispatch_state, unit_id, dispatches, incident_id, live_id = row
    if not dispatches or status in TICKET_DONE:
        return None
    if incident_id is not None:  # attached already: along with another report, or a retry
        if dispatch_state == Ticket.DispatchState.ASSIGNED and live_id is not None:
            # and its crew found: nothing left to do, no lock taken (the assignment's other fields load on use)
            return Assignment.from_db(connection.alias, ["id", "incident_id"], [live_id, incident_id])
        return _route_incidents({incident_id: [ticket_id]})[incident_id]
    offers, incident_of = _route_batch(
        [ticket_id], unit_id=unit_id, take_along=(unit_id, ticket_id, settings.DISPATCH_ROUTE_BATCH - 1)
    )
    return offers.get(incident_of.get(ticket_id))


def route_tickets(*, ticket_ids: list[int]) -> dict:
    """Route a backlog of outage tickets (the sweeper's batches): attach them all, then route each incident
    they are in once — a storm's hundred reports of one outage cost one routing, not a hundred."""
    offers, _incident_of = _route_batch(ticket_ids)
    return {"incidents": len(offers), "crewed": sum(1 for offer in offers.values() if offer is not None)}


def _route_batch(
    ticket_ids: list[int], *, unit_id: int | None = None, take_along: tuple[int, int, int] | None = None
) -> tuple[dict[int, Assignment | None], dict[int, int]]:
    """Attach the tickets and make sure every incident they are in has a crew, as set work.

    Per ULP, one transaction: the ULP is locked, the reports are filed (_file_reports) and settled
    (_settle_filed: a report joining a crewed incident costs its share of one insert and one update; joining
    an incident nobody was free for moments ago, the same and it waits with it). Only the new incidents, and
    those not searched lately, are then routed — a candidate search each. ``unit_id``: every ticket is of
    this ULP (the ULP is locked before the tickets are read: one read, not two); ``take_along`` (the same ULP's
    id, a ticket id, n): the batch also takes up to n other reports of the ULP handed over to the worker and not
    attached yet, read with the tickets under the lock. Returns ``{incident id: live offer or None}`` and
    ``{ticket id: incident id}``.
    """
    if unit_id is not None:
        by_unit: dict[int, list] = {unit_id: ticket_ids}
    else:
        by_unit = {}
        for row in _report_rows(ticket_ids):
            by_unit.setdefault(row[1], []).append(row[0])
    offers: dict[int, Assignment | None] = {}
    incident_of: dict[int, int] = {}
    to_route: dict[int, tuple[list[int], bool]] = {}
    cut_off: dict[int, list[int]] = {}
    for unit in sorted(by_unit):
        with transaction.atomic():
            _lock_unit(unit)
            rows = _report_rows(by_unit[unit], take_along=take_along if unit == unit_id else None)
            for row in rows:
                if row[-1] is not None:  # attached earlier, its routing cut off (a worker killed in between)
                    cut_off.setdefault(row[-1], []).append(row[0])
                    incident_of[row[0]] = row[-1]
            filed = _file_reports([_report_of(row) for row in rows if row[-1] is None], timezone.now())
            live, routing = _settle_filed(filed)
        for entry in filed:
            incident_of.update({r.ticket_id: entry.incident.pk for r in entry.reports})
            offers[entry.incident.pk] = live.get(entry.incident.pk)
        for entry in routing:
            to_route[entry.incident.pk] = ([r.ticket_id for r in entry.reports], entry.opened)
    for incident_id in sorted(to_route):  # one order of incident locks for every worker
        members, opened = to_route[incident_id]
        offers[incident_id] = route_incident(incident_id=incident_id, new_members=members, opened=opened)
    if cut_off:
        offers.update(_route_incidents(cut_off))
    return offers, incident_of


def _route_incidents(members: dict[int, list[int]]) -> dict[int, Assignment | None]:
    """Route incidents that new reports joined; ``members``: incident id → those reports' tickets.
    Returns ``{incident id: live offer or None}``.

    An incident for which nobody was free moments ago is not searched again for each report or batch that
    joins it (in a storm most incidents wait, and each search costs a dozen statements): its new reports wait
    with it, and the sweeper searches again after DISPATCH_RETRY_SECONDS. Only the new reports' dispatch
    state is set while the incident's own does not change: setting every member's again read all of a storm
    incident's thousands of tickets for each report that joined it.
    """
    since = timezone.now() - timedelta(seconds=settings.DISPATCH_RETRY_SECONDS)
    waiting = set(
        Incident.objects.filter(pk__in=list(members), status=Incident.Status.OPEN, last_routed_at__gt=since)
        .exclude(assignments__state__in=Assignment.LIVE_STATES)
        .values_list("pk", flat=True)
    )
    offers: dict[int, Assignment | None] = {}
    for incident_id in sorted(members):  # one order of incident locks for every worker
        if incident_id in waiting:
            _mark_members(Incident(pk=incident_id), Ticket.DispatchState.UNASSIGNABLE, only=members[incident_id])
            offers[incident_id] = None
        else:
            offers[incident_id] = route_incident(incident_id=incident_id, new_members=members[incident_id])
    return offers


@transaction.atomic
def expire_due_offers(*, now: datetime | None = None, rounds: int = 10) -> int:
    """Expire the offers past their time, 500 at a time, each incident offered to its next candidate at once;
    looks again (up to ``rounds`` times, ``now`` moving on unless given) until none is due. Returns how many it
    expired."""
    expired = 0
    for _round in range(rounds):
        due = list(selectors.offers_due_to_expire(now).values_list("pk", flat=True)[:500])
        for assignment_id in due:
            incident_id = expire_offer(assignment_id=assignment_id, now=now)
            if incident_id is not None:
                expired += 1
                route_incident(incident_id=incident_id)
        if not due or (now is not None and len(due) < 500):
            break
    return expired


def expire_offer(*, assignment_id: int, now: datetime | None = None) -> int | None:
    """Expire one offer past its time; returns its incident id (to route again) or None if nothing changed."""
    now = now or timezone.now()
    row = Assignment.objects.filter(pk=assignment_id).values_list("incident_id", flat=True).first()
    if row is None:
        return None
    Incident.objects.select_for_update().filter(pk=row).first()
    assignment = Assignment.objects.select_for_update().filter(pk=assignment_id).first()
    if assignment.state != Assignment.State.OFFERED or assignment.expires_at is None or assignment.expires_at > now:
        return None
    assignment.state = Assignment.State.EXPIRED
    assignment.finished_at = now
    assignment.save(update_fields=["state", "finished_at"])
    _refresh_load(assignment.technician_id)
    return assignment.incident_id


# --- job steps ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StepRule:
    """One step of an outage job: the states it may be taken from, the state it leads to (None: unchanged), the
    time it stamps on the assignment, and the incident status it sets (with the change it announces)."""

    from_states: frozenset
    to_state: str | None = None
    stamp: str | None = None
    incident_status: str | None = None
    change: str = "status"


_A, _I = Assignment.State, Incident.Status
STEPS = {
    JobStep.Step.ACCEPT: StepRule(frozenset({_A.OFFERED}), _A.ACCEPTED, "accepted_at", _I.ASSIGNED, "assigned"),
    JobStep.Step.DECLINE: StepRule(frozenset({_A.OFFERED}), _A.DECLINED, "finished_at"),
    JobStep.Step.DEPART: StepRule(frozenset({_A.ACCEPTED}), _A.EN_ROUTE, "departed_at", _I.ON_THE_WAY),
    JobStep.Step.ARRIVE: StepRule(frozenset({_A.EN_ROUTE}), _A.ON_SITE, "arrived_at", _I.IN_PROGRESS),
    JobStep.Step.RESTORE_PARTLY: StepRule(
        frozenset({_A.ON_SITE}), incident_status=_I.PARTLY_RESTORED, change="partly_restored"
    ),
    JobStep.Step.RESTORE: StepRule(frozenset({_A.ON_SITE}), _A.RESTORED, "finished_at"),
}
STEP_FROM = {step: rule.from_states for step, rule in STEPS.items()}


def take_step(
    *,
    assignment: Assignment,
    technician: Technician,
    step: str,
    client_id: uuid.UUID | str,
    at: datetime | None = None,
    lat: float | None = None,
    lng: float | None = None,
    cause: str = "",
    notes: str = "",
    photo=None,
) -> Assignment:
    """One step of a job from the technician's phone: accept, decline, depart, arrive, restore(_partly).

    The same ``client_id`` again (a queued step resent) returns the assignment and changes nothing. A
    step out of order, on an expired offer or on somebody else's job is refused and changes nothing.
    """
    client_uuid = _check_step_input(step=step, client_id=client_id, lat=lat, lng=lng, cause=cause)
    rule = STEPS[step]
    now = timezone.now()
    when = min(at or now, now)
    with transaction.atomic():
        Incident.objects.select_for_update().filter(pk=assignment.incident_id).first()
        locked = (
            Assignment.objects.select_for_update().select_related("incident", "technician__user").get(pk=assignment.pk)
        )
        if _already_taken(locked, technician=technician, step=step, client_uuid=client_uuid, now=now):
            return locked
        JobStep.objects.create(assignment=locked, client_id=client_uuid, step=step, at=when, lat=lat, lng=lng)
        incident = locked.incident
        if rule.to_state is not None:
            locked.state = rule.to_state
        if rule.stamp is not None:
            setattr(locked, rule.stamp, when)
        if step == JobStep.Step.DECLINE:
            locked.reason = (notes or "")[:255]
        elif step == JobStep.Step.DEPART and lat is not None:
            locked.distance_m = round(distance_m((lat, lng), selectors.incident_point(incident)), 1)
        elif step in (JobStep.Step.RESTORE_PARTLY, JobStep.Step.RESTORE):
            locked.cause = cause or locked.cause
            locked.notes = notes or locked.notes
        if rule.incident_status is not None:
            _set_incident_status(incident, rule.incident_status, locked, change=rule.change)
        if photo:
            locked.photo = photo
        locked.save()
        _after_step(locked, incident, technician=technician, step=step, cause=cause, notes=notes, when=when)
        if lat is not None:
            record_position(technician=technician, lat=lat, lng=lng, at=when)
    return locked


def _check_step_input(*, step: str, client_id, lat, lng, cause: str) -> uuid.UUID:
    """The step's own input, before anything is read: a known step, a UUID, a place on Earth, a known cause."""
    if step not in STEPS:
        raise ApplicationError(_("Unknown step."), extra={"fields": {"step": [_("Unknown step.")]}})
    try:
        client_uuid = uuid.UUID(str(client_id))
    except ValueError as exc:
        raise ApplicationError(
            _("client_id must be a UUID."), extra={"fields": {"client_id": [_("client_id must be a UUID.")]}}
        ) from exc
    if (lat is None) != (lng is None) or (lat is not None and not valid_coordinates(lat, lng)):
        raise ApplicationError(
            _("These coordinates are not a place on Earth."),
            extra={"fields": {"lat": [_("Give a valid latitude and longitude together.")]}},
        )
    if step == JobStep.Step.RESTORE and cause not in Assignment.Cause.values:
        raise ApplicationError(
            _("Choose the cause of the outage."), extra={"fields": {"cause": [_("Choose the cause of the outage.")]}}
        )
    if cause and cause not in Assignment.Cause.values:
        raise ApplicationError(_("Unknown cause."), extra={"fields": {"cause": [_("Unknown cause.")]}})
    return client_uuid


def _already_taken(locked: Assignment, *, technician: Technician, step: str, client_uuid, now) -> bool:
    """True when this very step was taken already (a resend); raises when the step may not be taken now."""
    if locked.technician_id != technician.pk:
        raise ApplicationError(_("This job belongs to another technician."), status_code=403)
    done = JobStep.objects.filter(client_id=client_uuid).first()
    if done is not None:
        if done.assignment_id != locked.pk or done.step != step:
            raise ConflictError(_("This step id was already used for another step."))
        return True
    if locked.state not in STEPS[step].from_states:
        raise ConflictError(
            _("This step cannot be taken now: the job is %(state)s.") % {"state": locked.get_state_display()},
            extra={"state": locked.state},
        )
    if step == JobStep.Step.ACCEPT and locked.expires_at is not None and locked.expires_at <= now:
        raise ConflictError(_("This offer has expired."), extra={"state": "expired"})
    if step == JobStep.Step.RESTORE_PARTLY and locked.incident.status == Incident.Status.PARTLY_RESTORED:
        raise ConflictError(_("The incident is already marked partly restored."), extra={"state": locked.state})
    return False


def _after_step(locked: Assignment, incident: Incident, *, technician, step: str, cause, notes, when) -> None:
    """What a finished or declined job sets off: the incident restored, the technician's load, a new offer."""
    if step == JobStep.Step.RESTORE:
        restore_incident(incident=incident, by=technician.user, cause=cause, notes=notes, at=when)
    if step in (JobStep.Step.DECLINE, JobStep.Step.RESTORE):
        _refresh_load(technician.pk)
    if step == JobStep.Step.DECLINE:
        incident_id = incident.pk
        transaction.on_commit(lambda: _enqueue_route_incident(incident_id))


def _set_incident_status(incident: Incident, status: str, assignment: Assignment, *, change: str = "status") -> None:
    incident.status = status
    incident.save(update_fields=["status"])
    target = INCIDENT_TO_TICKET[status]
    _walk_members(incident, target, data=_step_data(assignment, target))
    _announce(incident, change)


def _enqueue_route_incident(incident_id: int) -> None:
    from . import tasks

    try:
        tasks.route_incident.delay(incident_id)
    except Exception:  # the sweeper routes incidents left without a crew
        logger.warning("could not enqueue routing of incident %s; the sweeper will retry", incident_id, exc_info=True)


# --- dispatcher actions -------------------------------------------------------------------------


@transaction.atomic
def manual_assign(*, incident: Incident, technician: Technician, reason: str, by) -> Assignment:
    """A dispatcher gives the incident to a technician by hand (accepted at once), withdrawing any live offer
    or job; the reason goes on every member ticket's timeline."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(_("Give a reason."), extra={"fields": {"reason": [_("Give a reason.")]}})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise ConflictError(_("This incident is closed."))
    if incident.status in (Incident.Status.IN_PROGRESS, Incident.Status.PARTLY_RESTORED):
        raise ConflictError(_("The crew is already working on site; restore the incident first."))
    now = timezone.now()
    current = selectors.live_assignment(incident)
    if current is not None:
        if current.technician_id == technician.pk and current.state != Assignment.State.OFFERED:
            raise ConflictError(_("This technician already has this job."))
        # Saved, not updated in bulk: the withdrawal and its reason go to the audit log with who gave it.
        current.state, current.finished_at, current.reason = Assignment.State.WITHDRAWN, now, reason[:255]
        current.save(update_fields=["state", "finished_at", "reason"])
        _refresh_load(current.technician_id)
    if incident.status == Incident.Status.ON_THE_WAY:
        # The new crew has not left yet: the customers see the job go back to "crew assigned".
        for ticket_id in selectors.member_tickets(incident).filter(status=S.ON_THE_WAY).values_list("pk", flat=True):
            ticket_services.change_status(ticket=Ticket.objects.get(pk=ticket_id), to_status=S.RECEIVED, actor=by)
    assignment = Assignment(
        incident=incident,
        technician=technician,
        state=Assignment.State.ACCEPTED,
        offered_at=now,
        accepted_at=now,
        manual=True,
        reason=reason[:255],
        assigned_by=by,
        distance_m=(
            round(distance_m((technician.last_lat, technician.last_lng), selectors.incident_point(incident)), 1)
            if technician.last_lat is not None
            else None
        ),
    )
    assignment.save()
    _refresh_load(technician.pk)
    incident.status = Incident.Status.ASSIGNED
    incident.unassignable_since = None
    incident.save(update_fields=["status", "unassignable_since"])
    for ticket in selectors.member_tickets(incident).exclude(status__in=TICKET_DONE):
        ticket_services.add_note(
            ticket=ticket,
            author=by,
            message=_("Assigned by hand to %(name)s: %(reason)s") % {"name": technician.name, "reason": reason},
        )
    _walk_members(incident, S.ASSIGNED, data=_step_data(assignment, S.ASSIGNED), actor=by)
    _mark_members(incident, Ticket.DispatchState.ASSIGNED)
    _announce(incident, "assigned")
    return assignment


@transaction.atomic
def set_estimate(*, incident: Incident, estimated_restoration_at: datetime, by) -> Incident:
    """Record the estimated restoration time and tell every member ticket's customer: a public update on the
    tracking page and a message through the notification outbox (once per ticket and estimate)."""
    if estimated_restoration_at is None or estimated_restoration_at <= timezone.now() - timedelta(minutes=5):
        raise ApplicationError(
            _("The estimated restoration must be in the future."),
            extra={"fields": {"estimated_restoration_at": [_("The estimated restoration must be in the future.")]}},
        )
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not incident.is_open:
        raise ConflictError(_("This incident is closed."))
    incident.estimated_restoration_at = estimated_restoration_at
    incident.save(update_fields=["estimated_restoration_at"])
    zone_time = timezone.localtime(estimated_restoration_at, timezone=_zone(incident.unit))
    shown = f"{zone_time:%d-%m-%Y %H:%M} {incident.unit.zone_label}"
    for ticket in selectors.member_tickets(incident).exclude(status__in=TICKET_DONE):
        ticket_services.add_note(
            ticket=ticket,
            author=by,
            public=True,
            message=_("Estimated restoration: %(time)s %(zone)s.")
            % {"time": zone_time.strftime("%d-%m-%Y %H:%M"), "zone": incident.unit.zone_label},
        )
        notification_services.notify_contact(
            kind=messages.ESTIMATE,
            dedupe_key=f"estimate:{ticket.pk}:{estimated_restoration_at.isoformat()}",
            phone=ticket.reporter_phone,
            email=ticket.reporter_email,
            ticket=ticket,
            payload={"number": ticket.number, "time": shown, "url": tracking_url(ticket)},
        )
    _announce(incident, "estimate")
    return incident


def _zone(unit: ServiceUnit):
    from zoneinfo import ZoneInfo

    return ZoneInfo(unit.time_zone or settings.TIME_ZONE)


def _in_each_language(text) -> dict[str, str]:
    """A translatable text in every language of the site, e.g. {"id": "Pohon …", "en": "Tree …"}."""
    labels = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            labels[code] = str(text)
    return labels


@transaction.atomic
def restore_incident(
    *, incident: Incident, by, cause: str = "", notes: str = "", at: datetime | None = None
) -> Incident:
    """Power is back: restore the incident, finish its live job, and restore every member ticket
    (each through tickets.services.change_status, so each customer is told)."""
    if cause and cause not in Assignment.Cause.values:
        raise ApplicationError(_("Unknown cause."), extra={"fields": {"cause": [_("Unknown cause.")]}})
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == Incident.Status.RESTORED:
        return incident
    if not incident.is_open:
        raise ConflictError(_("This incident is closed."))
    when = at or timezone.now()
    live = selectors.live_assignment(incident)
    if live is not None and live.state != Assignment.State.RESTORED:
        state = Assignment.State.RESTORED if live.state != Assignment.State.OFFERED else Assignment.State.WITHDRAWN
        Assignment.objects.filter(pk=live.pk).update(state=state, finished_at=when, cause=cause or live.cause)
        _refresh_load(live.technician_id)
    incident.status = Incident.Status.RESTORED
    incident.restored_at = when
    incident.cause = cause or incident.cause
    incident.customers_affected = _customers_affected(incident)
    incident.save(update_fields=["status", "restored_at", "cause", "customers_affected"])
    # The timeline is read later in each reader's language: keep the cause's key and its label in every language.
    data = {"cause": cause, "cause_labels": _in_each_language(Assignment.Cause(cause).label)} if cause else {}
    if live is not None:
        data["technician_first_name"] = (live.technician.user.first_name or "").split(" ")[0][:30]
    _walk_members(incident, S.RESTORED, data=data, actor=by if by is not None else None)
    _announce(incident, "restored")
    return incident


# --- sweeper ------------------------------------------------------------------------------------


def sweep_dispatch(*, now: datetime | None = None, fan_out: bool = False) -> dict:
    """Recover what a lost message or a dead worker left behind; run by beat (or run_sweepers).

    1. Expire offers past their time and route their incidents to the next candidate.
    2. Route again incidents still without a crew (nobody was free last time).
    3. Route outage tickets that were never attached to an incident.
    Each step is idempotent, so two sweepers at once do no harm.

    Step 3 routes waiting tickets in batches of DISPATCH_ROUTE_BATCH (route_tickets: one lock of the ULP,
    one update and one routing per incident, not per ticket). ``fan_out`` (the beat task) publishes each
    batch as a task instead of routing it here, so after a broker outage the backlog is shared by the worker
    processes and the sweep itself stays short (drills/redis_outage.py measured a serial, ticket-by-ticket
    sweep holding a process for minutes while the notifications waited behind it).
    """
    now = now or timezone.now()
    counts = {"expired": expire_due_offers(now=now, rounds=1), "incidents": 0, "tickets": 0}
    for incident_id in selectors.incidents_waiting_for_crew(now):
        counts["incidents"] += 1
        route_incident(incident_id=incident_id)
    batch = settings.DISPATCH_ROUTE_BATCH
    for _round in range(10 if fan_out else 1):  # published tickets leave the selection: take the next 500
        waiting = selectors.tickets_waiting_to_route(now)
        counts["tickets"] += len(waiting)
        for start in range(0, len(waiting), batch):
            chunk = waiting[start : start + batch]
            if fan_out and _publish_routing(chunk, now):
                continue
            route_tickets(ticket_ids=chunk)
        if len(waiting) < 500:
            break
    counts["field_jobs"] = offer_waiting_field_jobs()
    return counts


def _publish_routing(ticket_ids: list[int], now: datetime) -> bool:
    """Hand a batch of waiting tickets to one routing task; not due again for DISPATCH_STUCK_SECONDS if the
    message is lost. False when the broker is down (the caller routes them here)."""
    from core import circuit

    from . import tasks

    ticket_services.mark_dispatch_requested(ticket_ids=ticket_ids, at=now)
    return circuit.publish(tasks.route_tickets, ticket_ids)


def lock_incident(*, incident_id: int) -> Incident:
    """The incident, locked for the rest of the caller's transaction (another app's step on it, such as a staged
    restoration, waits for dispatch's own steps and they for it)."""
    return Incident.objects.select_for_update().get(pk=incident_id)


def mark_partly_restored(*, incident: Incident) -> None:
    """Some of an open incident's customers have power again (outages' staged restoration): record it and
    announce it. The caller holds the incident's lock (``lock_incident``)."""
    if incident.status != Incident.Status.PARTLY_RESTORED:
        Incident.objects.filter(pk=incident.pk).update(status=Incident.Status.PARTLY_RESTORED)
        incident.status = Incident.Status.PARTLY_RESTORED
    _announce(incident, "partly_restored")


# --- scheduled field jobs (survey, installation, meter check) ------------------------------------
#
# Ordered by other apps for their tickets (connections, billing) through ``order_field_job``; offered to a
# technician of the ticket's ULP with the skill, worked on the phone, closed with a typed result, and announced
# with ``signals.field_job_finished``. Locks: the job row, then the technician's (never an incident's).

FJ = FieldJob.Status
FIELD_JOB_SKILLS = {
    FieldJob.Kind.SURVEY: Technician.Skill.LOW_VOLTAGE,
    FieldJob.Kind.INSTALLATION: Technician.Skill.METER,
    FieldJob.Kind.METER_CHECK: Technician.Skill.METER,
}
FIELD_STEP_FROM = {
    "accept": {FJ.OFFERED, FJ.ASSIGNED},
    "decline": {FJ.OFFERED, FJ.ASSIGNED},
    "depart": {FJ.ACCEPTED},
    "arrive": {FJ.ON_THE_WAY},
    "finish": {FJ.ON_SITE},
    "fail": {FJ.ACCEPTED, FJ.ON_THE_WAY, FJ.ON_SITE},
}
FIELD_STEPS = tuple(FIELD_STEP_FROM)


def _field_error(field: str, message: str) -> ApplicationError:
    return ApplicationError(message, extra={"fields": {field: [message]}})


def _window_label(job: FieldJob) -> str:
    zone = _zone(job.unit)
    start = timezone.localtime(job.window_start, timezone=zone)
    end = timezone.localtime(job.window_end, timezone=zone)
    return f"{start:%d-%m-%Y %H:%M}–{end:%H:%M} {job.unit.zone_label}"


def order_field_job(
    *,
    kind: str,
    ticket: Ticket,
    window_start: datetime,
    window_end: datetime,
    notes: str = "",
    ordered_by=None,
) -> FieldJob:
    """Order a scheduled visit for ``ticket`` at its place, within the appointment window agreed with the
    customer. The job is offered (after commit) to the best on-duty technician of the ticket's ULP with the
    skill; nobody free: it stays scheduled and the sweeper offers it again. The customer sees the appointment
    on the ticket's timeline."""
    if kind not in FieldJob.Kind.values:
        raise _field_error("kind", _("Unknown kind of field job."))
    if window_start is None or window_end is None or window_end <= window_start:
        raise _field_error("window_end", _("The appointment must end after it starts."))
    if window_end <= timezone.now():
        raise _field_error("window_end", _("The appointment must be in the future."))
    if window_end - window_start > timedelta(hours=12):
        raise _field_error("window_end", _("An appointment window is at most 12 hours long."))
    with transaction.atomic():
        ticket = Ticket.objects.select_related("unit").get(pk=ticket.pk)
        if FieldJob.objects.filter(ticket=ticket, kind=kind, status__in=FieldJob.OPEN_STATUSES).exists():
            raise ConflictError(_("This ticket already has an open field job of this kind."))
        job = FieldJob(
            kind=kind,
            ticket=ticket,
            unit=ticket.unit,
            lat=ticket.lat,
            lng=ticket.lng,
            address=ticket.address[:255],
            window_start=window_start,
            window_end=window_end,
            skill=FIELD_JOB_SKILLS[kind],
            notes=(notes or "").strip()[:2000],
            ordered_by=ordered_by,
        )
        job.save()
        from django.utils import translation

        with translation.override(ticket.language or settings.LANGUAGE_CODE):  # the customer reads it
            text = _("%(kind)s visit scheduled: %(window)s.") % {
                "kind": job.get_kind_display(),
                "window": _window_label(job),
            }
        ticket_services.add_note(ticket=ticket, author=ordered_by, public=True, message=text)
        job_id = job.pk
        transaction.on_commit(lambda: offer_field_job(job_id=job_id))
    return job


def offer_field_job(*, job_id: int) -> FieldJob | None:
    """Offer a scheduled job to the best technician: on duty, of the job's ULP, with the skill, not one who
    declined it; fewest field jobs that day first, then nearest. Idempotent; None when nobody fits."""
    with transaction.atomic():
        job = FieldJob.objects.select_for_update(of=("self",)).select_related("unit").filter(pk=job_id).first()
        if job is None or job.status != FJ.SCHEDULED:
            return job
        for technician in selectors.field_job_candidates(job):
            locked = (
                Technician.objects.select_for_update(skip_locked=True).filter(pk=technician.pk, on_duty=True).first()
            )
            if locked is None:
                continue
            job.technician = locked
            job.status = FJ.OFFERED
            job.offered_at = timezone.now()
            job.save(update_fields=["technician", "status", "offered_at"])
            return job
        return None


def offer_waiting_field_jobs(*, limit: int = 200) -> int:
    """The sweeper's part: offer again the jobs still without a technician (nobody was on duty)."""
    offered = 0
    for job_id in selectors.field_jobs_waiting(limit=limit):
        job = offer_field_job(job_id=job_id)
        offered += bool(job is not None and job.status == FJ.OFFERED)
    return offered


@transaction.atomic
def assign_field_job(*, job: FieldJob, technician: Technician, by, reason: str = "") -> FieldJob:
    """A dispatcher gives the job to a technician by hand; the technician still accepts it on the phone."""
    job = FieldJob.objects.select_for_update().get(pk=job.pk)
    if not job.is_open or job.status in (FJ.ON_THE_WAY, FJ.ON_SITE):
        raise ConflictError(_("This job can no longer be given to another technician."))
    if job.skill not in (technician.skills or []):
        raise _field_error("technician", _("This technician does not have the skill this job needs."))
    if technician.unit_id != job.unit_id:
        raise _field_error("technician", _("This technician works for another ULP."))
    job.technician = technician
    job.status = FJ.ASSIGNED
    job.offered_at = timezone.now()
    job.accepted_at = None
    job.reason = (reason or "").strip()[:255]
    job.save(update_fields=["technician", "status", "offered_at", "accepted_at", "reason"])
    return job


@transaction.atomic
def cancel_field_job(*, job: FieldJob, by=None, reason: str = "") -> FieldJob:
    """Call a visit off (the ordering app's application was cancelled, the customer asked)."""
    job = FieldJob.objects.select_for_update().get(pk=job.pk)
    if not job.is_open:
        raise ConflictError(_("This job is already closed."))
    job.status = FJ.CANCELLED
    job.finished_at = timezone.now()
    job.reason = (reason or "").strip()[:255]
    job.save(update_fields=["status", "finished_at", "reason"])
    return job


def _check_result(job: FieldJob, result: dict) -> dict:
    """Validate the technician's result for the job's kind; returns the fields to store."""
    from decimal import Decimal, InvalidOperation

    from django.core.exceptions import ValidationError as DjangoValidationError

    from core.uploads import validate_photo

    errors: dict[str, list[str]] = {}
    values: dict = {"result_notes": str(result.get("notes") or "").strip()[:2000]}
    photos = [result.get("photo"), result.get("photo_2")]
    for field, upload in zip(("photo", "photo_2"), photos, strict=True):
        if upload:
            try:
                validate_photo(upload)
            except DjangoValidationError as exc:
                errors[field] = list(exc.messages)
            else:
                values[field] = upload
    if job.kind == FieldJob.Kind.SURVEY:
        outcome = result.get("outcome") or ""
        if outcome not in FieldJob.SurveyOutcome.values:
            errors["outcome"] = [_("Choose the outcome of the survey.")]
        values["survey_outcome"] = outcome
        return _raise_or(values, errors)
    reading = result.get("reading_kwh")
    try:
        values["reading_kwh"] = Decimal(str(reading).replace(",", ".")).quantize(Decimal("0.1"))
        if values["reading_kwh"] < 0 or values["reading_kwh"] >= Decimal("100000000000"):
            raise InvalidOperation
    except (InvalidOperation, ValueError, TypeError):
        errors["reading_kwh"] = [_("Enter the meter reading in kWh (a number, 0 or more).")]
    if not photos[0] and "photo" not in errors:
        errors["photo"] = [_("Take a photo of the meter register.")]
    if job.kind == FieldJob.Kind.INSTALLATION:
        meter = str(result.get("meter_number") or "").strip()
        if not (len(meter) == 11 and meter.isdigit()):
            errors["meter_number"] = [_("A meter number must be exactly 11 digits.")]
        seals = str(result.get("seal_numbers") or "").strip()
        if not seals:
            errors["seal_numbers"] = [_("Enter the seal numbers.")]
        values.update(meter_number=meter, seal_numbers=seals[:120])
    return _raise_or(values, errors)


def _raise_or(values: dict, errors: dict) -> dict:
    if errors:
        raise ApplicationError(_("Some fields are not valid."), extra={"fields": errors})
    return values


def take_field_job_step(
    *, job: FieldJob, technician: Technician, step: str, result: dict | None = None, reason: str = ""
) -> FieldJob:
    """One step of a field job from the technician's phone: accept, decline, depart, arrive, finish (with the
    result for the job's kind) or fail (with a reason). A step out of order, or on somebody else's job, is
    refused and changes nothing; finishing or failing announces ``field_job_finished`` in the same transaction.
    """
    if step not in FIELD_STEP_FROM:
        raise _field_error("step", _("Unknown step."))
    if step == "fail" and not (reason or "").strip():
        raise _field_error("reason", _("Say why the job could not be done."))
    reoffer = False
    with transaction.atomic():
        locked = FieldJob.objects.select_for_update().select_related("unit", "ticket").get(pk=job.pk)
        if locked.technician_id != technician.pk:
            raise ApplicationError(_("This job belongs to another technician."), status_code=403)
        if locked.status not in FIELD_STEP_FROM[step]:
            raise ConflictError(
                _("This step cannot be taken now: the job is %(state)s.") % {"state": locked.get_status_display()},
                extra={"state": locked.status},
            )
        values = _check_result(locked, result or {}) if step == "finish" else {}
        now = timezone.now()
        if step == "accept":
            locked.status, locked.accepted_at = FJ.ACCEPTED, now
        elif step == "decline":
            locked.declined_by = sorted({*locked.declined_by, technician.pk})
            locked.status, locked.technician, locked.offered_at = FJ.SCHEDULED, None, None
            locked.reason = (reason or "").strip()[:255]
            reoffer = True
        elif step == "depart":
            locked.status, locked.departed_at = FJ.ON_THE_WAY, now
        elif step == "arrive":
            locked.status, locked.arrived_at = FJ.ON_SITE, now
        elif step == "finish":
            for field, value in values.items():
                setattr(locked, field, value)
            locked.status, locked.finished_at = FJ.DONE, now
        else:
            locked.status, locked.finished_at = FJ.FAILED, now
            locked.reason = reason.strip()[:255]
        locked.save()
        if step in ("finish", "fail"):
            ticket_services.add_note(
                ticket=locked.ticket,
                author=technician.user,
                message=_("%(kind)s visit %(status)s.")
                % {"kind": locked.get_kind_display(), "status": locked.get_status_display()}
                + (f" {locked.result_notes or locked.reason}" if (locked.result_notes or locked.reason) else ""),
            )
            signals.field_job_finished.send(sender=FieldJob, job=locked, result=locked.result)
        if reoffer:
            job_id = locked.pk
            transaction.on_commit(lambda: offer_field_job(job_id=job_id))
    return locked
