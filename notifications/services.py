"""Writes of the notification outbox, contact preferences, surveys and feedback."""

import logging
import time
from datetime import timedelta

from celery.exceptions import Retry
from django.conf import settings
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import outbox
from core.errors import ConflictError, InvalidInput
from core.sql import execute
from tickets.models import ServiceUnit, Ticket, TicketEvent

from . import delivery_sql, messages, selectors
from .channels import Delivery, PermanentSendError, SendError, TransientSendError, adapter_for
from .models import ContactPreference, Feedback, Notification, NotificationAttempt, NotificationOptOut, SurveyResponse

logger = logging.getLogger("notifications")

Channel = Notification.Channel


def _event_kind(event: TicketEvent) -> str:
    if event.kind == TicketEvent.Kind.OPENED:
        return "received"
    if event.to_status == Ticket.Status.RECEIVED:
        return "back_to_received"  # a crew was withdrawn: internal, not notified
    return event.to_status


def notify_ticket_event(*, ticket: Ticket, event: TicketEvent) -> list[Notification]:
    """Write the outbox rows for a customer-visible ticket event; send them after commit.

    Call inside the transaction of the change: the rows commit or roll back with it. Costs one
    read of the contact's preferences and one bulk insert, so a fan-out over thousands of tickets
    stays cheap; sending happens later: published by the relay (``relay_outbox``), or without it one task
    per row after the commit.
    """
    rows = ticket_event_rows(ticket=ticket, event=event)
    if not rows:
        return []
    created = Notification.objects.bulk_create(rows)
    rows_written(created)
    return created


def ticket_event_rows(*, ticket: Ticket, event: TicketEvent) -> list[Notification]:
    """The outbox rows a ticket event calls for, unsaved (one read of the contact's preferences). A caller
    that writes them itself (intake, with the ticket in one statement) calls ``rows_written`` afterwards."""
    kind = _event_kind(event)
    if kind not in messages.NOTIFIED_KINDS:
        return []
    wanted = _recipients(phone=ticket.reporter_phone, email=ticket.reporter_email)
    now = timezone.now()
    return [
        Notification(
            ticket=ticket,
            event=event,
            kind=kind,
            channel=channel,
            address=address,
            language=ticket.language or settings.LANGUAGE_CODE,
            created_at=now,
            next_attempt_at=now,
        )
        for channel, address in wanted
    ]


def rows_written(rows: list[Notification]) -> None:
    """Outbox rows just written in the current transaction: without the relay, each is handed to Celery after
    the commit (with it, the relay publishes them)."""
    if rows and not outbox.relayed():
        ids = [row.pk for row in rows]
        transaction.on_commit(lambda: enqueue(ids))


def notify_contact(
    *,
    kind: str,
    dedupe_key: str,
    phone: str = "",
    email: str = "",
    language: str = "",
    payload: dict | None = None,
    ticket: Ticket | None = None,
    event: TicketEvent | None = None,
) -> list[Notification]:
    """Write outbox rows for a notice outside the ticket status flow (planned outage, power back, confirmation).

    The words come from ``messages.compose`` for ``kind`` with ``payload``; ``dedupe_key`` (one per
    notice and recipient) makes a second call a no-op, so callers may run twice. The phone gets its
    preferred mobile channel; opted-out addresses get nothing. Call inside the change's transaction.
    """
    wanted = _recipients(phone=phone, email=email)
    now = timezone.now()
    rows = [
        Notification(
            ticket=ticket,
            event=event,
            kind=kind,
            channel=channel,
            address=address,
            language=language or (ticket.language if ticket else "") or settings.LANGUAGE_CODE,
            payload=payload or {},
            dedupe_key=f"{dedupe_key}:{channel}"[:150],
            created_at=now,
            next_attempt_at=now,
        )
        for channel, address in wanted
    ]
    if not rows:
        return []
    keys = [row.dedupe_key for row in rows]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # Only rows this call wrote are new; with ignore_conflicts the ids are not returned, so read them back.
    created = list(Notification.objects.filter(dedupe_key__in=keys, created_at=now))
    ids = [row.pk for row in created]
    if ids and not outbox.relayed():
        transaction.on_commit(lambda: enqueue(ids))
    return created


def _recipients(*, phone: str, email: str) -> list[tuple[str, str]]:
    """The (channel, address) pairs a contact is told on: the phone's preferred mobile channel and the
    e-mail address, without the ones opted out. One query; nothing when there is no address."""
    email = (email or "").strip().lower()
    if not phone and not email:
        return []
    mobile, opted_out = _contact_choices(phone=phone, email=email)
    wanted = []
    if phone:
        wanted.append((mobile or settings.NOTIFY_DEFAULT_MOBILE_CHANNEL, phone))
    if email:
        wanted.append((Channel.EMAIL, email))
    return [pair for pair in wanted if pair not in opted_out]


def _contact_choices(*, phone: str, email: str) -> tuple[str | None, set[tuple[str, str]]]:
    """The phone's preferred mobile channel and the opted-out (channel, address) pairs, in one statement.

    Every report and every status change makes this read: it is written once as SQL (the ORM's building of
    the union cost several times the query's own time).
    """
    mobile, opted_out = None, set()
    with connections[router.db_for_read(ContactPreference)].cursor() as cursor:
        execute(cursor, _contact_choices_sql(), [phone, phone or email, email or phone])
        for first, second in cursor.fetchall():
            if first == _PREFERENCE_MARK:
                mobile = second
            else:
                opted_out.add((first, second))
    return mobile, opted_out


_PREFERENCE_MARK = "~preference"  # not a channel name
_CONTACT_CHOICES_SQL: list[str] = []


def _contact_choices_sql() -> str:
    if not _CONTACT_CHOICES_SQL:
        preference, opt_out = ContactPreference._meta, NotificationOptOut._meta
        _CONTACT_CHOICES_SQL.append(
            f"SELECT '{_PREFERENCE_MARK}', mobile_channel FROM {preference.db_table} WHERE phone = %s "
            f"UNION ALL SELECT channel, address FROM {opt_out.db_table} WHERE address IN (%s, %s)"
        )
    return _CONTACT_CHOICES_SQL[0]


def enqueue(notification_ids: list[int]) -> None:
    """Hand the rows to Celery. A failed publish (broker down) is left to the sweeper, never raised.

    Rows that could not be published are marked due at once, so the next sweep (not the grace period
    meant for rows already in the queue) publishes them when the broker is back.
    """
    from core import circuit
    from tickets import tasks

    unpublished = []
    for notification_id in notification_ids:
        try:
            if not circuit.publish(tasks.send_notification, notification_id):
                unpublished.append(notification_id)
        except (Retry, TransientSendError):  # in-process tasks (no broker): the sweeper tries again later
            logger.info("notification %s will be retried by the sweeper", notification_id)
        except Exception:  # the row stays pending; sweep_notifications publishes it again
            logger.warning("could not enqueue notification %s; the sweeper will retry", notification_id, exc_info=True)
    if unpublished:
        overdue = timezone.now() - timedelta(seconds=settings.NOTIFY_SWEEP_GRACE_SECONDS + 1)
        try:
            Notification.objects.filter(pk__in=unpublished, status=Notification.Status.PENDING).update(
                next_attempt_at=overdue
            )
        except Exception:  # the database is down too: the grace period still brings them back
            logger.warning("could not mark %s unpublished notifications due", len(unpublished), exc_info=True)


HANDLED = (Notification.Status.SENT, Notification.Status.LOGGED)


def deliver_notification(*, notification_id: int) -> str:
    """Send one pending notification once; returns its status afterwards.

    1. Claim the row with ``SELECT … FOR UPDATE SKIP LOCKED``: a duplicate task finds it locked or
       no longer pending and does nothing, so one event is sent once per channel.
    2. Skip it if the address opted out since the row was written.
    3. Hand it to the channel's adapter and log the attempt (time, provider answer, error).
    4. On a transient error keep it pending with a later ``next_attempt_at`` and raise
       :class:`TransientSendError` for the task to retry; after ``NOTIFY_MAX_ATTEMPTS`` tries, or on a
       permanent error, mark it failed.
    """
    retry_error: TransientSendError | None = None
    with transaction.atomic():
        claimed = delivery_sql.claim(notification_id)
        if claimed is None:
            return "skipped"
        notification, opted_out = claimed
        now = timezone.now()
        if opted_out:
            notification.status = Notification.Status.SKIPPED
            delivery_sql.mark_skipped(notification)
            return notification.status
        started = time.monotonic()
        delivery, error = None, None
        try:
            delivery = adapter_for(notification.channel).send(messages.compose(notification))
        except SendError as exc:
            error = exc
        except Exception as exc:  # an adapter bug or misconfiguration must fail visibly, not loop
            error = PermanentSendError(f"{type(exc).__name__}: {exc}"[:500])
        notification.attempts += 1
        attempt = _attempt(notification, delivery=delivery, error=error, started=started, at=now)
        if error is None:
            notification.status = Notification.Status.LOGGED if delivery.logged_only else Notification.Status.SENT
            notification.sent_at = timezone.now()
            notification.provider_message_id = delivery.provider_message_id
            notification.last_error = ""
        elif isinstance(error, TransientSendError) and notification.attempts < settings.NOTIFY_MAX_ATTEMPTS:
            notification.last_error = str(error)[:500]
            notification.next_attempt_at = timezone.now() + timedelta(seconds=retry_delay(notification.attempts))
            retry_error = error
        else:
            notification.status = Notification.Status.FAILED
            notification.failed_at = timezone.now()
            notification.last_error = str(error)[:500]
            logger.error(
                "notification %s (%s %s) failed after %s attempts: %s",
                notification.pk,
                notification.channel,
                notification.kind,
                notification.attempts,
                error,
            )
        delivery_sql.record(notification, attempt)
    if retry_error is not None:
        raise retry_error
    return notification.status


def retry_delay(attempts: int) -> int:
    """Seconds before the next try: exponential, capped below the broker's visibility timeout."""
    return min(settings.NOTIFY_RETRY_BACKOFF_MAX, settings.NOTIFY_RETRY_BACKOFF * 2 ** max(attempts - 1, 0))


def _attempt(
    notification: Notification, *, delivery: Delivery | None, error, started: float, at
) -> NotificationAttempt:
    source = delivery or error
    return NotificationAttempt(
        notification=notification,
        attempted_at=at,
        succeeded=error is None,
        provider_status=(getattr(source, "provider_status", "") or "")[:20],
        provider_answer=(getattr(source, "provider_answer", "") or "")[:1000],
        error=str(error)[:500] if error else "",
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def sweep_notifications(*, older_than_seconds: int | None = None, limit: int = 5000) -> list[int]:
    """Publish again pending rows whose send is overdue (lost enqueue, broker down, worker died).

    A row is overdue once ``next_attempt_at`` is further in the past than the grace period; its
    ``next_attempt_at`` moves forward first so overlapping sweeps do not publish it twice.

    Nothing is swept while the worker is behind: a send queue longer than NOTIFY_SWEEP_MAX_BACKLOG means the
    pending rows are waiting their turn, not lost, and publishing them again would add a duplicate task for
    each (found sent or claimed when it runs) to the queue that is already behind, every grace period (in a
    storm benchmark run whose queue fell minutes behind, the rows claimed rose from 27,600 to 45,600 for the
    same 20,000 reports). A message really lost while the queue is long goes out once it is short again.
    """
    from core import circuit

    waiting = circuit.queue_length(settings.NOTIFY_QUEUE)
    if waiting is not None and waiting > settings.NOTIFY_SWEEP_MAX_BACKLOG:
        logger.info("notification sweep skipped: %s tasks waiting in the queue", waiting)
        return []
    grace = settings.NOTIFY_SWEEP_GRACE_SECONDS if older_than_seconds is None else older_than_seconds
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, next_attempt_at__lte=now - timedelta(seconds=grace))
            .order_by("next_attempt_at")
            .values_list("pk", flat=True)[:limit]
        )
        Notification.objects.filter(pk__in=ids).update(next_attempt_at=now)
    if ids:
        logger.info("re-enqueueing %s pending notifications", len(ids))
        transaction.on_commit(lambda: enqueue_batches(ids))
    return ids


def relay_outbox(*, limit: int | None = None) -> int:
    """The relay's round (``manage.py run_relay``): publish the sends of pending rows nobody has published yet,
    in chunks of RELAY_NOTIFY_CHUNK; returns how many rows it took.

    The rows are taken with ``FOR UPDATE SKIP LOCKED`` and marked published (and due from now, for the
    sweeper's grace) in one short transaction, then published: two relays never take the same row. Rows whose
    chunk the broker refused are marked unpublished again for the next round; if the relay dies between the
    commit and the publish, the sweeper publishes them once their grace has passed. Sending stays once per
    row whatever happens (``deliver_notification`` claims the row).
    """
    from core import circuit

    if circuit.broker.is_open():
        return 0  # Redis known down: try again when the breaker lets a call through
    limit = limit or settings.RELAY_BATCH
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Notification.objects.select_for_update(skip_locked=True)
            .filter(status=Notification.Status.PENDING, published_at__isnull=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        Notification.objects.filter(pk__in=ids).update(published_at=now, next_attempt_at=now)
    refused = _publish_chunks(ids, settings.RELAY_NOTIFY_CHUNK)
    if refused:
        Notification.objects.filter(pk__in=refused, status=Notification.Status.PENDING).update(published_at=None)
    return len(ids)


def _publish_chunks(notification_ids: list[int], size: int) -> list[int]:
    """One send task per chunk; returns the ids of the chunks the broker refused."""
    from core import circuit
    from tickets import tasks

    refused: list[int] = []
    for start in range(0, len(notification_ids), size):
        chunk = notification_ids[start : start + size]
        try:
            if not circuit.publish(tasks.send_notifications, chunk):
                refused.extend(chunk)
        except Exception:  # in-process tasks: a failing row waits for the sweeper (its grace runs from now)
            logger.warning("sending %s relayed notifications failed; the sweeper will retry", len(chunk), exc_info=True)
    return refused


SWEEP_BATCH = 25


def enqueue_batches(notification_ids: list[int]) -> None:
    """Publish swept rows in chunks, one task per chunk: after an outage thousands are due at once, and a
    task per row costs more in publishing and queueing than the sending itself."""
    from core import circuit
    from tickets import tasks

    for start in range(0, len(notification_ids), SWEEP_BATCH):
        chunk = notification_ids[start : start + SWEEP_BATCH]
        try:
            circuit.publish(tasks.send_notifications, chunk)
        except Exception:  # in-process mode: a failing row is left for the next sweep
            logger.warning("sending %s swept notifications failed; the sweeper will retry", len(chunk), exc_info=True)


def deliver_batch(*, notification_ids: list[int]) -> int:
    """Send each row of a relayed or swept chunk once; a row that must wait for a retry gets its own send task
    at its ``next_attempt_at`` (as a single send task retries), and stays pending for the sweeper besides."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += deliver_notification(notification_id=notification_id) in HANDLED
        except TransientSendError:
            _retry_later(notification_id)
    return sent


def _retry_later(notification_id: int) -> None:
    from core import circuit
    from tickets import tasks

    if settings.CELERY_TASK_ALWAYS_EAGER or circuit.broker.is_open():
        return  # in-process tasks, or Redis down: the sweeper publishes it again when due
    due = Notification.objects.filter(pk=notification_id).values_list("next_attempt_at", flat=True).first()
    if due is None:
        return
    try:
        tasks.send_notification.apply_async(
            (notification_id,),
            countdown=max(0.0, (due - timezone.now()).total_seconds()),
            retry=True,
            retry_policy=circuit.WEB_PUBLISH_RETRY_POLICY,
        )
    except Exception as exc:  # the sweeper publishes it again when due
        circuit.broker.trip(exc)


@transaction.atomic
def set_contact_preferences(
    *, ticket: Ticket, mobile_channel: str, sms: bool, whatsapp: bool, email: bool
) -> ContactPreference | None:
    """Save what the reporter of ``ticket`` wants: SMS or WhatsApp, and which channels to stop."""
    if mobile_channel not in (Channel.SMS, Channel.WHATSAPP):
        raise InvalidInput({"mobile_channel": _("Choose SMS or WhatsApp.")})
    preference = None
    if ticket.reporter_phone:
        preference, _created = ContactPreference.objects.update_or_create(
            phone=ticket.reporter_phone, defaults={"mobile_channel": mobile_channel}
        )
        _set_opt_out(channel=Channel.SMS, address=ticket.reporter_phone, opted_out=not sms)
        _set_opt_out(channel=Channel.WHATSAPP, address=ticket.reporter_phone, opted_out=not whatsapp)
    if ticket.reporter_email:
        _set_opt_out(channel=Channel.EMAIL, address=ticket.reporter_email.strip().lower(), opted_out=not email)
    return preference


def _set_opt_out(*, channel: str, address: str, opted_out: bool) -> None:
    if opted_out:
        NotificationOptOut.objects.get_or_create(channel=channel, address=address)
    else:
        NotificationOptOut.objects.filter(channel=channel, address=address).delete()


@transaction.atomic
def answer_survey(*, ticket: Ticket, rating: int, comment: str = "") -> SurveyResponse:
    """Record the customer's rating; a second answer is refused (409)."""
    if not selectors.survey_open(ticket):
        raise ConflictError(_("This report is not finished yet; you can rate it once it is."))
    if SurveyResponse.objects.filter(ticket=ticket).exists():
        raise ConflictError(_("This report has already been rated. Thank you!"))
    response = SurveyResponse(ticket=ticket, unit=ticket.unit, rating=rating, comment=(comment or "").strip())
    response.full_clean()
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:  # two answers racing: the one-to-one constraint keeps the first
        if SurveyResponse.objects.filter(ticket=ticket).exists():
            raise ConflictError(_("This report has already been rated. Thank you!")) from exc
        raise
    return response


@transaction.atomic
def send_feedback(
    *,
    kind: str,
    message: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    ticket: Ticket | None = None,
    unit: ServiceUnit | None = None,
    origin: str = Feedback.Origin.WEB,
    language: str = "",
) -> Feedback:
    """Record kritik, saran or apresiasi; tied to a ticket it belongs to the ticket's unit. ``language`` is the
    one the back office's reply is sent in."""
    feedback = Feedback(
        kind=kind,
        message=(message or "").strip(),
        name=name.strip(),
        phone=phone,
        email=email.strip(),
        ticket=ticket,
        unit=ticket.unit if ticket is not None else unit,
        origin=origin,
        language=(language or (ticket.language if ticket is not None else "") or settings.LANGUAGE_CODE)[:5],
    )
    feedback.full_clean()
    feedback.save()
    return feedback
