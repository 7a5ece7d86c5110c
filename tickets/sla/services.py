"""Writes for service levels: start and move each ticket's clock, record breaches, escalate, back-office work."""

import logging
from datetime import date, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import roles
from core.errors import ApplicationError, InvalidInput
from tickets import services
from tickets.models import (
    Customer,
    Escalation,
    ExternalReferral,
    ServiceLevelTarget,
    ServiceRequestDetail,
    ServiceUnit,
    Ticket,
    TicketEvent,
    TicketServiceLevel,
)

from . import rules as sla
from . import selectors as sla_selectors

logger = logging.getLogger(__name__)
S = Ticket.Status
RESOLVING_STATUSES = {S.RESTORED, S.RESOLVED, S.CLOSED}
COMPENSATED_INDICATORS = {
    ServiceLevelTarget.Indicator.NEW_CONNECTION_LV,
    ServiceLevelTarget.Indicator.POWER_CHANGE_LV,
    ServiceLevelTarget.Indicator.BILL_CORRECTION,
}


# --- The clock ------------------------------------------------------------------------------------------


def _pauses(tsl: TicketServiceLevel) -> list[tuple[datetime, datetime]]:
    return [(parse_datetime(a), parse_datetime(b)) for a, b in tsl.pauses]


def _compute_due_times(tsl: TicketServiceLevel) -> None:
    target = tsl.target
    if target is None:
        tsl.response_due_at = tsl.resolution_due_at = None
        return
    kwargs = {
        "clock": target.clock,
        "zone": tsl.zone,
        "holidays": sla_selectors.holidays(start=tsl.started_at - timedelta(days=1)),
        "pauses": _pauses(tsl),
    }
    tsl.clock = target.clock
    tsl.indicator = target.indicator
    tsl.response_due_at = (
        sla.due_at(tsl.started_at, target.response_time, **kwargs) if target.response_time is not None else None
    )
    tsl.resolution_due_at = (
        sla.due_at(tsl.started_at, target.resolution_time, **kwargs) if target.resolution_time is not None else None
    )


def pending_deadline(tsl: TicketServiceLevel) -> tuple[str, datetime] | None:
    """The next deadline the ticket can still miss: the response first, then the resolution."""
    if tsl.response_due_at and tsl.responded_at is None and tsl.response_breached_at is None:
        return TicketServiceLevel.Deadline.RESPONSE, tsl.response_due_at
    if tsl.resolution_due_at and tsl.resolved_at is None and tsl.resolution_breached_at is None:
        return TicketServiceLevel.Deadline.RESOLUTION, tsl.resolution_due_at
    return None


def _warn_lead(tsl: TicketServiceLevel, due: datetime) -> timedelta:
    """Warn a fixed time before the breach, but never earlier than a quarter of the way into the target."""
    configured = timedelta(minutes=settings.SLA_WARN_BEFORE_MINUTES)
    return min(configured, (due - tsl.started_at) / 4)


def _refresh_alarms(tsl: TicketServiceLevel) -> None:
    tsl.warn_at = tsl.next_due_at = tsl.up3_at = None
    if tsl.stopped_at is not None or tsl.paused_since is not None:
        return
    pending = pending_deadline(tsl)
    if pending is not None:
        tsl.next_due_at = pending[1]
        if tsl.warned_at is None:
            tsl.warn_at = pending[1] - _warn_lead(tsl, pending[1])
    breached = [
        due
        for due, at in (
            (tsl.response_due_at, tsl.response_breached_at),
            (tsl.resolution_due_at, tsl.resolution_breached_at),
        )
        if at is not None and due is not None
    ]
    if breached and not Escalation.objects.filter(ticket_id=tsl.ticket_id, level=Escalation.Level.UP3).exists():
        # The UP3 hears of it when the ticket has stayed late for as long again as its target.
        first = min(breached)
        tsl.up3_at = first + max(first - tsl.started_at, timedelta(minutes=settings.SLA_UP3_MIN_DELAY_MINUTES))


def _save(tsl: TicketServiceLevel, *, ticket_row_has_due_times: bool = False) -> None:
    tsl.save()
    if not ticket_row_has_due_times:
        Ticket.objects.filter(pk=tsl.ticket_id).update(
            response_due_at=tsl.response_due_at, resolution_due_at=tsl.resolution_due_at
        )
    tsl.ticket.response_due_at = tsl.response_due_at
    tsl.ticket.resolution_due_at = tsl.resolution_due_at


def new_clock(*, ticket: Ticket, network_work: str = "") -> TicketServiceLevel:
    """The clock of a ticket, unsaved: the target valid on the day it was opened (in the unit's zone) and its
    due times, which are also set on ``ticket``. Intake calls it before saving a new ticket, so the ticket's
    own INSERT carries its due times, then ``start_clock(ticket=…, clock=…)`` stores the clock."""
    zone = ticket.unit.time_zone
    started = ticket.first_informed_at or ticket.created_at
    target = sla_selectors.target_for(
        category=ticket.category,
        unit=ticket.unit,
        on=timezone.localtime(started, sla.ZoneInfo(zone)).date(),
        network_work=network_work,
    )
    tsl = TicketServiceLevel(
        ticket=ticket,
        unit_id=ticket.unit_id,
        target=target,
        indicator=target.indicator if target else "",
        clock=target.clock if target else sla.HOURS,
        zone=zone,
        started_at=started,
    )
    _compute_due_times(tsl)
    _refresh_alarms(tsl)
    ticket.response_due_at = tsl.response_due_at
    ticket.resolution_due_at = tsl.resolution_due_at
    return tsl


@transaction.atomic(savepoint=False)  # no savepoint: a failure here fails the caller's whole change
def start_clock(
    *, ticket: Ticket, network_work: str = "", clock: TicketServiceLevel | None = None
) -> TicketServiceLevel:
    """Store the ticket's due times from the target valid on the day it was opened (in the unit's zone).

    ``clock``: what ``new_clock`` gave for this ticket before it was saved with those due times (no UPDATE of
    the ticket then).
    """
    if clock is not None and clock.ticket is ticket and not clock._state.adding:
        return clock  # written with the ticket (intake: ``core.sql.insert_linked``)
    if clock is not None and clock.ticket is ticket and ticket.pk is not None:
        clock.ticket = ticket  # the ticket has its id now
        _save(
            clock,
            ticket_row_has_due_times=(ticket.response_due_at, ticket.resolution_due_at)
            == (clock.response_due_at, clock.resolution_due_at),
        )
        return clock
    tsl = new_clock(ticket=ticket, network_work=network_work)
    _save(tsl)
    return tsl


def _locked(ticket_id: int) -> TicketServiceLevel | None:
    return (
        TicketServiceLevel.objects.select_for_update(of=("self",))
        .select_related("ticket", "target")
        .filter(ticket_id=ticket_id)
        .first()
    )


@transaction.atomic
def retarget_clock(*, ticket: Ticket, network_work: str) -> TicketServiceLevel | None:
    """Choose the target again (e.g. once the survey shows the network needs extending) and recompute."""
    tsl = _locked(ticket.pk)
    if tsl is None:
        return None
    target = sla_selectors.target_for(
        category=ticket.category,
        unit=ticket.unit,
        on=timezone.localtime(tsl.started_at, sla.ZoneInfo(tsl.zone)).date(),
        network_work=network_work,
    )
    if target is None or target.pk == tsl.target_id:
        return tsl
    tsl.target = target
    _compute_due_times(tsl)
    _refresh_alarms(tsl)
    _save(tsl)
    return tsl


@transaction.atomic
def exempt_clock(*, ticket: Ticket, reason: str) -> TicketServiceLevel | None:
    """Take the ticket off the regulator's clock (e.g. an outage inside a planned-maintenance window).

    The regulator exempts planned work from the duration and count targets: the ticket keeps its row,
    marked with ``reason``, but has no target and no due times, so it is neither warned, breached,
    escalated nor counted in TMP compliance or outage compensation.
    """
    tsl = _locked(ticket.pk)
    if tsl is None:
        return None
    tsl.exemption = reason[:24]
    tsl.target = None
    tsl.indicator = ""
    tsl.response_due_at = tsl.resolution_due_at = None
    tsl.compensation_rule, tsl.compensation_percent = "", None
    _refresh_alarms(tsl)
    _save(tsl)
    return tsl


@transaction.atomic
def follow_status_change(*, ticket: Ticket, from_status: str, to_status: str, at: datetime) -> None:
    """Move the clock with the ticket: pause while waiting for the customer, stop when resolved or cancelled."""
    tsl = _locked(ticket.pk)
    if tsl is None:
        return
    if to_status == S.WAITING_CUSTOMER and tsl.paused_since is None:
        tsl.paused_since = at
    elif from_status == S.WAITING_CUSTOMER and tsl.paused_since is not None:
        tsl.pauses = [*tsl.pauses, [tsl.paused_since.isoformat(), at.isoformat()]]
        tsl.paused_since = None
        _compute_due_times(tsl)
    if tsl.responded_at is None and from_status == S.RECEIVED and to_status != S.CANCELLED:
        tsl.responded_at = at
        tsl.response_met = tsl.response_due_at is None or at <= tsl.response_due_at
    if to_status in RESOLVING_STATUSES and tsl.resolved_at is None:
        tsl.resolved_at = at
        tsl.stopped_at = at
        if tsl.responded_at is None:
            tsl.responded_at = at
            tsl.response_met = tsl.response_due_at is None or at <= tsl.response_due_at
        tsl.resolution_met = tsl.resolution_due_at is None or at <= tsl.resolution_due_at
    elif to_status == S.CANCELLED:
        tsl.stopped_at = at
    elif from_status == S.RESOLVED and to_status == S.IN_PROGRESS:
        # Reopened: the original due time stands.
        tsl.resolved_at = tsl.stopped_at = tsl.resolution_met = None
    late = [
        (deadline, due)
        for deadline, due, met, breached in (
            (TicketServiceLevel.Deadline.RESPONSE, tsl.response_due_at, tsl.response_met, tsl.response_breached_at),
            (
                TicketServiceLevel.Deadline.RESOLUTION,
                tsl.resolution_due_at,
                tsl.resolution_met,
                tsl.resolution_breached_at,
            ),
        )
        if met is False and breached is None
    ]
    for deadline, due in late:
        _mark_breach(tsl, deadline=deadline, due=due, now=at)
    _refresh_alarms(tsl)
    _save(tsl)


# --- Breach, compensation, escalation -------------------------------------------------------------------


def _compensation_basis(ticket: Ticket) -> tuple[str, int]:
    detail = ServiceRequestDetail.objects.filter(ticket=ticket).first()
    if detail is not None:
        return detail.tariff, detail.requested_power_va
    if ticket.customer_id:
        customer: Customer = ticket.customer
        return customer.tariff, customer.power_va
    return "", 0


def _mark_breach(tsl: TicketServiceLevel, *, deadline: str, due: datetime, now: datetime) -> None:
    """Record a breach once: the timestamp, an internal timeline event and, where due, the compensation flag."""
    field = "response_breached_at" if deadline == TicketServiceLevel.Deadline.RESPONSE else "resolution_breached_at"
    setattr(tsl, field, now)
    data = {"deadline": deadline, "due_at": due.isoformat(), "indicator": tsl.indicator}
    target = tsl.target
    # Bill-correction compensation is for postpaid customers only (docs/domain.md §5.2).
    prepaid = (
        tsl.indicator == ServiceLevelTarget.Indicator.BILL_CORRECTION
        and tsl.ticket.customer_id is not None
        and tsl.ticket.customer.payment_type == Customer.PaymentType.PREPAID
    )
    if (
        deadline == TicketServiceLevel.Deadline.RESOLUTION
        and target is not None
        and target.grants_compensation
        and target.indicator in COMPENSATED_INDICATORS
        and not tsl.compensation_rule
        and not prepaid
    ):
        tariff, power_va = _compensation_basis(tsl.ticket)
        percent = sla.flat_percent(tariff, power_va) if tariff else sla.ADJUSTMENT_PERCENT
        rule = sla.rule_for(timezone.localtime(due, sla.ZoneInfo(tsl.zone)).date())
        tsl.compensation_percent = percent
        tsl.compensation_rule = f"{rule}: {percent}% biaya beban ({tariff or '?'} {power_va or '?'} VA)"
        data.update(compensation_percent=percent, compensation_rule=tsl.compensation_rule)
    TicketEvent.objects.create(
        ticket_id=tsl.ticket_id,
        kind=TicketEvent.Kind.BREACH,
        is_public=False,
        message=_("The %(deadline)s target (due %(due)s) was missed.")
        % {
            "deadline": TicketServiceLevel.Deadline(deadline).label.lower(),
            "due": timezone.localtime(due, sla.ZoneInfo(tsl.zone)).strftime("%Y-%m-%d %H:%M"),
        },
        actor_label="system",
        data=data,
        created_at=now,
    )


def _users_with_role(role: str, unit: ServiceUnit | None):
    if unit is None:
        return get_user_model().objects.none()
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name__in=[role, roles.ADMIN], staff_profile__unit=unit)
        .distinct()
    )


def _recipients(tsl: TicketServiceLevel, level: str) -> tuple[ServiceUnit, list]:
    unit = tsl.ticket.unit
    if level == Escalation.Level.WARNING:
        if tsl.owner is not None:
            return unit, [tsl.owner]
        worker_role = roles.DISPATCHER if tsl.ticket.is_outage else roles.BACK_OFFICE
        return unit, list(_users_with_role(worker_role, unit))
    if level == Escalation.Level.UP3:
        up3 = unit.parent if unit.parent_id and unit.parent.level == ServiceUnit.Level.UP3 else unit
        return up3, list(_users_with_role(roles.SUPERVISOR, up3))
    return unit, list(_users_with_role(roles.SUPERVISOR, unit))


def _escalate(tsl: TicketServiceLevel, *, level: str, deadline: str, due: datetime, now: datetime) -> Escalation | None:
    """Create the escalation of this level once per ticket; mail its recipients after commit."""
    unit, users = _recipients(tsl, level)
    emails = sorted({u.email for u in users if u.email})
    try:
        with transaction.atomic():
            escalation = Escalation.objects.create(
                ticket_id=tsl.ticket_id,
                level=level,
                deadline=deadline,
                unit=unit,
                due_at=due,
                recipients=", ".join(emails),
                created_at=now,
            )
    except IntegrityError:
        return None
    if level != Escalation.Level.WARNING:
        TicketEvent.objects.create(
            ticket_id=tsl.ticket_id,
            kind=TicketEvent.Kind.ESCALATION,
            is_public=False,
            message=str(Escalation.Level(level).label),
            actor_label="system",
            data={"level": level, "unit": unit.code, "deadline": deadline},
            created_at=now,
        )
    if emails:
        subject, body = _escalation_mail(tsl.ticket, level=level, deadline=deadline, due=due, zone=tsl.zone)
        transaction.on_commit(lambda: _send(subject, body, emails))
    return escalation


def _escalation_mail(ticket: Ticket, *, level: str, deadline: str, due: datetime, zone: str) -> tuple[str, str]:
    when = timezone.localtime(due, sla.ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
    subject = f"[Sigap 123] {Escalation.Level(level).label}: {ticket.number}"
    body = "\n".join(
        [
            f"{_('Ticket')}: {ticket.number} ({ticket.category.code})",
            f"{_('Unit')}: {ticket.unit}",
            f"{_('Deadline')}: {TicketServiceLevel.Deadline(deadline).label} {when} {ticket.unit.zone_label}",
            f"{settings.SITE_URL}/backoffice/t/{ticket.number}/",
        ]
    )
    return subject, body


def _send(subject: str, body: str, emails: list[str]) -> None:
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, emails)
    except Exception:  # the escalation row is the record; a mail outage must not undo it
        logger.exception("escalation mail failed for %s", subject)


def escalate_now(*, ticket_id: int, now: datetime | None = None) -> Escalation | None:
    """Escalate a ticket to its ULP supervisor at once (dispatch found nobody to send): once per ticket, on
    the deadline the clock is running for."""
    now = now or timezone.now()
    tsl = (
        TicketServiceLevel.objects.select_related("ticket__unit", "ticket__category")
        .filter(ticket_id=ticket_id)
        .first()
    )
    if tsl is None:
        return None
    deadline, due = pending_deadline(tsl) or (TicketServiceLevel.Deadline.RESOLUTION, now)
    return _escalate(tsl, level=Escalation.Level.ULP, deadline=deadline, due=due, now=now)


def check_one(*, tsl_id: int, now: datetime) -> list[str]:
    """Act on one ticket's alarms under a row lock; safe to run twice or in two workers at once."""
    done: list[str] = []
    with transaction.atomic():
        tsl = (
            TicketServiceLevel.objects.select_for_update(of=("self",))
            .select_related("ticket__unit", "ticket__category", "target", "owner")
            .filter(pk=tsl_id)
            .first()
        )
        if tsl is None or tsl.stopped_at is not None or tsl.paused_since is not None:
            return done
        pending = pending_deadline(tsl)
        if pending is not None:
            deadline, due = pending
            if tsl.warned_at is None and tsl.warn_at is not None and tsl.warn_at <= now < due:
                tsl.warned_at = now
                _escalate(tsl, level=Escalation.Level.WARNING, deadline=deadline, due=due, now=now)
                done.append("warning")
            if due <= now:
                _mark_breach(tsl, deadline=deadline, due=due, now=now)
                _escalate(tsl, level=Escalation.Level.ULP, deadline=deadline, due=due, now=now)
                done.append("breach")
                # A missed response with a resolution still to come keeps watching the resolution.
                second = pending_deadline(tsl)
                if second is not None and second[1] <= now:
                    _mark_breach(tsl, deadline=second[0], due=second[1], now=now)
        if tsl.up3_at is not None and tsl.up3_at <= now:
            breached = tsl.response_due_at if tsl.response_breached_at else tsl.resolution_due_at
            deadline = "response" if tsl.response_breached_at else "resolution"
            _escalate(tsl, level=Escalation.Level.UP3, deadline=deadline, due=breached, now=now)
            done.append("up3")
        _refresh_alarms(tsl)
        tsl.save()
    return done


def check_service_levels(*, now: datetime | None = None, batch: int = 500) -> dict[str, int]:
    """The minute sweep: warn before a breach, record breaches, escalate to the ULP and then the UP3."""
    now = now or timezone.now()
    ids = set()
    for field in ("warn_at", "next_due_at", "up3_at"):
        ids.update(
            TicketServiceLevel.objects.filter(**{f"{field}__lte": now})
            .order_by(field)
            .values_list("pk", flat=True)[:batch]
        )
    counts = {"warning": 0, "breach": 0, "up3": 0}
    for tsl_id in sorted(ids):
        for what in check_one(tsl_id=tsl_id, now=now):
            counts[what] += 1
    return counts


@transaction.atomic
def acknowledge_escalation(*, escalation: Escalation, user) -> Escalation:
    if escalation.acknowledged_at is None:
        escalation.acknowledged_at = timezone.now()
        escalation.acknowledged_by = user
        escalation.save(update_fields=["acknowledged_at", "acknowledged_by"])
    return escalation


# --- Back-office work ----------------------------------------------------------------------------------


def _require_back_office(ticket: Ticket) -> None:
    if ticket.is_outage:
        raise ApplicationError(_("Outage tickets are worked by dispatch, not the back office."))


@transaction.atomic
def claim_ticket(*, ticket: Ticket, user) -> Ticket:
    """Take a back-office ticket: it becomes yours, and work starts if it had not."""
    _require_back_office(ticket)
    tsl = _locked(ticket.pk) or start_clock(ticket=ticket)
    tsl.owner = user
    tsl.claimed_at = timezone.now()
    tsl.save(update_fields=["owner", "claimed_at"])
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.ASSIGNMENT,
        is_public=False,
        message=_("Claimed by %(name)s") % {"name": user.get_full_name() or user.get_username()},
        actor=user,
        actor_label=user.get_username(),
    )
    if ticket.status == S.RECEIVED:
        ticket = services.change_status(ticket=ticket, to_status=S.IN_PROGRESS, actor=user)
    return ticket


def _public_text(message: str, field: str) -> str:
    text = (message or "").strip()
    if not text:
        raise InvalidInput({field: _("Write the message the customer will read.")})
    return text


def ask_customer(*, ticket: Ticket, user, message: str) -> Ticket:
    """Ask the customer for information: the clock pauses until work resumes."""
    _require_back_office(ticket)
    return services.change_status(
        ticket=ticket, to_status=S.WAITING_CUSTOMER, actor=user, message=_public_text(message, "message")
    )


def resume_work(*, ticket: Ticket, user, message: str = "") -> Ticket:
    _require_back_office(ticket)
    return services.change_status(ticket=ticket, to_status=S.IN_PROGRESS, actor=user, message=message.strip())


def resolve_ticket(*, ticket: Ticket, user, answer: str) -> Ticket:
    """Resolve with an answer the customer reads on the tracking page."""
    _require_back_office(ticket)
    return services.change_status(
        ticket=ticket, to_status=S.RESOLVED, actor=user, message=_public_text(answer, "answer")
    )


@transaction.atomic
def save_service_request(
    *,
    ticket: Ticket,
    requested_power_va: int,
    tariff: str,
    programme_code: str = "",
    network_work: str = ServiceLevelTarget.NetworkWork.NONE,
    documents_received: list[str] | None = None,
    actor=None,
) -> ServiceRequestDetail:
    """Record what a new-connection or power-change request asks for; the network work picks its target."""
    if ticket.category.code not in ServiceRequestDetail.DOCUMENTS_FOR:
        raise ApplicationError(_("Only new-connection and power-change requests carry these details."))
    detail = ServiceRequestDetail.objects.filter(ticket=ticket).first() or ServiceRequestDetail(ticket=ticket)
    detail.requested_power_va = requested_power_va
    detail.tariff = tariff
    detail.programme_code = programme_code.strip().upper()
    detail.network_work = network_work
    asked = set(detail.documents_asked())
    detail.documents_received = sorted(code for code in (documents_received or []) if code in asked)
    detail.full_clean()
    detail.save()
    retarget_clock(ticket=ticket, network_work=network_work)
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        is_public=False,
        message=_("Request details updated: %(va)s VA, %(tariff)s, documents %(got)s of %(asked)s.")
        % {"va": requested_power_va, "tariff": tariff, "got": len(detail.documents_received), "asked": len(asked)},
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
    )
    return detail


@transaction.atomic
def record_referral(
    *,
    ticket: Ticket,
    body: str,
    reference: str,
    raised_on: date,
    deadline: date,
    note: str = "",
    actor=None,
) -> ExternalReferral:
    """Record that the complaint was also raised with the Ombudsman or LP2K; the ticket becomes urgent."""
    if ExternalReferral.objects.filter(ticket=ticket, body=body).exists():
        raise ApplicationError(
            _("This complaint is already recorded as raised with that body."), extra={"fields": {"body": ["exists"]}}
        )
    referral = ExternalReferral(
        ticket=ticket,
        body=body,
        reference=reference.strip(),
        raised_on=raised_on,
        deadline=deadline,
        note=note.strip(),
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    Ticket.objects.filter(pk=ticket.pk).update(priority=Ticket.Priority.URGENT, updated_at=timezone.now())
    ticket.priority = Ticket.Priority.URGENT
    TicketEvent.objects.create(
        ticket=ticket,
        kind=TicketEvent.Kind.NOTE,
        is_public=False,
        message=_("Also raised with %(body)s, reference %(ref)s, their deadline %(deadline)s.")
        % {"body": referral.get_body_display(), "ref": referral.reference, "deadline": deadline.isoformat()},
        actor=actor,
        actor_label=actor.get_username() if actor else "system",
        data={"referral": body, "reference": referral.reference},
    )
    return referral
