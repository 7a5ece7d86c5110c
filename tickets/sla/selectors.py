"""Reads for service levels: the target that applies, holidays, escalations and back-office queues."""

from bisect import bisect_left
from datetime import date, datetime

from django.db.models import F, Q, QuerySet

from tickets import reference, selectors
from tickets.models import (
    QUEUE_KINDS,
    QUEUE_PRIORITY_ORDER,
    QUEUE_STATUSES,
    Category,
    Escalation,
    ExternalReferral,
    ServiceLevelTarget,
    ServiceUnit,
    Ticket,
    queue_rank,
)


def unit_ancestry(unit: ServiceUnit) -> list[int]:
    """The unit's id and those of the units above it, nearest first (from the process's reference copy)."""
    return reference.tables().ancestry(unit.pk)


def target_for(*, category: Category, unit: ServiceUnit, on: date, network_work: str = "") -> ServiceLevelTarget | None:
    """The target version valid on ``on`` for the category, the most specific unit and network work first.

    Read from the process's copy of the targets (``tickets.reference``): no query. Shared rows: read-only.
    """
    held = reference.tables()
    ancestry = held.ancestry(unit.pk)
    candidates = [
        t
        for t in held.targets.get(category.pk, ())
        if t.valid_from <= on
        and (t.valid_until is None or t.valid_until > on)
        and (t.unit_id is None or t.unit_id in ancestry)
        and t.network_work in {"", network_work or "none"}
    ]
    if not candidates:
        return None

    def rank(t: ServiceLevelTarget):
        depth = ancestry.index(t.unit_id) if t.unit_id is not None else len(ancestry)
        exact = 0 if t.network_work == (network_work or "none") else 1
        return (depth, exact, -t.valid_from.toordinal())

    return min(candidates, key=rank)


def monthly_limit(indicator: str, *, on: date) -> float | None:
    target = (
        ServiceLevelTarget.objects.filter(
            indicator=indicator, category__isnull=True, unit__isnull=True, valid_from__lte=on
        )
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gt=on))
        .order_by("-valid_from")
        .first()
    )
    return float(target.monthly_limit) if target and target.monthly_limit is not None else None


def holidays(*, start: datetime | date, years: int = 3) -> frozenset[date]:
    """Public holidays from ``start`` for ``years`` years (from the process's reference copy: no query)."""
    first = start.date() if isinstance(start, datetime) else start
    until = first.replace(year=first.year + years)
    every = reference.tables().holidays
    return frozenset(every[bisect_left(every, first) : bisect_left(every, until)])


def escalations_visible_to(viewer) -> QuerySet[Escalation]:
    qs = Escalation.objects.select_related("ticket", "ticket__category", "unit")
    unit_ids = selectors.visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(unit_id__in=unit_ids)


PRIORITY_ORDER = QUEUE_PRIORITY_ORDER
BACK_OFFICE_KINDS = QUEUE_KINDS


def back_office_queue(viewer, *, unit_id: int | None = None, queue: str = "open") -> QuerySet[Ticket]:
    """Non-outage tickets of the viewer's units: referred ones first, then by due time."""
    qs = (
        selectors.tickets_visible_to(viewer)
        .filter(kind__in=BACK_OFFICE_KINDS)
        .select_related("service_level", "service_level__owner")
    )
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if queue == "mine":
        qs = qs.filter(service_level__owner=viewer, status__in=QUEUE_STATUSES)
    elif queue == "unclaimed":
        qs = qs.filter(status=Ticket.Status.RECEIVED, service_level__owner__isnull=True)
    elif queue == "waiting":
        qs = qs.filter(status=Ticket.Status.WAITING_CUSTOMER)
    elif queue == "referred":
        qs = qs.filter(referrals__isnull=False, status__in=QUEUE_STATUSES).distinct()
    else:
        qs = qs.filter(status__in=QUEUE_STATUSES)
    # Same expression and order as the partial indexes on Ticket (ticket_queue_*order_idx).
    return qs.annotate(priority_rank=queue_rank()).order_by(
        "priority_rank", F("resolution_due_at").asc(nulls_last=True), "id"
    )


# What a row of the back-office queue page shows, no more: model rows with every column were half its time.
QUEUE_ROW_FIELDS = (
    "number",
    "priority",
    "status",
    "resolution_due_at",
    "response_due_at",
    "category__code",
    "category__name_id",
    "category__name_en",
    "unit__name",
    "unit__time_zone",
    "service_level__owner__username",
    "service_level__owner__first_name",
    "service_level__owner__last_name",
)


def back_office_queue_rows(viewer, *, unit_id: int | None = None, queue: str = "open") -> QuerySet[Ticket]:
    """``back_office_queue`` with only the columns and related rows the queue page shows (and its referrals)."""
    return (
        back_office_queue(viewer, unit_id=unit_id, queue=queue)
        .select_related(None)
        .select_related("category", "unit", "service_level__owner")
        .only(*QUEUE_ROW_FIELDS)
        .prefetch_related("referrals")
    )


def referrals_visible_to(viewer) -> QuerySet[ExternalReferral]:
    qs = ExternalReferral.objects.select_related("ticket", "ticket__category", "ticket__unit")
    unit_ids = selectors.visible_unit_ids(viewer)
    if unit_ids is None:
        return qs
    return qs.filter(ticket__unit_id__in=unit_ids)
