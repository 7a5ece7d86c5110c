"""Reads behind the supervisor reports, composed from each app's data; aggregation happens in SQL.

Every selector takes a ``ReportScope``: the unit subtree the viewer may see and a date range
(inclusive dates, in the scope unit's own time zone).
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from billing import selectors as billing_selectors
from core import roles
from core.errors import ApplicationError
from tickets import selectors as ticket_selectors
from tickets.models import (
    Category,
    Escalation,
    ExternalReferral,
    Feedback,
    ServiceUnit,
    Ticket,
    TicketServiceLevel,
)
from tickets.sla import rules as sla
from tickets.sla import selectors as sla_selectors

from .indices import InterruptionRecord, merge_per_customer, reliability_indices

REPORT_ROLES = (roles.SUPERVISOR, roles.ADMIN)
OPEN_STATUSES = [
    Ticket.Status.RECEIVED,
    Ticket.Status.ASSIGNED,
    Ticket.Status.ON_THE_WAY,
    Ticket.Status.IN_PROGRESS,
    Ticket.Status.TEMPORARILY_RESTORED,
    Ticket.Status.WAITING_CUSTOMER,
]
AGE_BUCKETS = [("lt1d", 0, 1), ("1to3d", 1, 3), ("3to7d", 3, 7), ("7to30d", 7, 30), ("gt30d", 30, None)]


@dataclass(frozen=True)
class ReportScope:
    unit: ServiceUnit | None  # None: every unit (admins)
    unit_ids: list[int] | None  # None: no restriction
    start: date
    end: date  # inclusive
    zone: str

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time.min, tzinfo=ZoneInfo(self.zone))

    @property
    def end_at(self) -> datetime:
        """Exclusive end instant: midnight after the last day."""
        return datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=ZoneInfo(self.zone))

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def units(self, field: str = "unit_id") -> Q:
        return Q() if self.unit_ids is None else Q(**{f"{field}__in": self.unit_ids})


def default_range(today: date) -> tuple[date, date]:
    return today.replace(day=1), today


def report_scope(viewer, *, unit_id: int | None, start: date, end: date) -> ReportScope:
    """The scope a viewer asked for: refused (PermissionDenied) outside their units, 400 for a bad range."""
    if not roles.has_role(viewer, *REPORT_ROLES):
        raise PermissionDenied
    visible = ticket_selectors.visible_unit_ids(viewer)
    if end < start:
        raise ApplicationError(_("The end date is before the start date."), extra={"fields": {"end": ["order"]}})
    if (end - start).days + 1 > settings.REPORT_MAX_DAYS:
        raise ApplicationError(
            _("A report covers at most %(days)s days; choose a shorter range or split it.")
            % {"days": settings.REPORT_MAX_DAYS},
            extra={"fields": {"start": ["too_long"]}},
        )
    if unit_id is None:
        profile = getattr(viewer, "staff_profile", None)
        unit = profile.unit if profile and visible is not None else None
    else:
        unit = ServiceUnit.objects.filter(pk=unit_id).first()
        if unit is None or (visible is not None and unit.pk not in visible):
            raise PermissionDenied
    if unit is None and visible is not None:
        raise PermissionDenied
    unit_ids = ticket_selectors.unit_subtree_ids(unit) if unit is not None else None
    zone = unit.time_zone if unit is not None else settings.SIGAP_TICKET_TIME_ZONE
    return ReportScope(unit=unit, unit_ids=unit_ids, start=start, end=end, zone=zone)


def breadcrumb(scope: ReportScope) -> list[ServiceUnit]:
    trail, current = [], scope.unit
    while current is not None:
        trail.append(current)
        current = current.parent
    return list(reversed(trail))


def child_units(scope: ReportScope, viewer) -> list[ServiceUnit]:
    visible = ticket_selectors.visible_unit_ids(viewer)
    if scope.unit is None:
        qs = ServiceUnit.objects.filter(parent__isnull=True)
    else:
        qs = ServiceUnit.objects.filter(parent=scope.unit)
    if visible is not None:
        qs = qs.filter(pk__in=visible)
    return list(qs.order_by("code"))


# --- Open tickets by category and age -------------------------------------------------------------------


def open_tickets_by_category_and_age(scope: ReportScope, *, now: datetime | None = None) -> list[dict]:
    """Tickets still being worked on (today, whatever the range), per category and age bucket."""
    now = now or timezone.now()
    aggregates = {"total": Count("id")}
    for name, low, high in AGE_BUCKETS:
        condition = Q(created_at__lte=now - timedelta(days=low))
        if high is not None:
            condition &= Q(created_at__gt=now - timedelta(days=high))
        aggregates[name] = Count("id", filter=condition)
    rows = (
        Ticket.objects.filter(scope.units(), status__in=OPEN_STATUSES)
        .values("category_id")
        .annotate(**aggregates)
        .order_by("-total")
    )
    categories = {c.pk: c for c in Category.objects.all()}
    return [{"category": categories[row.pop("category_id")], **row} for row in rows]


def open_tickets_per_unit(scope: ReportScope) -> dict[int, int]:
    return dict(
        Ticket.objects.filter(scope.units(), status__in=OPEN_STATUSES)
        .values("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )


# --- TMP compliance, breaches, compensation flags ---------------------------------------------------------


def tmp_compliance(scope: ReportScope) -> list[dict]:
    """Per indicator: tickets, responses and resolutions in time or late, breaches (one query)."""
    rows = (
        TicketServiceLevel.objects.filter(
            scope.units(), started_at__gte=scope.start_at, started_at__lt=scope.end_at, target__isnull=False
        )
        .values("indicator")
        .annotate(
            tickets=Count("id"),
            responses_met=Count("id", filter=Q(response_met=True)),
            responses_late=Count("id", filter=Q(response_met=False)),
            resolutions_met=Count("id", filter=Q(resolution_met=True)),
            resolutions_late=Count("id", filter=Q(resolution_met=False)),
            response_breaches=Count("id", filter=Q(response_breached_at__isnull=False)),
            resolution_breaches=Count("id", filter=Q(resolution_breached_at__isnull=False)),
            compensated=Count("id", filter=Q(compensation_percent__isnull=False)),
        )
        .order_by("indicator")
    )
    labels = dict(sla_selectors.ServiceLevelTarget.Indicator.choices)
    result = []
    for row in rows:
        decided = row["responses_met"] + row["responses_late"] + row["resolutions_met"] + row["resolutions_late"]
        met = row["responses_met"] + row["resolutions_met"]
        result.append(
            {
                **row,
                "label": labels.get(row["indicator"], row["indicator"]),
                "compliance": round(100 * met / decided, 1) if decided else None,
            }
        )
    return result


def compensation_flags(scope: ReportScope) -> list[dict]:
    return list(
        TicketServiceLevel.objects.filter(
            scope.units(),
            started_at__gte=scope.start_at,
            started_at__lt=scope.end_at,
            compensation_percent__isnull=False,
        )
        .values("indicator", "compensation_percent")
        .annotate(tickets=Count("id"))
        .order_by("indicator", "compensation_percent")
    )


def escalation_counts(scope: ReportScope) -> dict[str, int]:
    rows = (
        Escalation.objects.filter(scope.units(), created_at__gte=scope.start_at, created_at__lt=scope.end_at)
        .values("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return dict(rows)


# --- Reliability: interruption records → SAIDI / SAIFI / CAIDI ------------------------------------------


@dataclass(frozen=True)
class CustomerOutage:
    customer_key: str
    unit_id: int
    started_at: datetime
    restored_at: datetime
    tariff: str
    power_va: int


def customer_outages(*, unit_ids: list[int] | None, start_at: datetime, end_at: datetime) -> list[CustomerOutage]:
    """Restored outage tickets as per-customer outages (first informed → restored), overlaps merged."""
    qs = Ticket.objects.filter(
        kind=Category.Kind.TECHNICAL,
        restored_at__isnull=False,
        first_informed_at__gte=start_at,
        first_informed_at__lt=end_at,
    ).exclude(service_level__exemption__gt="")  # planned work is exempt from the duration / count targets
    if unit_ids is not None:
        qs = qs.filter(unit_id__in=unit_ids)
    rows = qs.values_list(
        "customer_id",
        "reporter_phone",
        "unit_id",
        "first_informed_at",
        "restored_at",
        "customer__tariff",
        "customer__power_va",
    )
    per_customer: dict[str, list] = defaultdict(list)
    info: dict[str, tuple[int, str, int]] = {}
    for customer_id, phone, unit_id, started, restored, tariff, power in rows.order_by():
        if restored <= started:
            continue
        key = f"c{customer_id}" if customer_id else f"p{phone}"
        per_customer[key].append((started, restored))
        info[key] = (unit_id, tariff or "", power or 0)
    outages = []
    for key, intervals in per_customer.items():
        unit_id, tariff, power = info[key]
        for started, restored in merge_per_customer(intervals):
            outages.append(CustomerOutage(key, unit_id, started, restored, tariff, power))
    return outages


def interruption_records(
    *,
    unit_ids: list[int] | None,
    start_at: datetime,
    end_at: datetime,
    outages: list[CustomerOutage] | None = None,
) -> list[InterruptionRecord]:
    """Interruption records of the units in the range.

    Restored incidents (grouped outages, dispatch) count with their customers affected, from the first
    report to restoration; outage tickets outside any such incident count one customer each, de-duplicated
    per customer (the fallback where there are no incidents).
    """
    incident_records, covered = _restored_incident_records(unit_ids=unit_ids, start_at=start_at, end_at=end_at)
    if outages is None:
        outages = customer_outages(unit_ids=unit_ids, start_at=start_at, end_at=end_at)

    def in_an_incident(outage: CustomerOutage) -> bool:
        return any(
            outage.started_at < restored and started < outage.restored_at
            for started, restored in covered.get(outage.customer_key, ())
        )

    return incident_records + [
        InterruptionRecord(
            unit_id=o.unit_id, started_at=o.started_at, restored_at=o.restored_at, customers_interrupted=1
        )
        for o in outages
        if not in_an_incident(o)
    ]


def _restored_incident_records(
    *, unit_ids: list[int] | None, start_at: datetime, end_at: datetime
) -> tuple[list[InterruptionRecord], dict[str, list[tuple[datetime, datetime]]]]:
    """Records of restored incidents, and per customer key the intervals those incidents already cover."""
    from dispatch.models import Incident, IncidentReport

    incidents = Incident.objects.filter(
        status=Incident.Status.RESTORED, restored_at__isnull=False, opened_at__gte=start_at, opened_at__lt=end_at
    )
    if unit_ids is not None:
        incidents = incidents.filter(unit_id__in=unit_ids)
    rows = list(
        incidents.values_list("id", "unit_id", "opened_at", "restored_at", "customers_affected", "report_count")
    )
    if not rows:
        return [], {}
    members: dict[int, list[tuple[str, datetime]]] = defaultdict(list)
    for incident_id, customer_id, phone, informed in IncidentReport.objects.filter(
        incident_id__in=[row[0] for row in rows]
    ).values_list("incident_id", "ticket__customer_id", "ticket__reporter_phone", "ticket__first_informed_at"):
        members[incident_id].append((f"c{customer_id}" if customer_id else f"p{phone}", informed))
    records, covered = [], defaultdict(list)
    for incident_id, unit_id, opened_at, restored_at, affected, reports in rows:
        started = min([informed for _key, informed in members[incident_id]] + [opened_at])
        if restored_at <= started:
            continue
        records.append(
            InterruptionRecord(
                unit_id=unit_id,
                started_at=started,
                restored_at=restored_at,
                customers_interrupted=max(affected or 0, reports or 0, 1),
            )
        )
        for key, _informed in members[incident_id]:
            covered[key].append((started, restored_at))
    return records, dict(covered)


def customers_served(unit_ids: list[int] | None) -> dict[int, int]:
    """Customers served per unit: the count kept by the last customer import from the CIS (billing)."""
    return billing_selectors.customers_served(unit_ids)


def reliability(scope: ReportScope, *, records: list[InterruptionRecord] | None = None) -> dict:
    """SAIFI, SAIDI (minutes) and CAIDI per unit and month, and for the whole scope per month."""
    if records is None:
        records = interruption_records(unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at)
    served = customers_served(scope.unit_ids)
    tz = ZoneInfo(scope.zone)

    def month_of(record: InterruptionRecord) -> str:
        return record.started_at.astimezone(tz).strftime("%Y-%m")

    per_unit = reliability_indices(records, customers_served=served, key=lambda r: (r.unit_id, month_of(r)))
    total_served = sum(served.values())
    per_month = reliability_indices(
        records, customers_served=served, key=month_of, served_for=lambda _month: total_served
    )
    units = {u.pk: u for u in ServiceUnit.objects.filter(pk__in={unit_id for unit_id, _m in per_unit})}
    unit_rows = [
        {"unit": units.get(unit_id), "month": month, "indices": indices}
        for (unit_id, month), indices in sorted(per_unit.items(), key=lambda item: (item[0][1], item[0][0]))
    ]
    month_rows = [{"month": month, "indices": indices} for month, indices in sorted(per_month.items())]
    return {"units": unit_rows, "months": month_rows, "customers_served": total_served}


def monthly_outage_compensation(
    scope: ReportScope, *, limit: int = 20, outages: list[CustomerOutage] | None = None
) -> dict:
    """Per customer and month, from outage records: the one indicator paid (the largest) and its percent."""
    if outages is None:
        outages = customer_outages(unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at)
    tz = ZoneInfo(scope.zone)
    totals: dict[tuple[str, str], dict] = {}
    for outage in outages:
        if outage.restored_at - outage.started_at <= timedelta(minutes=5):
            continue
        month = outage.started_at.astimezone(tz).strftime("%Y-%m")
        entry = totals.setdefault(
            (outage.customer_key, month),
            {"hours": 0.0, "count": 0, "tariff": outage.tariff, "power_va": outage.power_va, "unit_id": outage.unit_id},
        )
        entry["hours"] += (outage.restored_at - outage.started_at).total_seconds() / 3600
        entry["count"] += 1
    by_percent: dict[int, int] = defaultdict(int)
    cases = []
    limits: dict[str, tuple[float | None, float | None]] = {}
    for (customer_key, month), entry in totals.items():
        if month not in limits:
            first = date.fromisoformat(f"{month}-01")
            limits[month] = (
                sla_selectors.monthly_limit("outage_duration", on=first),
                sla_selectors.monthly_limit("outage_count", on=first),
            )
        duration_limit, count_limit = limits[month]
        if duration_limit is None or count_limit is None:
            continue
        result = sla.monthly_outage_compensation(
            outage_hours=entry["hours"],
            outage_count=entry["count"],
            duration_target_hours=duration_limit,
            count_target=int(count_limit),
            tariff=entry["tariff"],
            power_va=entry["power_va"],
            month=date.fromisoformat(f"{month}-01"),
        )
        if result is None:
            continue
        by_percent[result.percent] += 1
        cases.append({"customer": customer_key, "month": month, "result": result})
    cases.sort(key=lambda case: (-case["result"].percent, -case["result"].outage_hours))
    return {
        "by_percent": sorted(by_percent.items()),
        "customers": len(cases),
        "top": cases[:limit],
        "rule": sla.RULE_2019,
    }


# --- External referrals, feedback ------------------------------------------------------------------------


def referrals(scope: ReportScope) -> QuerySet[ExternalReferral]:
    """Referrals raised in the range, plus any still open whatever their date (they have a deadline)."""
    return (
        ExternalReferral.objects.filter(scope.units("ticket__unit_id"))
        .filter(
            Q(raised_on__gte=scope.start, raised_on__lte=scope.end)
            | Q(ticket__status__in=OPEN_STATUSES + [Ticket.Status.RESOLVED])
        )
        .select_related("ticket", "ticket__category", "ticket__unit")
        .order_by("deadline", "id")
    )


def feedback_summary(scope: ReportScope, *, latest: int = 3) -> dict:
    """Kritik, saran and apresiasi received in the range (every channel: the feedback page, the API and SP-*
    tickets, one ``Feedback`` row each): counts by kind and per ULP, the latest words of each kind, how many were
    answered and how long the answer took (hours from receipt to reply)."""
    in_range = Feedback.objects.filter(scope.units(), created_at__gte=scope.start_at, created_at__lt=scope.end_at)
    per_unit_kind = in_range.values("unit_id", "kind").annotate(
        n=Count("id"), replied=Count("id", filter=Q(replied_at__isnull=False))
    )
    by_kind: dict = defaultdict(int)
    units: dict = {}
    for row in per_unit_kind:
        by_kind[row["kind"]] += row["n"]
        unit = units.setdefault(row["unit_id"], {"counts": defaultdict(int), "total": 0, "replied": 0})
        unit["counts"][row["kind"]] += row["n"]
        unit["total"] += row["n"]
        unit["replied"] += row["replied"]
    names = dict(ServiceUnit.objects.filter(pk__in=[pk for pk in units if pk]).values_list("pk", "name"))
    kinds = []
    for kind, label in Feedback.Kind.choices:
        words = list(
            in_range.filter(kind=kind)
            .order_by("-created_at", "-id")
            .values("created_at", "message", "ticket__number")[:latest]
        )
        kinds.append({"kind": kind, "label": label, "count": by_kind.get(kind, 0), "latest": words})
    unit_rows = sorted(
        (
            {
                "unit": names.get(pk, ""),
                "counts": [row["counts"].get(kind, 0) for kind in Feedback.Kind.values],
                "total": row["total"],
                "replied": row["replied"],
            }
            for pk, row in units.items()
        ),
        key=lambda row: (-row["total"], row["unit"]),
    )
    waits = sorted(
        (replied_at - created_at).total_seconds() / 3600
        for created_at, replied_at in in_range.filter(replied_at__isnull=False).values_list("created_at", "replied_at")
    )
    total = sum(by_kind.values())
    replied = len(waits)
    return {
        "total": total,
        "kinds": kinds,
        "units": unit_rows,
        "replied": replied,
        "replied_percent": round(100 * replied / total, 1) if total else None,
        "reply_hours_average": round(sum(waits) / replied, 1) if replied else None,
        "reply_hours_median": round(_median(waits), 1) if replied else None,
    }


def _median(values: list[float]) -> float:
    middle = len(values) // 2
    return values[middle] if len(values) % 2 else (values[middle - 1] + values[middle]) / 2


def tickets_for_export(scope: ReportScope) -> QuerySet:
    """Ticket rows of the range for the list export (values only, streamed in chunks)."""
    return (
        Ticket.objects.filter(scope.units(), created_at__gte=scope.start_at, created_at__lt=scope.end_at)
        .order_by("created_at", "id")
        .values_list(
            "number",
            "created_at",
            "category__code",
            "status",
            "priority",
            "unit__code",
            "channel",
            "response_due_at",
            "resolution_due_at",
            "restored_at",
            "resolved_at",
        )
    )


def last_activity(scope: ReportScope) -> datetime | None:
    return Ticket.objects.filter(scope.units()).aggregate(last=Max("created_at"))["last"]
