"""Reads of dispatch: routing candidates and their ranking, incidents to join, jobs and the board."""

import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.postgres.aggregates import ArrayAgg
from django.db import connection
from django.db.models import (
    Count,
    ExpressionWrapper,
    F,
    FloatField,
    Min,
    Prefetch,
    Q,
    QuerySet,
    TextField,
    Value,
)
from django.db.models.functions import Cast
from django.utils import timezone

from core import roles
from core.rows import RowReader, column_converter
from core.sql import execute
from tickets.models import Category, Customer, ServiceUnit, Ticket
from tickets.selectors import visible_unit_ids

from .distance import DistanceProvider, distance_m, distance_provider
from .models import Assignment, FieldJob, Incident, IncidentReport, Technician

METRES_PER_DEGREE_LAT = 111_320.0


def bounding_box(lat: float, lng: float, radius_m: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lng, max_lng) of a square holding the circle; a cheap indexable pre-filter."""
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlng = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01))
    return lat - dlat, lat + dlat, lng - dlng, lng + dlng


def _in(values) -> str:
    """Placeholders of an ``IN (…)`` list of as many parameters."""
    return ", ".join(["%s"] * len(values))


# --- routing candidates -------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    technician: "Technician | CandidateRow"
    distance_m: float
    score: float
    stale: bool = False  # ranked by an old position (or the ULP's base), with a penalty for its age


def incident_point(incident: Incident) -> tuple[float, float]:
    if incident.lat is not None and incident.lng is not None:
        return incident.lat, incident.lng
    return incident.unit.center_lat, incident.unit.center_lng


@dataclass(frozen=True)
class CandidateRow:
    """The few columns of a technician that routing reads (cheaper than a model instance per row)."""

    pk: int
    unit_id: int
    last_lat: float  # the last known position, or the ULP's base when the phone never sent one
    last_lng: float
    active_jobs: int
    job_limit: int
    last_position_at: datetime | None = None


def staleness_penalty_m(last_position_at: datetime | None, now: datetime) -> float:
    """Metres added to the score of a technician whose position is older than DISPATCH_POSITION_MAX_AGE_SECONDS.

    A phone that locks its screen stops sending positions, so an old position is the normal day, not a reason
    to drop the technician: they rank by where they were last seen (or their ULP's base), behind a fresh
    technician as much farther as DISPATCH_STALE_PENALTY_M plus DISPATCH_STALE_PENALTY_M_PER_MINUTE for each
    minute past the limit, up to DISPATCH_STALE_PENALTY_MAX_M (no position ever: the maximum).
    """
    max_age = settings.DISPATCH_POSITION_MAX_AGE_SECONDS
    if last_position_at is None:
        return float(settings.DISPATCH_STALE_PENALTY_MAX_M)
    age = (now - last_position_at).total_seconds()
    if age <= max_age:
        return 0.0
    grown = settings.DISPATCH_STALE_PENALTY_M + settings.DISPATCH_STALE_PENALTY_M_PER_MINUTE * (age - max_age) / 60
    return float(min(grown, settings.DISPATCH_STALE_PENALTY_MAX_M))


def candidate_technicians(
    *, incident: Incident, exclude_ids: set[int] | frozenset[int] = frozenset(), now: datetime | None = None
) -> list[CandidateRow]:
    """On-duty technicians (shift not over) with room for a job and the skill needed.

    From the incident's ULP, or from anywhere within DISPATCH_SEARCH_RADIUS_M of it. A technician whose
    position is old (a locked phone) stays a candidate at their last known position, or at their ULP's base
    when they never sent one; ranking adds a penalty for the age (staleness_penalty_m). The database keeps
    only the DISPATCH_CANDIDATE_POOL best by a flat-earth estimate of the same score, so a ULP with thousands
    of technicians costs no more than one with fifty; the distance provider then ranks the pool exactly.
    """
    now = now or timezone.now()
    lat, lng = incident_point(incident)
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, settings.DISPATCH_SEARCH_RADIUS_M)
    fresh_since = now - timedelta(seconds=settings.DISPATCH_POSITION_MAX_AGE_SECONDS)
    metres_per_degree_lng = METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)
    sql, convert_time = _candidate_sql()
    adapt = connection.ops.adapt_datetimefield_value
    skill = connection.ops.prep_for_like_query('"' + incident.skill + '"')  # as ``skills__icontains`` matches
    # The pool is read with the smallest penalty an old position gets; ranking then adds its exact size.
    params = [
        incident.unit_id, min_lat, max_lat, min_lng, max_lng, adapt(now),
        f"%{skill}%", Technician.State.OFF, *exclude_ids,
        lat, METRES_PER_DEGREE_LAT, lng, metres_per_degree_lng, float(settings.DISPATCH_LOAD_PENALTY_M),
        adapt(fresh_since), float(settings.DISPATCH_STALE_PENALTY_M), settings.DISPATCH_CANDIDATE_POOL,
    ]  # fmt: skip
    excluded = f" AND t.id NOT IN ({_in(exclude_ids)})" if exclude_ids else ""
    with connection.cursor() as cursor:
        execute(cursor, sql.format(excluded=excluded), params)
        rows = cursor.fetchall()
    return [CandidateRow(*row[:6], convert_time(row[6])) for row in rows]


_candidates: tuple | None = None


def _candidate_sql() -> tuple:
    """candidate_technicians' read in plain SQL, built once per process (the ORM's building of its expressions
    cost more than the query), and the converter of its last column (a time)."""
    global _candidates
    if _candidates is None:
        if connection.vendor == "postgresql":
            skilled = "UPPER(t.skills::text) LIKE UPPER(%s)"
        else:
            skilled = "t.skills LIKE %s ESCAPE '\\'"
        at_lat, at_lng = "COALESCE(t.last_lat, u.center_lat)", "COALESCE(t.last_lng, u.center_lng)"
        sql = (
            f"SELECT t.id, t.unit_id, {at_lat}, {at_lng}, t.active_jobs, t.job_limit, t.last_position_at"
            f" FROM {connection.ops.quote_name(Technician._meta.db_table)} t"
            f" JOIN {ServiceUnit._meta.db_table} u ON u.id = t.unit_id"
            " WHERE (t.unit_id = %s OR (t.last_lat BETWEEN %s AND %s AND t.last_lng BETWEEN %s AND %s))"
            " AND t.on_duty AND (t.shift_ends_at IS NULL OR t.shift_ends_at > %s)"
            f" AND t.active_jobs < t.job_limit AND {skilled} AND t.state <> %s{{excluded}}"
            f" ORDER BY SQRT(POWER(({at_lat} - %s) * %s, 2) + POWER(({at_lng} - %s) * %s, 2))"
            " + t.active_jobs * %s + CASE WHEN t.last_position_at >= %s THEN 0.0 ELSE %s END, t.id LIMIT %s"
        )
        _candidates = (sql, column_converter(Technician, "last_position_at"))
    return _candidates


def rank_candidates(
    *,
    origin: tuple[float, float],
    technicians: list,
    provider: DistanceProvider,
    load_penalty_m: float,
    max_distance_m: float | None = None,
    now: datetime | None = None,
) -> list[Candidate]:
    """Nearest first; each job a technician already carries counts as ``load_penalty_m`` more metres.

    With ``now``, a position older than DISPATCH_POSITION_MAX_AGE_SECONDS counts as farther by its age
    (staleness_penalty_m): the technician is ranked behind fresh ones, never dropped."""
    if not technicians:
        return []
    distances = provider.distances_m(origin, [(t.last_lat, t.last_lng) for t in technicians])
    ranked = []
    for t, d in zip(technicians, distances, strict=True):
        if max_distance_m is not None and d > max_distance_m:
            continue
        penalty = staleness_penalty_m(t.last_position_at, now) if now is not None else 0.0
        ranked.append(
            Candidate(technician=t, distance_m=d, score=d + load_penalty_m * t.active_jobs + penalty, stale=penalty > 0)
        )
    ranked.sort(key=lambda c: (c.score, c.distance_m, c.technician.pk))
    return ranked


def ranked_candidates_for(
    *, incident: Incident, exclude_ids: set[int] | frozenset[int] = frozenset()
) -> list[Candidate]:
    now = timezone.now()
    technicians = candidate_technicians(incident=incident, exclude_ids=exclude_ids, now=now)
    # Technicians of another ULP only count within the search radius; the ULP's own at any distance.
    own = [t for t in technicians if t.unit_id == incident.unit_id]
    others = [t for t in technicians if t.unit_id != incident.unit_id]
    provider = distance_provider()
    origin = incident_point(incident)
    ranked = rank_candidates(
        origin=origin, technicians=own, provider=provider, load_penalty_m=settings.DISPATCH_LOAD_PENALTY_M, now=now
    ) + rank_candidates(
        origin=origin,
        technicians=others,
        provider=provider,
        load_penalty_m=settings.DISPATCH_LOAD_PENALTY_M,
        max_distance_m=settings.DISPATCH_SEARCH_RADIUS_M,
        now=now,
    )
    ranked.sort(key=lambda c: (c.score, c.distance_m, c.technician.pk))
    return ranked


_with_crew: tuple | None = None  # (SELECT … FROM … of assignments with their crew, readers), built once per process


def _assignments_with_crew() -> tuple:
    """The start of a plain-SQL read of assignments with their technician's id and user's first name (what a
    ticket's step message names; their other fields load on access), and the readers of its rows."""
    global _with_crew
    if _with_crew is None:
        assignment, technician = RowReader(Assignment, "a"), RowReader(Technician, "t", ("id", "user_id"))
        user = RowReader(Technician._meta.get_field("user").related_model, "u", ("id", "first_name"))
        sql = (
            f"SELECT {assignment.columns}, {technician.columns}, {user.columns} FROM {Assignment._meta.db_table} a"
            f" JOIN {Technician._meta.db_table} t ON t.id = a.technician_id JOIN {user.model._meta.db_table} u"
            " ON u.id = t.user_id"
        )
        _with_crew = (sql, assignment, technician, user)
    return _with_crew


def _read_with_crew(where: str, params: list) -> list[Assignment]:
    sql, assignment, technician, user = _assignments_with_crew()
    with connection.cursor() as cursor:
        execute(cursor, f"{sql} WHERE {where}", params)
        rows = cursor.fetchall()
    found = []
    a_end, t_end = len(assignment), len(assignment) + len(technician)
    for row in rows:
        read = assignment.instance(row[:a_end])
        read.technician = technician.instance(row[a_end:t_end])
        read.technician.user = user.instance(row[t_end:])
        found.append(read)
    return found


def live_assignments(incident_ids: list[int]) -> dict[int, Assignment]:
    """The live assignment of each of these incidents that has one, ``{incident id: assignment}``, with its
    crew's first name in hand. Plain SQL built once per process: it is read for every routing batch that
    joins incidents."""
    if not incident_ids:
        return {}
    states = list(Assignment.LIVE_STATES)
    where = f"a.incident_id IN ({_in(incident_ids)}) AND a.state IN ({_in(states)})"
    return {live.incident_id: live for live in _read_with_crew(where, [*incident_ids, *states])}


def live_and_refused(*, incident: Incident, now: datetime | None = None) -> tuple[Assignment | None, set[int]]:
    """In one query: the incident's live assignment (if any, with its crew's first name in hand) and the
    technicians who refused it lately. Plain SQL (each new incident's routing reads it)."""
    since = (now or timezone.now()) - timedelta(seconds=settings.DISPATCH_REOFFER_AFTER_SECONDS)
    live_states, refused_states = list(Assignment.LIVE_STATES), [Assignment.State.DECLINED, Assignment.State.EXPIRED]
    where = (
        f"a.incident_id = %s AND (a.state IN ({_in(live_states)})"
        f" OR (a.state IN ({_in(refused_states)}) AND a.offered_at >= %s))"
    )
    params = [incident.pk, *live_states, *refused_states, connection.ops.adapt_datetimefield_value(since)]
    live, refused = None, set()
    for assignment in _read_with_crew(where, params):
        if assignment.state in Assignment.LIVE_STATES:
            live = assignment
        else:
            refused.add(assignment.technician_id)
    return live, refused


# --- incidents ----------------------------------------------------------------------------------


def open_incidents() -> QuerySet[Incident]:
    return Incident.objects.filter(status__in=Incident.OPEN_STATUSES)


def incident_to_join(
    *,
    lat: float | None,
    lng: float | None,
    transformer_code: str = "",
    at: datetime | None = None,
    incidents: dict[int, Incident] | None = None,
) -> tuple[Incident | None, float | None]:
    """The open incident a new outage report belongs to, and its distance to the nearest member report.

    Same transformer (gardu) first; otherwise any open incident with a report within
    INCIDENT_JOIN_RADIUS_M, whose last report came within INCIDENT_JOIN_HOURS. ``incidents`` (id → row) spares
    reading an incident a batch has in hand already.
    """
    at = at or timezone.now()
    recent = open_incidents().filter(last_report_at__gte=at - timedelta(hours=settings.INCIDENT_JOIN_HOURS))
    if transformer_code:
        same = recent.filter(transformer_code=transformer_code).order_by("-last_report_at").first()
        if same is not None:
            distance = None
            if lat is not None and lng is not None and same.lat is not None and same.lng is not None:
                distance = distance_m((lat, lng), (same.lat, same.lng))
            return same, distance
    if lat is None or lng is None:
        return None, None
    radius = settings.INCIDENT_JOIN_RADIUS_M
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius)
    points = _nearest_report_points(lat, lng, radius, since=at - timedelta(hours=settings.INCIDENT_JOIN_HOURS))
    best: tuple[float, int] | None = None
    for incident_id, p_lat, p_lng, *_incident_point in points:
        d = distance_m((lat, lng), (p_lat, p_lng))
        if d <= radius and (best is None or (d, incident_id) < best):
            best = (d, incident_id)
    if best is None:
        return None, None
    if incidents is not None and best[1] in incidents:
        return incidents[best[1]], best[0]
    return Incident.objects.get(pk=best[1]), best[0]


# Reports read per look-up, nearest first by the estimate; the exact distance then decides among them.
JOIN_CANDIDATE_POINTS = 8


def nearest_report_points(lat: float, lng: float, *, since: datetime) -> list[tuple]:
    """For grouping a batch of reports: (incident id, lat, lng, incident's lat, incident's lng) of the
    JOIN_CANDIDATE_POINTS reports of open incidents nearest to a point (see ``incident_to_join``)."""
    return _nearest_report_points(lat, lng, settings.INCIDENT_JOIN_RADIUS_M, since=since)


def report_distance_estimate(lat: float, lng: float, p_lat: float, p_lng: float) -> float:
    """The flat-earth squared distance ``_nearest_report_points`` orders reports by, computed in Python."""
    per_lng = METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)
    north, east = (p_lat - lat) * METRES_PER_DEGREE_LAT, (p_lng - lng) * per_lng
    return north * north + east * east


def transformer_incidents(codes: set[str], *, since: datetime) -> dict[str, tuple]:
    """For each transformer code, the open incident on it whose last report is the most recent (since ``since``):
    ``{code: (incident id, lat, lng)}`` in one query (``incident_to_join``'s first rule, for a batch)."""
    if not codes:
        return {}
    codes = sorted(codes)
    statuses = list(Incident.OPEN_STATUSES)
    # Plain SQL: it runs for every routing batch with a customer's report, and the ORM's building of it cost
    # more than the query.
    sql = (
        f"SELECT transformer_code, id, lat, lng FROM {Incident._meta.db_table}"
        f" WHERE status IN ({_in(statuses)}) AND last_report_at >= %s AND transformer_code IN ({_in(codes)})"
        " ORDER BY last_report_at DESC, id DESC"
    )
    with connection.cursor() as cursor:
        execute(cursor, sql, [*statuses, connection.ops.adapt_datetimefield_value(since), *codes])
        rows = cursor.fetchall()
    found: dict[str, tuple] = {}
    for code, *row in rows:
        found.setdefault(code, tuple(row))
    return found


def _nearest_report_points(lat: float, lng: float, radius: float, *, since: datetime) -> list[tuple]:
    """(incident id, lat, lng, incident's lat, incident's lng) of the reports of open incidents (last report since
    ``since``, opened within INCIDENT_SPREAD_M) nearest to a point inside its bounding box, nearest first by a
    flat-earth estimate: the database reads the reports of the incidents around, not of every open incident
    (41 ms per look-up at a thousand open incidents), and sends a few, not every report of a storm's incident
    (quadratic).

    Plain SQL, the same on PostgreSQL and SQLite: it runs for every outage report, and building it with the
    ORM cost twice the query itself."""
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius)
    spread = bounding_box(lat, lng, settings.INCIDENT_SPREAD_M)
    per_lng = METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)
    report, incident = IncidentReport._meta.db_table, Incident._meta.db_table
    statuses = list(Incident.OPEN_STATUSES)
    # The report's own position, through the (incident, lat, lng) index: per incident around, only its reports
    # in the latitude band are read, and no ticket row (fetching each report's ticket was most of the cost).
    sql = (
        f"SELECT r.incident_id, r.lat, r.lng, i.lat, i.lng FROM {report} r JOIN {incident} i ON i.id = r.incident_id"
        f" WHERE i.status IN ({', '.join(['%s'] * len(statuses))}) AND i.last_report_at >= %s"
        " AND i.lat BETWEEN %s AND %s AND i.lng BETWEEN %s AND %s"
        " AND r.lat BETWEEN %s AND %s AND r.lng BETWEEN %s AND %s"
        " ORDER BY ((r.lat - %s) * %s) * ((r.lat - %s) * %s) + ((r.lng - %s) * %s) * ((r.lng - %s) * %s),"
        " r.incident_id LIMIT %s"
    )
    params = [
        *statuses,
        connection.ops.adapt_datetimefield_value(since),
        *spread,
        min_lat, max_lat, min_lng, max_lng,
        lat, METRES_PER_DEGREE_LAT, lat, METRES_PER_DEGREE_LAT, lng, per_lng, lng, per_lng,
        JOIN_CANDIDATE_POINTS,
    ]  # fmt: skip
    with connection.cursor() as cursor:
        execute(cursor, sql, params)
        return cursor.fetchall()


def _report_distance_estimate(lat: float, lng: float) -> ExpressionWrapper:
    """Squared flat-earth distance (in metres²) from a point to the report: orders reports within a few
    kilometres as the great-circle distance does."""
    metres_per_degree_lng = METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 0.01)
    north = (F("lat") - Value(lat)) * Value(METRES_PER_DEGREE_LAT)
    east = (F("lng") - Value(lng)) * Value(metres_per_degree_lng)
    return ExpressionWrapper(north * north + east * east, output_field=FloatField())


def open_incidents_near(*, lat: float, lng: float, radius_m: float = 500) -> list[Incident]:
    """Open incidents with a report within ``radius_m`` of a point, nearest first.

    One query when nothing is near (the operator console asks on every ringing call), two otherwise.
    """
    if lat is None or lng is None:
        return []
    min_lat, max_lat, min_lng, max_lng = bounding_box(lat, lng, radius_m)
    spread = bounding_box(lat, lng, settings.INCIDENT_SPREAD_M)
    since = timezone.now() - timedelta(hours=settings.INCIDENT_JOIN_HOURS)
    # One row per incident (its nearest report, by the flat-earth estimate: within 500 m it differs from the
    # great circle by centimetres), not every report of a storm's incident on every ringing call.
    nearest = (
        IncidentReport.objects.filter(
            Q(incident__last_report_at__gte=since) | ~Q(incident__status=Incident.Status.OPEN),
            incident__status__in=Incident.OPEN_STATUSES,
            incident__lat__range=(spread[0], spread[1]),
            incident__lng__range=(spread[2], spread[3]),
            lat__range=(min_lat, max_lat),
            lng__range=(min_lng, max_lng),
        )
        .values("incident_id")
        .annotate(estimate=Min(_report_distance_estimate(lat, lng)))
        .filter(estimate__lte=radius_m * radius_m)
        .values_list("incident_id", "estimate")
    )
    best = {incident_id: math.sqrt(estimate) for incident_id, estimate in nearest}
    if not best:
        return []
    incidents = Incident.objects.select_related("unit").filter(pk__in=best)
    return sorted(incidents, key=lambda i: (best[i.pk], i.pk))


def member_tickets(incident: Incident) -> QuerySet[Ticket]:
    return Ticket.objects.select_related("unit", "category").filter(incident_report__incident=incident).order_by("id")


def live_assignment(incident: Incident) -> Assignment | None:
    return live_assignment_of(incident.pk)


def live_assignment_of(incident_id: int) -> Assignment | None:
    return (
        Assignment.objects.filter(incident_id=incident_id, state__in=Assignment.LIVE_STATES)
        .select_related("technician__user")
        .first()
    )


def with_ticket_numbers(incidents: list[Incident]) -> list[Incident]:
    """Set ``incident.ticket_numbers`` (every report, in the order they joined) and ``open_report_count`` (the
    reports still waiting for power: not restored, closed or cancelled) for a page of incidents in one query."""
    numbers, still_open = ticket_numbers_of([incident.pk for incident in incidents])
    for incident in incidents:
        incident.ticket_numbers = numbers[incident.pk]
        incident.open_report_count = still_open[incident.pk]
    return incidents


def ticket_numbers_of(incident_ids: list[int]) -> tuple[dict[int, list[str]], dict[int, int]]:
    """For each incident id: its member ticket numbers (in the order they joined) and how many of them still
    wait for power, in one query.

    A storm incident holds thousands of reports: reading them as model rows (report + ticket) cost the
    board seconds. On PostgreSQL each incident's numbers come back as one array (one row per incident, not one
    per report: a UID's board holds tens of thousands of member reports); elsewhere as plain values.
    """
    numbers: dict[int, list[str]] = {incident_id: [] for incident_id in incident_ids}
    still_open: dict[int, int] = dict.fromkeys(numbers, 0)
    if numbers:
        members = IncidentReport.objects.filter(incident_id__in=list(numbers)).order_by()
        if connection.vendor == "postgresql":
            rows = members.values("incident_id").annotate(
                numbers=ArrayAgg("ticket__number", order_by="id"),
                still_open=Count("id", filter=~Q(ticket__status__in=MEMBER_DONE)),
            )
            # Through a server-side cursor: PostgreSQL never plans a cursor's query in parallel, and for these few
            # thousand tickets the two extra workers it chose cost more than they saved (on a busy 2-core machine
            # 27-33 ms against 20-26 ms serial, and three busy processes instead of one).
            for row in rows.values_list("incident_id", "numbers", "still_open").iterator(chunk_size=2000):
                numbers[row[0]], still_open[row[0]] = row[1], row[2]
        else:
            for incident_id, number, status in members.order_by("incident_id", "id").values_list(
                "incident_id", "ticket__number", "ticket__status"
            ):
                numbers[incident_id].append(number)
                if status not in MEMBER_DONE:
                    still_open[incident_id] += 1
    return numbers, still_open


# A member report in one of these needs no crew any more.
MEMBER_DONE = frozenset({Ticket.Status.RESTORED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED})


def open_member_count(incident: Incident) -> int:
    return member_tickets(incident).exclude(status__in=MEMBER_DONE).count()


def incidents_visible_to(viewer) -> QuerySet[Incident]:
    """Incidents of the viewer's units with their live assignment; add ``with_ticket_numbers`` for the numbers."""
    live = Assignment.objects.filter(state__in=Assignment.LIVE_STATES).select_related("technician__user")
    qs = Incident.objects.select_related("unit").prefetch_related(
        Prefetch("assignments", queryset=live, to_attr="live_assignments"),
    )
    unit_ids = visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(unit_id__in=unit_ids)


# --- technicians, jobs and the board ------------------------------------------------------------


def technician_of(user) -> Technician | None:
    if not user or not user.is_authenticated:
        return None
    return Technician.objects.select_related("user", "unit").filter(user=user).first()


def technicians_visible_to(viewer) -> QuerySet[Technician]:
    qs = Technician.objects.select_related("user", "unit")
    unit_ids = visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(unit_id__in=unit_ids)


def assignments_of(technician: Technician) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(technician=technician)
        .select_related("incident__unit", "technician__user")
        .prefetch_related(
            Prefetch(
                "incident__reports",
                # What the job card shows of each report: category, the customer's words, who to call, photo.
                queryset=IncidentReport.objects.select_related("ticket__category").only(
                    "id",
                    "incident_id",
                    "ticket__id",
                    "ticket__number",
                    "ticket__status",
                    "ticket__description",
                    "ticket__address",
                    "ticket__reporter_name",
                    "ticket__reporter_phone",
                    "ticket__photo",
                    "ticket__created_at",
                    "ticket__category__id",
                    "ticket__category__code",
                    "ticket__category__name_id",
                    "ticket__category__name_en",
                ),
            )
        )
    )


def jobs_for(technician: Technician) -> dict[str, list[Assignment]]:
    """A technician's open offers (not yet expired) and their accepted, unfinished jobs."""
    now = timezone.now()
    live = list(assignments_of(technician).filter(state__in=Assignment.LIVE_STATES).order_by("offered_at", "id"))
    return {
        "offers": [
            a for a in live if a.state == Assignment.State.OFFERED and (a.expires_at is None or a.expires_at > now)
        ],
        "jobs": [a for a in live if a.state != Assignment.State.OFFERED],
    }


# What the board shows of a waiting ticket and of a technician, no more (a UID's board lists ~1,000 technicians).
BOARD_WAITING_FIELDS = (
    "number",
    "status",
    "dispatch_state",
    "address",
    "lat",
    "lng",
    "created_at",
    "unit__code",
    "category__code",
)
BOARD_TECHNICIAN_FIELDS = (
    "state",
    "skills",
    "last_lat",
    "last_lng",
    "last_position_at",
    "active_jobs",
    "job_limit",
    "unit__code",
    "user__username",
    "user__first_name",
    "user__last_name",
)


def _board_waiting(unit_ids) -> QuerySet[Ticket]:
    """Outage tickets of the viewer's units waiting for a crew, oldest request first."""
    waiting = Ticket.objects.filter(
        dispatch_state__in=[
            Ticket.DispatchState.PENDING,
            Ticket.DispatchState.ENQUEUED,
            Ticket.DispatchState.UNASSIGNABLE,
        ]
    ).exclude(status__in=[Ticket.Status.RESTORED, Ticket.Status.CLOSED, Ticket.Status.CANCELLED])
    if unit_ids is not None:
        waiting = waiting.filter(unit_id__in=unit_ids)
    return waiting.order_by("dispatch_requested_at", "id")


def _board_incidents(unit_ids) -> QuerySet[Incident]:
    qs = Incident.objects.filter(status__in=Incident.OPEN_STATUSES)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.order_by("opened_at", "id")


def _board_technicians(unit_ids) -> QuerySet[Technician]:
    qs = Technician.objects.filter(on_duty=True)
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    return qs.order_by("user__username")


def board_for(viewer) -> dict:
    """What a dispatcher watches: open incidents, outage tickets waiting for a crew, and the technicians.

    As model rows; the board API reads the same rows as plain values (``board_rows``)."""
    incidents = with_ticket_numbers(
        list(incidents_visible_to(viewer).filter(status__in=Incident.OPEN_STATUSES).order_by("opened_at", "id"))
    )
    unit_ids = visible_unit_ids(viewer)
    waiting = _board_waiting(unit_ids).select_related("unit", "category").only(*BOARD_WAITING_FIELDS)
    technicians = list(_board_technicians(unit_ids).select_related("user", "unit").only(*BOARD_TECHNICIAN_FIELDS))
    return {"incidents": incidents, "unassigned": list(waiting[:200]), "technicians": technicians}


# The columns of ``board_rows``, in the order the board API writes them out.
BOARD_INCIDENT_COLUMNS = (
    "id",
    "unit__code",
    "status",
    "lat",
    "lng",
    "address",
    "transformer_code",
    "feeder_code",
    "skill",
    "opened_at",
    "last_report_at",
    "restored_at",
    "estimated_restoration_at",
    "cause",
    "report_count",
    "unassignable_since",
    "customers_affected",
)
BOARD_ASSIGNMENT_COLUMNS = (
    "incident_id",
    "id",
    "state",
    "manual",
    "offered_at",
    "expires_at",
    "accepted_at",
    "distance_m",
    "technician_id",
    "technician__user__first_name",
    "technician__user__last_name",
    "technician__user__username",
)
BOARD_WAITING_COLUMNS = (
    "number",
    "category__code",
    "unit__code",
    "status",
    "dispatch_state",
    "address",
    "lat",
    "lng",
    "created_at",
)
BOARD_TECHNICIAN_COLUMNS = (
    "id",
    "user__first_name",
    "user__last_name",
    "user__username",
    "unit__code",
    "state",
    "skills_text",  # the JSON as stored; board_rows decodes each distinct value once
    "last_lat",
    "last_lng",
    "last_position_at",
    "active_jobs",
    "job_limit",
)


@dataclass(frozen=True)
class BoardRows:
    """``board_for`` as plain tuples (columns: the BOARD_*_COLUMNS above): a UID's board is ~5,000 rows, and
    building them as model instances was half of its time. ``live`` maps an incident id to its live
    assignment (the latest offered); ``numbers``/``still_open`` are ``ticket_numbers_of``'s."""

    incidents: list[tuple]
    live: dict[int, tuple]
    numbers: dict[int, list[str]]
    still_open: dict[int, int]
    unassigned: list[tuple]
    technicians: list[tuple]


def board_rows(viewer) -> BoardRows:
    unit_ids = visible_unit_ids(viewer)
    incidents = list(_board_incidents(unit_ids).values_list(*BOARD_INCIDENT_COLUMNS))
    ids = [row[0] for row in incidents]
    numbers, still_open = ticket_numbers_of(ids)
    live: dict[int, tuple] = {}
    if ids:
        assignments = (
            Assignment.objects.filter(incident_id__in=ids, state__in=Assignment.LIVE_STATES)
            .order_by("-offered_at", "-id")
            .values_list(*BOARD_ASSIGNMENT_COLUMNS)
        )
        for row in assignments:
            live.setdefault(row[0], row)
    return BoardRows(
        incidents=incidents,
        live=live,
        numbers=numbers,
        still_open=still_open,
        unassigned=list(_board_waiting(unit_ids).values_list(*BOARD_WAITING_COLUMNS)[:200]),
        technicians=_with_skills_decoded(
            _board_technicians(unit_ids)
            .annotate(skills_text=Cast("skills", TextField()))
            .values_list(*BOARD_TECHNICIAN_COLUMNS)
        ),
    )


def _with_skills_decoded(rows) -> list[tuple]:
    """Technician rows with their skills (column 6) decoded from JSON text, each distinct text once: a UID's
    thousand technicians share a handful of skill sets, and decoding each row's was a tenth of the board."""
    decoded: dict[str, list] = {}
    out = []
    for row in rows:
        text = row[6]
        skills = decoded.get(text)
        if skills is None:
            skills = decoded[text] = json.loads(text)
        out.append((*row[:6], skills, *row[7:]))
    return out


def can_manage_incident(viewer, incident: Incident) -> bool:
    if not roles.has_role(viewer, roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN):
        return False
    unit_ids = visible_unit_ids(viewer)
    return unit_ids is None or incident.unit_id in unit_ids


def offers_due_to_expire(now: datetime | None = None) -> QuerySet[Assignment]:
    return Assignment.objects.filter(state=Assignment.State.OFFERED, expires_at__lte=now or timezone.now())


def tickets_waiting_to_route(now: datetime | None = None) -> list[int]:
    """Outage tickets never attached to an incident (lost enqueue, broker down, worker died)."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.DISPATCH_STUCK_SECONDS)
    return list(
        Ticket.objects.filter(
            dispatch_state__in=[Ticket.DispatchState.PENDING, Ticket.DispatchState.ENQUEUED],
            dispatch_requested_at__lte=cutoff,
            incident_report__isnull=True,
        )
        .order_by("dispatch_requested_at")
        .values_list("pk", flat=True)[:500]
    )


_report_rows_sql: dict[bool, str] = {}


def report_rows(
    ticket_ids: list[int], *, done: frozenset | set, take_along: tuple[int, int, int] | None = None
) -> list[tuple]:
    """The outage tickets among ``ticket_ids`` whose status is not in ``done``, oldest first, as (id, ULP id, lat,
    lng, address, category code, customer's transformer code, customer's feeder code, incident id or None).

    ``take_along`` (ULP id, ticket id, n): with them, up to n other tickets of that ULP handed to the worker
    (ENQUEUED) and not attached yet, oldest hand-over first — the other reports of a storm one routing task
    takes along, read in the same statement (under the ULP's lock: none another worker attached meanwhile).
    Plain SQL, built once per process but for the lists' lengths: it runs for every routing batch."""
    along = take_along is not None and take_along[2] > 0
    template = _report_rows_sql.get(along)
    if template is None:
        ticket, category = Ticket._meta.db_table, Category._meta.db_table
        customer, report = Customer._meta.db_table, IncidentReport._meta.db_table
        # With reports taken along, the batch's tickets are picked first (at most DISPATCH_ROUTE_BATCH) and joined
        # to their rows by id: an OR of the two lists made PostgreSQL scan every ticket.
        picked, where = f"{ticket} t", "t.id IN ({ids}) AND "
        if along:
            picked = (
                f"(SELECT along.id FROM (SELECT h.id FROM {ticket} h LEFT JOIN {report} hr ON hr.ticket_id = h.id"
                " WHERE h.dispatch_state = %s AND h.unit_id = %s AND hr.id IS NULL AND h.id <> %s"
                " ORDER BY h.dispatch_requested_at, h.id LIMIT %s) along{ids})"
                f" pick JOIN {ticket} t ON t.id = pick.id"
            )
            where = ""
        template = (
            "SELECT t.id, t.unit_id, t.lat, t.lng, t.address, c.code, cu.transformer_code, cu.feeder_code,"
            f" r.incident_id FROM {picked} JOIN {category} c ON c.id = t.category_id"
            f" LEFT JOIN {customer} cu ON cu.id = t.customer_id LEFT JOIN {report} r ON r.ticket_id = t.id"
            f" WHERE {where}c.dispatches AND t.status NOT IN ({{done}}) ORDER BY t.created_at, t.id"
        )
        _report_rows_sql[along] = template
    params: list = []
    if along:
        unit_id, ticket_id, limit = take_along
        params += [Ticket.DispatchState.ENQUEUED, unit_id, ticket_id, limit]
        ids = "".join([" UNION SELECT %s"] * len(ticket_ids))
    elif ticket_ids:
        ids = _in(ticket_ids)
    else:
        return []
    statuses = sorted(done)
    params += [*ticket_ids, *statuses]
    sql = template.format(ids=ids, done=_in(statuses))
    with connection.cursor() as cursor:
        execute(cursor, sql, params)
        return cursor.fetchall()


def routing_state(ticket_id: int) -> tuple | None:
    """(status, dispatch state, ULP id, whether its category dispatches, incident id or None, live assignment id
    or None) of a ticket, in one statement: what a routing task reads first (in a storm most find their report
    attached and crewed by another task's batch). Plain SQL: it runs for every outage report, and building it
    with the ORM cost more than the query itself."""
    live = ", ".join(["%s"] * len(Assignment.LIVE_STATES))
    sql = (
        f"SELECT t.status, t.dispatch_state, t.unit_id, c.dispatches, r.incident_id,"
        f" (SELECT a.id FROM {Assignment._meta.db_table} a WHERE a.incident_id = r.incident_id"
        f" AND a.state IN ({live}) LIMIT 1)"
        f" FROM {Ticket._meta.db_table} t JOIN {Category._meta.db_table} c ON c.id = t.category_id"
        f" LEFT JOIN {IncidentReport._meta.db_table} r ON r.ticket_id = t.id WHERE t.id = %s"
    )
    with connection.cursor() as cursor:
        execute(cursor, sql, [*Assignment.LIVE_STATES, ticket_id])
        return cursor.fetchone()


def incidents_waiting_for_crew(now: datetime | None = None) -> list[int]:
    """Open incidents without a live assignment, not routed lately."""
    cutoff = (now or timezone.now()) - timedelta(seconds=settings.DISPATCH_RETRY_SECONDS)
    return list(
        Incident.objects.filter(status=Incident.Status.OPEN)
        .filter(Q(last_routed_at__isnull=True) | Q(last_routed_at__lte=cutoff))
        .exclude(assignments__state__in=Assignment.LIVE_STATES)
        .order_by("opened_at")
        .values_list("pk", flat=True)[:200]
    )


# --- scheduled field jobs -----------------------------------------------------------------------


def field_job_candidates(job: FieldJob) -> list[Technician]:
    """Technicians who may be offered ``job``: on duty (shift not over), of its ULP, with its skill, not one
    who declined it. Fewest open field jobs on the job's day first, then nearest to the job, then by id."""
    now = timezone.now()
    qs = (
        Technician.objects.filter(unit_id=job.unit_id, on_duty=True, skills__icontains=f'"{job.skill}"')
        .filter(Q(shift_ends_at__isnull=True) | Q(shift_ends_at__gt=now))
        .exclude(pk__in=job.declined_by or [])
        .select_related("user")
    )
    technicians = list(qs[:200])
    day = job.window_start.date()
    loads: dict[int, int] = {}
    for tech_id in FieldJob.objects.filter(
        technician_id__in=[t.pk for t in technicians],
        status__in=FieldJob.OPEN_STATUSES,
        window_start__date=day,
    ).values_list("technician_id", flat=True):
        loads[tech_id] = loads.get(tech_id, 0) + 1

    def distance(tech: Technician) -> float:
        if job.lat is None or tech.last_lat is None:
            return float("inf")
        return distance_m((tech.last_lat, tech.last_lng), (job.lat, job.lng))

    technicians.sort(key=lambda t: (loads.get(t.pk, 0), distance(t), t.pk))
    return technicians


def field_jobs_waiting(*, limit: int = 200) -> list[int]:
    """Scheduled jobs nobody holds yet whose window has not passed (the sweeper offers them again)."""
    return list(
        FieldJob.objects.filter(status=FieldJob.Status.SCHEDULED, window_end__gt=timezone.now())
        .order_by("window_start", "id")
        .values_list("pk", flat=True)[:limit]
    )


def field_jobs_of(technician: Technician, *, days: int = 7) -> list[FieldJob]:
    """The technician's day list: open field jobs offered to or held by them, by appointment, plus the ones
    they closed today."""
    now = timezone.now()
    since = now - timedelta(hours=24)
    return list(
        FieldJob.objects.filter(technician=technician)
        .filter(Q(status__in=FieldJob.OPEN_STATUSES) | Q(finished_at__gte=since))
        .filter(window_start__lt=now + timedelta(days=days))
        .select_related("ticket", "unit")
        .order_by("window_start", "id")
    )


def field_job_of(technician: Technician, job_id: int) -> FieldJob | None:
    return FieldJob.objects.select_related("ticket", "unit").filter(pk=job_id, technician=technician).first()


def field_jobs_visible_to(viewer) -> QuerySet[FieldJob]:
    """The dispatcher's list of field jobs of their units: open ones, and those closed in the last day."""
    since = timezone.now() - timedelta(hours=24)
    qs = (
        FieldJob.objects.filter(Q(status__in=FieldJob.OPEN_STATUSES) | Q(finished_at__gte=since))
        .select_related("ticket", "unit", "technician__user")
        .order_by("window_start", "id")
    )
    unit_ids = visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(unit_id__in=unit_ids)
