"""Writes of outage communication: planned outages, wide-area mode, staged restoration, the confirmation loop."""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from core.errors import ConflictError, InvalidInput
from core.phone import normalize_phone
from dispatch import services as dispatch_services
from notifications import messages as notification_messages
from notifications import services as notifications
from tickets import services as ticket_services
from tickets.models import Category, ServiceUnit, Ticket
from tickets.sla import services as sla_services

from . import geometry, selectors
from .models import (
    OutageAlertOptIn,
    PlannedOutage,
    PlannedOutageReport,
    RestorationCheck,
    RestorationSubscription,
    StagedRestoration,
    WideAreaOutage,
)

logger = logging.getLogger(__name__)
S = Ticket.Status
CODE_MAX = 200
DONE = (S.RESTORED, S.CLOSED, S.CANCELLED)


# --- Cache -----------------------------------------------------------------------------------------------


def invalidate(unit_id: int) -> None:
    """Drop the cached public state of a unit and the maps of every area above it (after commit)."""

    def drop():
        row = selectors.unit_row(unit_id=unit_id)
        keys = [selectors.unit_key(unit_id)]
        if row is not None:
            keys += [selectors.area_key(code) for code in [row["code"], *row["ancestors"]]]
        cache.delete_many(keys)

    transaction.on_commit(drop)


# --- Planned outages -------------------------------------------------------------------------------------


def _codes(values, field: str, errors: dict) -> list[str]:
    if values in (None, ""):
        return []
    if isinstance(values, str):
        values = values.replace(";", ",").split(",")
    if not isinstance(values, list | tuple):
        errors[field] = [_("Give a list of codes.")]
        return []
    codes = sorted({str(v).strip().upper() for v in values if str(v).strip()})
    if len(codes) > CODE_MAX or any(len(code) > 32 for code in codes):
        errors[field] = [_("At most %(n)s codes of at most 32 characters.") % {"n": CODE_MAX}]
    return codes


def validate_planned_outage(
    *,
    unit: ServiceUnit | None,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    transformer_codes=None,
    feeder_codes=None,
    area: dict | None = None,
    now: datetime | None = None,
):
    """Check a planned outage; bad input → ValidationError with field messages. Returns the cleaned area.

    Refused: a window that ends before it starts, a start in the past, no area at all, a polygon that is not
    one, and a second plan for the same area of the same ULP whose window overlaps an existing one.
    """
    now = now or timezone.now()
    errors: dict[str, list[str]] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = [_("Say what work is planned.")]
    if unit is None or unit.level != ServiceUnit.Level.ULP:
        errors["unit"] = [_("Planned outages belong to a ULP.")]
    if starts_at is None:
        errors["starts_at"] = [_("Give the start.")]
    if ends_at is None:
        errors["ends_at"] = [_("Give the end.")]
    if starts_at and ends_at and ends_at <= starts_at:
        errors["ends_at"] = [_("The end must be after the start.")]
    if starts_at and starts_at < now - timedelta(minutes=5):
        errors["starts_at"] = [_("The start is in the past.")]
    transformers = _codes(transformer_codes, "transformer_codes", errors)
    feeders = _codes(feeder_codes, "feeder_codes", errors)
    shape = None
    if area:
        try:
            shape = geometry.parse_area(area)
        except ValidationError as exc:
            errors.update(exc.message_dict)
        if isinstance(area, dict) and area.get("type") == "Feature":
            area = area.get("geometry")
    if not area and not transformers and not feeders:
        errors["area"] = [_("Give the transformers, the feeders or draw the area.")]
    if not errors:
        overlapping = PlannedOutage.objects.filter(
            unit=unit, cancelled_at__isnull=True, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).only("transformer_codes", "feeder_codes", "area")
        same = (transformers, feeders, area or None)
        if any(
            (sorted(p.transformer_codes or []), sorted(p.feeder_codes or []), p.area or None) == same
            for p in overlapping
        ):
            errors["starts_at"] = [_("The same area already has a planned outage overlapping this window.")]
    if errors:
        raise InvalidInput(errors)
    return transformers, feeders, area, shape


def create_planned_outage(
    *,
    unit: ServiceUnit,
    title: str,
    starts_at: datetime | None,
    ends_at: datetime | None,
    transformer_codes=None,
    feeder_codes=None,
    area: dict | None = None,
    by=None,
    now: datetime | None = None,
) -> PlannedOutage:
    """Schedule maintenance for an area of a ULP (rules in ``validate_planned_outage``); then customers are told
    PLANNED_OUTAGE_NOTICE_HOURS ahead by the sweep."""
    transformers, feeders, area, shape = validate_planned_outage(
        unit=unit,
        title=title,
        starts_at=starts_at,
        ends_at=ends_at,
        transformer_codes=transformer_codes,
        feeder_codes=feeder_codes,
        area=area,
        now=now,
    )
    title = title.strip()
    plan = PlannedOutage(
        unit=unit,
        title=title[:160],
        transformer_codes=transformers,
        feeder_codes=feeders,
        area=area or None,
        starts_at=starts_at,
        ends_at=ends_at,
        created_by=by,
    )
    with transaction.atomic():
        if shape is not None:
            plan.center_lat, plan.center_lng, plan.radius_m = geometry.area_centre_and_radius(shape)
        customers = selectors.affected_customers(plan)
        if shape is None:
            points = list(customers.exclude(lat__isnull=True).values_list("lat", "lng")[:5000])
            plan.center_lat, plan.center_lng, plan.radius_m = geometry.centre_and_radius(points)
        plan.customers_affected = customers.count()
        plan.full_clean(exclude=["created_by"])
        plan.save()
        invalidate(unit.pk)
    return plan


@transaction.atomic
def cancel_planned_outage(*, plan: PlannedOutage, by=None) -> PlannedOutage:
    locked = PlannedOutage.objects.select_for_update().get(pk=plan.pk)
    if locked.cancelled_at is not None or locked.ended_at is not None:
        raise ConflictError(_("This planned outage is already over."))
    locked.cancelled_at = timezone.now()
    locked.save(update_fields=["cancelled_at"])
    invalidate(locked.unit_id)
    return locked


@transaction.atomic
def opt_in(*, customer, language: str = "id") -> OutageAlertOptIn:
    row, _created = OutageAlertOptIn.objects.update_or_create(
        customer=customer, defaults={"language": language if language in ("id", "en") else "id"}
    )
    return row


def _plan_payload(plan: PlannedOutage) -> dict:
    zone = plan.unit.time_zone
    return {
        "area": plan.unit.name,
        "starts": selectors.local_time(plan.starts_at, zone, with_date=True),
        "ends": selectors.local_time(plan.ends_at, zone, with_date=True),
        "url": settings.SITE_URL + reverse("outages:map") + f"?area={plan.unit.code}",
    }


def send_planned_notices(*, now: datetime | None = None) -> int:
    """Tell opted-in customers of plans starting within PLANNED_OUTAGE_NOTICE_HOURS; once per plan."""
    now = now or timezone.now()
    ahead = now + timedelta(hours=settings.PLANNED_OUTAGE_NOTICE_HOURS)
    due = PlannedOutage.objects.filter(
        cancelled_at__isnull=True, notice_sent_at__isnull=True, starts_at__lte=ahead, ends_at__gt=now
    ).values_list("pk", flat=True)
    sent = 0
    for plan_id in list(due):
        with transaction.atomic():
            plan = (
                PlannedOutage.objects.select_for_update(of=("self",))
                .select_related("unit")
                .filter(pk=plan_id, notice_sent_at__isnull=True)
                .first()
            )
            if plan is None:
                continue
            payload = _plan_payload(plan)
            for customer in selectors.opted_in_customers(plan).iterator(chunk_size=500):
                sent += len(
                    notifications.notify_contact(
                        kind=notification_messages.PLANNED_OUTAGE_NOTICE,
                        dedupe_key=f"planned:{plan.pk}:notice:{customer.pk}",
                        phone=customer.phone,
                        email=customer.email,
                        language=customer.outage_alert.language,
                        payload=payload,
                    )
                )
            plan.notice_sent_at = now
            plan.save(update_fields=["notice_sent_at"])
    return sent


def end_planned_outages(*, now: datetime | None = None) -> int:
    """Close plans whose window is over: tell opted-in customers, restore the reports recorded against them."""
    now = now or timezone.now()
    ended = 0
    for plan_id in list(
        PlannedOutage.objects.filter(cancelled_at__isnull=True, ended_at__isnull=True, ends_at__lte=now).values_list(
            "pk", flat=True
        )
    ):
        with transaction.atomic():
            plan = (
                PlannedOutage.objects.select_for_update(of=("self",))
                .select_related("unit")
                .filter(pk=plan_id, ended_at__isnull=True)
                .first()
            )
            if plan is None:
                continue
            payload = _plan_payload(plan)
            for customer in selectors.opted_in_customers(plan).iterator(chunk_size=500):
                notifications.notify_contact(
                    kind=notification_messages.PLANNED_OUTAGE_ENDED,
                    dedupe_key=f"planned:{plan.pk}:ended:{customer.pk}",
                    phone=customer.phone,
                    email=customer.email,
                    language=customer.outage_alert.language,
                    payload=payload,
                )
            for ticket in Ticket.objects.filter(planned_outage_report__plan=plan).exclude(status__in=DONE):
                with override(ticket.language or "id"):
                    message = _("The planned maintenance has ended and power is back on.")
                ticket_services.change_status(ticket=ticket, to_status=S.RESTORED, message=message, at=now)
            plan.ended_at = now
            plan.save(update_fields=["ended_at"])
            invalidate(plan.unit_id)
            ended += 1
    return ended


def record_against_plan(*, ticket: Ticket) -> PlannedOutageReport | None:
    """An outage report inside a planned window: keep it on the plan, do not dispatch, stop the clock.

    Runs inside the transaction that opened the ticket (``ticket_opened`` receiver).
    """
    if ticket.kind != Category.Kind.TECHNICAL:
        return None
    plan = selectors.plan_for_ticket(ticket)
    if plan is None:
        return None
    report, created = PlannedOutageReport.objects.get_or_create(plan=plan, ticket=ticket)
    if not created:
        return report
    ticket_services.mark_dispatch_state(ticket_id=ticket.pk, state=Ticket.DispatchState.NOT_NEEDED)
    ticket.dispatch_state = Ticket.DispatchState.NOT_NEEDED
    sla_services.exempt_clock(ticket=ticket, reason="planned")
    zone = plan.unit.time_zone
    with override(ticket.language or "id"):
        message = _(
            "Your area is in a planned maintenance outage (%(work)s) until %(time)s. "
            "Power returns when the work ends; no crew is sent for this report."
        ) % {"work": plan.title, "time": selectors.local_time(plan.ends_at, zone, with_date=True)}
    ticket_services.add_note(ticket=ticket, author=None, message=message, public=True)
    return report


# --- Wide-area (mass) outage mode ------------------------------------------------------------------------


def _still_out(incident) -> tuple[int, int]:
    """(reports still waiting, customers still out) of an incident, after any staged restoration."""
    from tickets.models import Customer

    waiting = (
        Ticket.objects.filter(incident_report__incident_id=incident.pk, restored_at__isnull=True)
        .exclude(status__in=DONE)
        .count()
    )
    customers = incident.customers_affected or 0
    restored_codes = sorted({code for step in incident.staged_restorations.all() for code in step.transformer_codes})
    if customers and restored_codes:
        customers -= Customer.objects.filter(unit_id=incident.unit_id, transformer_code__in=restored_codes).count()
    return waiting, max(customers, 0)


def evaluate_incident(*, incident, change: str = "") -> WideAreaOutage | None:
    """Enter or leave INFO PADAM MELUAS for an incident from its unit's threshold; call in the change's transaction.

    The public caches of the unit are dropped when what they show changes: the mode starts or ends, or the
    incident changes otherwise than by one more report joining it (during a storm reports join every second;
    the map's report counts may then lag by up to OUTAGE_PUBLIC_CACHE_SECONDS).
    """
    if change in ("joined", "opened"):
        # Reports joined an incident, or opened it: its totals (bounds of what is still out) are fresh. Below the
        # threshold, the mode cannot start and there is nothing to count unless it is on (the threshold was
        # raised since) — one read of the threshold and the wide-area row, then done.
        min_reports, min_customers, wide = selectors.wide_area_state(incident.unit_id, incident.pk)
        if (
            incident.is_open
            and incident.report_count < min_reports
            and incident.customers_affected < min_customers
            and (wide is None or not wide.active)
        ):
            if change != "joined":
                invalidate(incident.unit_id)
            return wide
    else:
        min_reports, min_customers = selectors.thresholds_for(incident.unit_id)
    reports, customers = _still_out(incident)
    above = incident.is_open and (reports >= min_reports or customers >= min_customers)
    wide = WideAreaOutage.objects.select_for_update().filter(incident_id=incident.pk).first()
    was_active = wide is not None and wide.active
    now = timezone.now()
    if above:
        if wide is None:
            wide = WideAreaOutage.objects.create(
                incident_id=incident.pk, unit_id=incident.unit_id, started_at=now, reports=reports, customers=customers
            )
            logger.warning("INFO PADAM MELUAS: incident %s of unit %s", incident.pk, incident.unit_id)
        else:
            wide.active, wide.ended_at, wide.reports, wide.customers = True, None, reports, customers
            wide.save(update_fields=["active", "ended_at", "reports", "customers"])
    elif was_active:
        wide.active, wide.ended_at, wide.reports, wide.customers = False, now, reports, customers
        wide.save(update_fields=["active", "ended_at", "reports", "customers"])
    if above != was_active or change != "joined":
        invalidate(incident.unit_id)
    return wide


@transaction.atomic
def subscribe_to_restoration(*, incident, phone: str, language: str = "id", source: str = "web"):
    """One message when the power of this incident returns, instead of a report. Same phone again → same row."""
    try:
        number = normalize_phone(phone)
    except ValidationError as exc:
        raise InvalidInput({"phone": exc.messages}) from exc
    if not incident.is_open:
        raise ConflictError(_("Power is already back on for this outage."))
    row, created = RestorationSubscription.objects.get_or_create(
        incident=incident,
        phone=number,
        defaults={"language": language if language in ("id", "en") else "id", "source": source[:10]},
    )
    row.was_created = created
    return row


def notify_restoration_subscribers(*, incident) -> int:
    """Tell everyone who asked that the power is back (once each); call in the restoring transaction."""
    unit_name = incident.unit.name
    told = 0
    now = timezone.now()
    rows = list(RestorationSubscription.objects.select_for_update().filter(incident=incident, notified_at__isnull=True))
    for row in rows:
        notifications.notify_contact(
            kind=notification_messages.POWER_BACK,
            dedupe_key=f"powerback:{row.pk}",
            phone=row.phone,
            language=row.language,
            payload={"area": unit_name, "url": settings.SITE_URL + reverse("tickets:report")},
        )
        told += 1
    RestorationSubscription.objects.filter(pk__in=[r.pk for r in rows]).update(notified_at=now)
    return told


# --- Staged restoration (NYALA BERTAHAP) -----------------------------------------------------------------


def restore_partly(*, incident, transformer_codes, by=None, message: str = "") -> StagedRestoration:
    """Restore the tickets of an incident whose customers are on these transformers; the rest keep waiting."""
    errors: dict = {}
    codes = _codes(transformer_codes, "transformer_codes", errors)
    if not codes and "transformer_codes" not in errors:
        errors["transformer_codes"] = [_("Give the transformers restored so far.")]
    if errors:
        raise InvalidInput(errors)
    with transaction.atomic():
        locked = dispatch_services.lock_incident(incident_id=incident.pk)
        if not locked.is_open:
            raise ConflictError(_("This incident is already closed."))
        tickets = list(
            Ticket.objects.filter(incident_report__incident=locked, customer__transformer_code__in=codes)
            .exclude(status__in=DONE)
            .select_related("unit")
        )
        for ticket in tickets:
            with override(ticket.language or "id"):
                text = message or _("Power is back on in your area (staged restoration); other areas follow.")
            ticket_services.change_status(
                ticket=ticket, to_status=S.RESTORED, actor=by, message=text, data={"staged": True}
            )
        step = StagedRestoration.objects.create(
            incident=locked, transformer_codes=codes, tickets_restored=len(tickets), by=by
        )
        # Dispatch owns the incident: it records the state and tells everyone who follows incidents (this app
        # re-checks the wide-area threshold there).
        dispatch_services.mark_partly_restored(incident=locked)
    return step


# --- "Is your power back?" -------------------------------------------------------------------------------


def ask_confirmation(*, ticket: Ticket) -> RestorationCheck | None:
    """After an outage ticket is restored, open its "is your power back?" question (once).

    The question reaches the reporter in the "restored" message itself (notifications.messages adds
    the /nyala/<tracking token>/ link while RESTORATION_CONFIRM_ENABLED): one message, not two.
    """
    if not settings.RESTORATION_CONFIRM_ENABLED or ticket.kind != Category.Kind.TECHNICAL:
        return None
    now = timezone.now()
    check, _created = RestorationCheck.objects.get_or_create(
        ticket=ticket, defaults={"due_at": now + timedelta(hours=settings.RESTORATION_CONFIRM_HOURS), "asked_at": now}
    )
    return check


def _close(ticket: Ticket, *, message: str, survey: bool, follow_up: Ticket | None = None) -> None:
    current = Ticket.objects.filter(pk=ticket.pk).values_list("status", flat=True).first()
    if current == S.RESTORED:
        data = {"survey": True} if survey else {}
        if follow_up is not None:  # the closing message names the new report instead of thanking
            data["follow_up"] = follow_up.number
        ticket_services.change_status(ticket=ticket, to_status=S.CLOSED, message=message, data=data)


def answer_confirmation(*, token: str, answer: str) -> RestorationCheck | None:
    """Record the reporter's answer once. "no" opens one linked high-priority outage ticket; "yes" closes.

    A second answer (or one after the time ran out) changes nothing and returns the check as it is.
    """
    if answer not in (RestorationCheck.Answer.YES, RestorationCheck.Answer.NO):
        raise InvalidInput({"answer": _("Answer yes or no.")})
    with transaction.atomic():
        check = (
            RestorationCheck.objects.select_for_update(of=("self",))
            .select_related("ticket__category", "ticket__customer", "ticket__unit")
            .filter(ticket__tracking_token=token)
            .first()
        )
        if check is None or not check.is_open:
            return check
        ticket = check.ticket
        now = timezone.now()
        with override(ticket.language or "id"):
            if answer == RestorationCheck.Answer.NO:
                follow_up = ticket_services.open_ticket(
                    category=ticket.category,
                    channel=ticket.channel,
                    description=_("Power is still out after report %(number)s was marked restored.")
                    % {"number": ticket.number},
                    reporter_phone=ticket.reporter_phone,
                    reporter_name=ticket.reporter_name,
                    reporter_email=ticket.reporter_email,
                    customer=ticket.customer,
                    unit=ticket.unit,
                    lat=ticket.lat,
                    lng=ticket.lng,
                    address=ticket.address,
                    priority=Ticket.Priority.HIGH,
                    language=ticket.language,
                    idempotency_key=f"restoration-check-no:{check.pk}",
                    parent=ticket,
                )
                check.follow_up = follow_up
                _close(
                    ticket,
                    message=_("You told us the power is still out; we opened report %(number)s for it.")
                    % {"number": follow_up.number},
                    survey=False,
                    follow_up=follow_up,
                )
            else:
                _close(ticket, message=_("You confirmed the power is back on. Thank you."), survey=True)
        check.answer, check.answered_at = answer, now
        check.save(update_fields=["answer", "answered_at", "follow_up"])
    return check


def close_unanswered_checks(*, now: datetime | None = None, batch: int = 500) -> int:
    """Checks without an answer in time: close the ticket and ask for a rating."""
    now = now or timezone.now()
    closed = 0
    for check_id in list(
        RestorationCheck.objects.filter(answer="", due_at__lte=now).values_list("pk", flat=True)[:batch]
    ):
        with transaction.atomic():
            check = (
                RestorationCheck.objects.select_for_update(of=("self",))
                .select_related("ticket")
                .filter(pk=check_id, answer="")
                .first()
            )
            if check is None:
                continue
            with override(check.ticket.language or "id"):
                _close(check.ticket, message=_("Power restored; closed after no further report."), survey=True)
            check.answer, check.answered_at = RestorationCheck.Answer.TIMEOUT, now
            check.save(update_fields=["answer", "answered_at"])
            closed += 1
    return closed


def sweep(*, now: datetime | None = None) -> dict[str, int]:
    """The minute sweep: planned notices due, plans ended, confirmations unanswered."""
    now = now or timezone.now()
    return {
        "planned_notices": send_planned_notices(now=now),
        "planned_ended": end_planned_outages(now=now),
        "checks_closed": close_unanswered_checks(now=now),
    }
