"""Writes of the call centre: PBX events, operator state, tickets from calls, violations and letters."""

import hashlib
import json
import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core import roles
from core.errors import ApplicationError, ConflictError, InvalidInput
from core.phone import normalize_phone
from tickets import services as ticket_services
from tickets.models import Category, Customer, StaffProfile, Ticket

from . import compliance
from .models import Call, CallEvent, OperatorSeat, RecordingPlayback, Violation, WarningLetter, WarningLetterRule
from .recordings import validate_recording

logger = logging.getLogger(__name__)

OPERATOR_EVENT_KINDS = {CallEvent.Kind.RING, CallEvent.Kind.ANSWER}


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def normalize_caller_number(raw: str) -> str:
    """E.164 when the number is valid; withheld or odd numbers are kept as sent (trimmed)."""
    text = (raw or "").strip()[:32]
    if not text:
        return ""
    try:
        return normalize_phone(text)
    except ValidationError:
        return text


def _resolve_operator(ref: str, cache: dict | None = None):
    """The staff user a PBX names by extension or by username, or None."""
    if not ref:
        return None
    if cache is not None and ref in cache:
        return cache[ref]
    seat = OperatorSeat.objects.select_related("user").filter(extension=ref).first()
    user = seat.user if seat is not None else get_user_model().objects.filter(username=ref, is_active=True).first()
    if cache is not None:
        cache[ref] = user
    return user


def apply_call_event(
    *,
    event_id: str,
    kind: str,
    pbx_call_id: str,
    occurred_at: datetime,
    payload: dict,
    recording=None,
) -> tuple[CallEvent, bool]:
    """Apply one PBX event to its call; the same event id twice changes nothing.

    1. A recording is checked (audio only, within the size limit) before anything is written.
    2. The call row is created or locked, the event is kept, and the call is rebuilt from all of its
       events in time order, so events may arrive late or out of order.
    3. Compliance is assessed: late answer → violation; operator hang-up → suspected violation.
    4. An event id already kept makes the insert fail, which rolls all of it back: that event is returned
       (with ``False``); the same id with other content is a 409.

    Returns (event, created).
    """
    digest = payload_digest(payload)
    recording_kind = validate_recording(recording) if recording is not None else None
    if kind == CallEvent.Kind.RECORDING_READY and recording is None:
        raise InvalidInput({"recording": [_("A recording-ready event must carry the recording file.")]})
    try:
        # No look-up before the insert: duplicates are rare, and the unique event id decides (one round trip
        # fewer for every event, and no window between a look and the insert).
        with transaction.atomic():
            call = _locked_call(pbx_call_id)
            operators: dict = {}
            operator_ref = (payload.get("operator") or payload.get("transfer_to") or "")[:60]
            unknown = bool(operator_ref) and _resolve_operator(operator_ref, operators) is None
            event = CallEvent.objects.create(
                event_id=event_id,
                call=call,
                kind=kind,
                occurred_at=occurred_at,
                payload=payload,
                payload_digest=digest,
                unknown_operator=unknown,
            )
            if recording is not None:
                content_type, extension = recording_kind
                call.recording.save(f"{call.pbx_call_id}.{extension}", recording, save=False)
                call.recording_content_type = content_type
                call.recording_size = recording.size
            _rebuild_call(call, operators)
            # The row is locked and pbx_call_id is unique in the database: no need to query for uniqueness.
            call.full_clean(exclude=["recording", "tickets", "operator", "unit"], validate_unique=False)
            call.save()
            assess_call(call=call, operators=operators)
    except IntegrityError:
        existing = CallEvent.objects.select_related("call").filter(event_id=event_id).first()
        if existing is None:
            raise
        return _duplicate(existing, digest)
    if unknown:
        logger.warning("call event %s names unknown operator %r; kept and flagged", event_id, operator_ref)
    return event, True


def _locked_call(pbx_call_id: str) -> Call:
    """The call row, locked for this transaction; created when this is its first event."""
    call = Call.objects.select_for_update().filter(pbx_call_id=pbx_call_id).first()
    if call is not None:
        return call
    try:
        with transaction.atomic():
            return Call.objects.create(pbx_call_id=pbx_call_id)
    except IntegrityError:
        # Another event of the same call created it first; wait for its lock.
        return Call.objects.select_for_update().get(pbx_call_id=pbx_call_id)


def _duplicate(existing: CallEvent, digest: str) -> tuple[CallEvent, bool]:
    if existing.payload_digest != digest:
        raise ConflictError(
            _("An event with this id was already received with different content."),
            extra={"event_id": existing.event_id},
        )
    return existing, False


def _rebuild_call(call: Call, operators: dict) -> None:
    """Fold every event of the call, in the order they happened, into the call's fields."""
    events = list(call.events.order_by("occurred_at", "id"))
    rang_at = answered_at = ended_at = None
    ended_by = ""
    caller_number = queue = transferred_to = ""
    operator_ref = ""
    notice = False
    holds = 0
    unknown = False
    for event in events:
        data = event.payload
        caller_number = caller_number or normalize_caller_number(data.get("caller_number", ""))
        queue = queue or (data.get("queue") or "")[:60]
        notice = notice or bool(data.get("recorded_notice_played"))
        unknown = unknown or event.unknown_operator
        if event.kind == CallEvent.Kind.RING:
            rang_at = rang_at or event.occurred_at
        elif event.kind == CallEvent.Kind.ANSWER:
            answered_at = answered_at or event.occurred_at
        elif event.kind == CallEvent.Kind.HANGUP:
            if ended_at is None:
                ended_at, ended_by = event.occurred_at, data.get("ended_by") or Call.EndedBy.SYSTEM
        elif event.kind == CallEvent.Kind.HOLD:
            holds += 1
        elif event.kind == CallEvent.Kind.TRANSFER:
            transferred_to = (data.get("transfer_to") or "")[:60]
        if event.kind in OPERATOR_EVENT_KINDS and data.get("operator"):
            operator_ref = data["operator"][:60]
        elif event.kind == CallEvent.Kind.TRANSFER and data.get("transfer_to"):
            operator_ref = data["transfer_to"][:60]
    # A hang-up can arrive before the answer or the ring it follows; the earliest answer still counts.
    call.rang_at, call.answered_at, call.ended_at, call.ended_by = rang_at, answered_at, ended_at, ended_by
    call.caller_number, call.queue, call.transferred_to = caller_number, queue, transferred_to
    call.recorded_notice_played, call.hold_count = notice, holds
    call.operator_ref = operator_ref
    previous_operator_id = call.operator_id
    call.operator = _resolve_operator(operator_ref, operators)
    call.unknown_operator = unknown and call.operator is None
    if call.operator is not None and (call.operator_id != previous_operator_id or call.unit_id is None):
        profile = StaffProfile.objects.filter(user=call.operator).select_related("unit").first()
        call.unit = profile.unit if profile else call.unit
    if ended_at is not None:
        call.status = Call.Status.ENDED if answered_at else Call.Status.ABANDONED
    elif answered_at is not None:
        call.status = Call.Status.ANSWERED
    else:
        call.status = Call.Status.RINGING


def _answering_operator(call: Call, operators: dict):
    """The operator whose set rang or who answered first: the one the answer clock belongs to."""
    for event in call.events.filter(kind__in=[CallEvent.Kind.ANSWER, CallEvent.Kind.RING]).order_by(
        "kind", "occurred_at", "id"
    ):
        user = _resolve_operator(event.payload.get("operator") or "", operators)
        if user is not None:
            return user
    return None


def _ring_at(call: Call, operator, operators: dict):
    """When the call first alerted this operator's set (None when no ring event names them)."""
    for event in call.events.filter(kind=CallEvent.Kind.RING).order_by("occurred_at", "id"):
        if (user := _resolve_operator(event.payload.get("operator") or "", operators)) and user.pk == operator.pk:
            return event.occurred_at
    return None


def unanswered_rings(call: Call, operators: dict) -> list[tuple]:
    """(operator, ring seconds, rang at) for each operator whose set rang past the third ring unanswered.

    An operator's ring lasts from their ``ring`` event to the next event that ends it: an answer, a ring at
    another set, a transfer or a hang-up. A ring still going on is not judged yet; a caller who hangs up
    before the third ring is nobody's fault.
    """
    events = list(call.events.order_by("occurred_at", "id"))
    out = []
    seen = set()
    for index, event in enumerate(events):
        if event.kind != CallEvent.Kind.RING:
            continue
        operator = _resolve_operator(event.payload.get("operator") or "", operators)
        if operator is None or operator.pk in seen:
            continue
        ending = None
        for later in events[index + 1 :]:
            if later.kind in (CallEvent.Kind.ANSWER, CallEvent.Kind.TRANSFER, CallEvent.Kind.HANGUP):
                ending = later
                break
            if later.kind == CallEvent.Kind.RING and (later.payload.get("operator") or "") != (
                event.payload.get("operator") or ""
            ):
                ending = later
                break
        if ending is None:
            continue
        if ending.kind == CallEvent.Kind.ANSWER:
            answered_by = _resolve_operator(ending.payload.get("operator") or "", operators) or operator
            if answered_by.pk == operator.pk:
                continue  # answered (perhaps late: that is a late answer, not a ring-no-answer)
        seconds = (ending.occurred_at - event.occurred_at).total_seconds()
        if compliance.is_late(seconds):
            seen.add(operator.pk)
            out.append((operator, seconds, ending.occurred_at))
    return out


def assess_call(*, call: Call, operators: dict | None = None) -> list[Violation]:
    """Record the violations a call shows (idempotent): a late answer, a ring-no-answer at an operator's
    set, or a hang-up by the operator."""
    operators = {} if operators is None else operators
    found = []
    for operator, seconds, at in unanswered_rings(call, operators):
        violation, created = Violation.objects.get_or_create(
            call=call,
            kind=Violation.Kind.RING_NO_ANSWER,
            operator=operator,
            defaults={
                "status": Violation.Status.CONFIRMED,
                "answer_seconds": seconds,
                "occurred_at": at,
                "confirmed_at": timezone.now(),
            },
        )
        if created:
            issue_warning_letter_if_due(operator=operator, at=violation.occurred_at)
        found.append(violation)
    answer_seconds = call.answer_seconds
    operator = _answering_operator(call, operators) if answer_seconds is not None else None
    if operator is not None:
        # The clock of the operator who answered starts when *their* set alerted: a call that rang out at
        # another set first is that operator's ring-no-answer, not this one's late answer.
        own_ring = _ring_at(call, operator, operators)
        if own_ring is not None and own_ring <= call.answered_at:
            answer_seconds = (call.answered_at - own_ring).total_seconds()
    if answer_seconds is not None and compliance.is_late(answer_seconds):
        if operator is not None:
            violation, created = Violation.objects.get_or_create(
                call=call,
                kind=Violation.Kind.LATE_ANSWER,
                operator=operator,
                defaults={
                    "status": Violation.Status.CONFIRMED,
                    "answer_seconds": answer_seconds,
                    "occurred_at": call.answered_at,
                    "confirmed_at": timezone.now(),
                },
            )
            if created:
                issue_warning_letter_if_due(operator=operator, at=violation.occurred_at)
            found.append(violation)
    if call.ended_by == Call.EndedBy.OPERATOR and call.answered_at is not None and call.operator is not None:
        violation, _created = Violation.objects.get_or_create(
            call=call,
            kind=Violation.Kind.HANG_UP,
            operator=call.operator,
            defaults={
                "status": Violation.Status.SUSPECTED,
                "answer_seconds": answer_seconds,
                "occurred_at": call.ended_at,
            },
        )
        found.append(violation)
    return found


@transaction.atomic
def review_violation(*, violation: Violation, reviewer, confirm: bool, note: str = "") -> Violation:
    """A supervisor confirms or dismisses a violation (after listening); confirming may issue a letter."""
    locked = Violation.objects.select_for_update().get(pk=violation.pk)
    if locked.status == Violation.Status.DISMISSED or (
        locked.status == Violation.Status.CONFIRMED and (confirm or locked.letter_id)
    ):
        raise ConflictError(_("This violation has already been reviewed."))
    now = timezone.now()
    locked.status = Violation.Status.CONFIRMED if confirm else Violation.Status.DISMISSED
    locked.reviewed_by = reviewer
    locked.reviewed_at = now
    locked.review_note = (note or "").strip()[:2000]
    if confirm:
        locked.confirmed_at = now
    locked.full_clean()
    locked.save()
    if confirm:
        issue_warning_letter_if_due(operator=locked.operator, at=now)
    return locked


def issue_warning_letter_if_due(*, operator, at: datetime | None = None) -> WarningLetter | None:
    """Issue the next warning letter when the operator's confirmed violations meet the rule.

    1. The next level is the lowest active rule's (a written reprimand by default), or one above the letter
       still in force; after SP3 comes a recommendation for dismissal, and nothing after it.
    2. Count confirmed violations not yet in a letter, within the rule's period and after that letter.
    3. When they reach the rule's number, write the letter with its printable text and attach them.
    """
    when = at or timezone.now()
    with transaction.atomic():
        # One letter decision at a time per operator.
        get_user_model().objects.select_for_update().filter(pk=operator.pk).first()
        latest = WarningLetter.objects.filter(operator=operator).order_by("-issued_at", "-id").first()
        in_force = latest is not None and latest.in_force_until > when
        active_rules = WarningLetterRule.objects.filter(active=True)
        if in_force:
            rule = active_rules.filter(level__gt=latest.level).order_by("level").first()
        else:
            rule = active_rules.order_by("level").first()
        if rule is None:
            return None
        level = rule.level
        window_start = when - timedelta(days=rule.period_days)
        if in_force:
            window_start = max(window_start, latest.issued_at)
        pending = list(
            Violation.objects.filter(
                operator=operator,
                status=Violation.Status.CONFIRMED,
                letter__isnull=True,
                occurred_at__gte=window_start,
                occurred_at__lte=when,
            ).select_related("call")
        )
        if len(pending) < rule.violations:
            return None
        profile = StaffProfile.objects.filter(user=operator).select_related("unit").first()
        letter = WarningLetter(
            operator=operator,
            unit=profile.unit if profile else None,
            level=level,
            number=f"pending-{operator.pk}-{when.timestamp()}",
            issued_at=when,
            in_force_until=when + timedelta(days=rule.in_force_days),
            body="",
        )
        letter.save()
        letter.number = f"{LETTER_PREFIXES.get(level, f'SP{level}')}/123/{when:%Y}/{letter.pk:05d}"
        # Official letters are written in Indonesian, with times in the operator's unit's own zone.
        zone = letter.unit.time_zone if letter.unit else settings.TIME_ZONE
        with translation.override("id"), timezone.override(zone):
            letter.body = render_to_string(
                "hotline/warning_letter_body.txt",
                {
                    "letter": letter,
                    "operator": operator,
                    "rule": rule,
                    "violations": pending,
                    "unit": letter.unit,
                    "zone_label": letter.unit.zone_label if letter.unit else "",
                },
            )
        letter.full_clean()
        letter.save()
        Violation.objects.filter(pk__in=[v.pk for v in pending]).update(letter=letter)
        logger.info("warning letter %s issued to %s", letter.number, operator)
        return letter


LETTER_PREFIXES = {WarningLetterRule.Level.REPRIMAND: "TGR", WarningLetterRule.Level.DISMISSAL: "REK-PHK"}


@transaction.atomic
def decide_dismissal(*, letter: WarningLetter, supervisor, decision: str, note: str) -> WarningLetter:
    """A supervisor decides a recommendation for dismissal (dismiss, or retain with a final warning)."""
    locked = WarningLetter.objects.select_for_update().get(pk=letter.pk)
    if locked.level != WarningLetterRule.Level.DISMISSAL:
        raise ApplicationError(_("Only a recommendation for dismissal is decided."))
    if locked.decision:
        raise ConflictError(_("This recommendation has already been decided."))
    if decision not in WarningLetter.Decision.values:
        raise ApplicationError(_("Choose a decision."), extra={"fields": {"decision": [_("Choose a decision.")]}})
    text = (note or "").strip()
    if not text:
        raise ApplicationError(
            _("Write the reason for the decision."), extra={"fields": {"note": [_("Write the reason.")]}}
        )
    locked.decision = decision
    locked.decided_by = supervisor
    locked.decided_at = timezone.now()
    locked.decision_note = text[:2000]
    locked.full_clean()
    locked.save()
    logger.info("dismissal recommendation %s decided: %s", locked.number, decision)
    return locked


@transaction.atomic
def set_operator_state(*, user, state: str) -> OperatorSeat:
    """The operator says they are ready for calls, paused or offline."""
    if state not in OperatorSeat.State.values:
        raise ApplicationError(_("Unknown state."), extra={"fields": {"state": [_("Unknown state.")]}})
    seat, _created = OperatorSeat.objects.select_for_update().get_or_create(user=user)
    if seat.state != state:
        seat.state = state
        seat.state_changed_at = timezone.now()
        seat.full_clean()
        seat.save()
    return seat


def log_call_ticket(
    *,
    operator,
    category: Category,
    description: str,
    call: Call | None = None,
    customer: Customer | None = None,
    reporter_phone: str = "",
    reporter_name: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    unit=None,
    idempotency_key: str | None = None,
) -> Ticket:
    """Open a ticket from a 123 call (any category) and link it to the call.

    A caller without an ID pelanggan is placed by ``lat``/``lng`` (a map pin) and/or the ``unit`` (ULP)
    the operator chose; the ULP given wins over the nearest one.
    """
    with transaction.atomic():
        ticket = ticket_services.open_ticket(
            category=category,
            channel=Ticket.Channel.PHONE,
            description=description,
            reporter_phone=reporter_phone or (call.caller_number if call else ""),
            reporter_name=reporter_name,
            customer=customer,
            address=address,
            lat=lat,
            lng=lng,
            unit=unit,
            idempotency_key=idempotency_key,
            created_by=operator,
        )
        if call is not None:
            call.tickets.add(ticket)
    return ticket


def address_with_landmark(address: str, landmark: str) -> str:
    """The address as the crew reads it: the street, then the landmark the caller named."""
    address, landmark = (address or "").strip(), (landmark or "").strip()
    if address and landmark:
        return f"{address} ({landmark})"
    return address or landmark


def log_playback(*, call: Call, user, ip_address: str | None = None) -> RecordingPlayback:
    playback = RecordingPlayback(call=call, user=user, ip_address=ip_address or None)
    playback.full_clean()
    playback.save()
    return playback


def can_review(user) -> bool:
    return roles.has_role(user, roles.SUPERVISOR, roles.ADMIN)
