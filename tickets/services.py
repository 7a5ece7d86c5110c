"""Writes of the ticket domain. Every state change of a ticket writes a TicketEvent row."""

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, connection, transaction
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from core import sql
from core.errors import ApplicationError, ConflictError, InvalidInput
from core.phone import normalize_phone
from notifications import services as notifications

from . import selectors, signals, workflow
from .models import Category, Customer, ServiceUnit, Ticket, TicketEvent
from .numbering import new_ticket_number

MAX_NUMBER_ATTEMPTS = 5


def _resolve_unit(
    *, unit: ServiceUnit | None, customer: Customer | None, lat: float | None, lng: float | None
) -> ServiceUnit:
    if unit is not None:
        return unit
    if customer is not None:
        return customer.unit
    if lat is not None and lng is not None:
        nearest = selectors.nearest_unit(lat=lat, lng=lng)
        if nearest is not None:
            return nearest
    fallback = selectors.default_unit()
    if fallback is not None:
        return fallback
    raise InvalidInput({"unit": _("Give your ID pelanggan, your location or your ULP so we know where to send help.")})


def open_ticket(
    *,
    category: Category,
    channel: str,
    description: str,
    reporter_phone: str,
    reporter_name: str = "",
    reporter_email: str = "",
    id_pelanggan: str = "",
    meter_number: str = "",
    customer: Customer | None = None,
    unit: ServiceUnit | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    photo=None,
    priority: str | None = None,
    language: str = "id",
    idempotency_key: str | None = None,
    parent: Ticket | None = None,
    created_by=None,
) -> Ticket:
    """Open a ticket from any channel.

    1. Return the ticket already opened with the same idempotency key, if any.
    2. Find the customer by ID pelanggan or meter number, and the ULP by customer, point or default.
    3. Save the ticket and its "opened" event in one transaction, then announce ``ticket_opened``
       (dispatch and notifications subscribe and act after commit).

    The returned ticket has ``was_created`` set to False when it was found by idempotency key: a retry
    with the key of a ticket already saved fails on the key's unique index and returns that ticket (no
    read before the insert: the first attempt, by far the common case, costs no extra query).
    """
    if not category.active:
        raise InvalidInput({"category": _("This category is not available.")})
    phone = normalize_phone(reporter_phone) if reporter_phone else ""
    if not phone:
        raise InvalidInput({"reporter_phone": _("Enter a phone number.")})
    who = _prefill(
        customer=customer,
        id_pelanggan=id_pelanggan,
        meter_number=meter_number,
        lat=lat,
        lng=lng,
        address=address,
        reporter_name=reporter_name,
    )
    target_unit = _resolve_unit(unit=unit, customer=who.customer, lat=who.lat, lng=who.lng)
    now = timezone.now()
    for attempt in range(MAX_NUMBER_ATTEMPTS):
        ticket = _build_ticket(
            who,
            category=category,
            channel=channel,
            unit=target_unit,
            description=description,
            reporter_phone=phone,
            reporter_email=reporter_email,
            photo=photo,
            priority=priority,
            language=language,
            idempotency_key=idempotency_key,
            parent=parent,
            created_by=created_by,
            now=now,
        )
        try:
            _insert_ticket(ticket, parent=parent, created_by=created_by, channel=channel, now=now)
        except IntegrityError:
            # A clash on the idempotency key is a retry of a ticket already saved; one on the number, a
            # number taken by a concurrent report (a new number is drawn).
            if idempotency_key:
                existing = Ticket.objects.filter(idempotency_key=idempotency_key).first()
                if existing is not None:
                    existing.was_created = False
                    return existing
            if attempt == MAX_NUMBER_ATTEMPTS - 1:
                raise
            continue
        ticket.was_created = True
        return ticket
    raise AssertionError("unreachable")


@dataclass
class _Reporter:
    """Who and where a report is about, once the customer record has filled what the reporter left out."""

    customer: Customer | None
    id_pelanggan: str
    meter_number: str
    lat: float | None
    lng: float | None
    address: str
    reporter_name: str


def _prefill(
    *, customer, id_pelanggan: str, meter_number: str, lat, lng, address: str, reporter_name: str
) -> _Reporter:
    """Find the customer by ID pelanggan or meter number and take from their record what the report lacks."""
    if customer is None and (id_pelanggan or meter_number):
        customer = selectors.find_customer(id_pelanggan=id_pelanggan, meter_number=meter_number)
    if customer is not None:
        id_pelanggan = id_pelanggan or customer.id_pelanggan
        meter_number = meter_number or (customer.meter_number or "")
        if lat is None and customer.lat is not None:
            lat, lng = customer.lat, customer.lng
        address = address or customer.address
        reporter_name = reporter_name or customer.name
    return _Reporter(customer, id_pelanggan, meter_number, lat, lng, address, reporter_name)


def _build_ticket(
    who: _Reporter,
    *,
    category: Category,
    channel: str,
    unit: ServiceUnit,
    description: str,
    reporter_phone: str,
    reporter_email: str,
    photo,
    priority: str | None,
    language: str,
    idempotency_key: str | None,
    parent: Ticket | None,
    created_by,
    now: datetime,
) -> Ticket:
    """The unsaved ticket, with a fresh number and its field values checked."""
    ticket = Ticket(
        number=new_ticket_number(now, unit.time_zone),
        idempotency_key=idempotency_key or None,
        category=category,
        kind=category.kind,
        channel=channel,
        priority=priority or category.default_priority,
        unit=unit,
        customer=who.customer,
        id_pelanggan=who.id_pelanggan,
        meter_number=who.meter_number,
        reporter_name=who.reporter_name,
        reporter_phone=reporter_phone,
        reporter_email=reporter_email,
        language=language if language in {"id", "en"} else "id",
        description=description,
        address=who.address,
        lat=who.lat,
        lng=who.lng,
        parent=parent,
        created_by=created_by,
        created_at=now,
        first_informed_at=now,
        dispatch_state=(Ticket.DispatchState.PENDING if category.dispatches else Ticket.DispatchState.NOT_NEEDED),
        dispatch_requested_at=now if category.dispatches else None,
    )
    if photo:
        ticket.photo = photo
    # Field values only: the related rows are already loaded, and a clash on the number or the idempotency key
    # is the IntegrityError the caller handles (no SELECT per unique field).
    ticket.clean_fields(exclude=["photo", "tracking_token", "category", "unit", "customer", "parent"])
    return ticket


def _insert_ticket(ticket: Ticket, *, parent: Ticket | None, created_by, channel: str, now: datetime) -> None:
    """In one transaction: the ticket with its service-level clock, its "opened" event, the link on the parent,
    the outbox rows; then ``ticket_opened`` (dispatch and outages act on it).

    The new rows go in as one statement (``core.sql.insert_linked``: on PostgreSQL one round trip instead of
    one per row); ``post_save`` is sent for the ticket and its events as ``save()`` sends it (the audit log).
    """
    from .sla import services as sla_services  # it imports this module

    with transaction.atomic():
        # The service-level clock's due times go in with the ticket's own INSERT.
        clock = sla_services.new_clock(ticket=ticket)
        opened = TicketEvent(
            ticket=ticket,
            kind=TicketEvent.Kind.OPENED,
            is_public=True,
            to_status=ticket.status,
            message="",
            actor=created_by,
            actor_label=_channel_actor_label(channel, created_by),
            created_at=now,
        )
        events = [opened]
        if parent is not None:
            events.append(
                TicketEvent(
                    ticket=parent,
                    kind=TicketEvent.Kind.LINKED,
                    is_public=True,
                    message=ticket.number,
                    data={"follow_up": ticket.number},
                    created_at=now,
                )
            )
        outbox_rows = notifications.ticket_event_rows(ticket=ticket, event=opened)
        sql.insert_linked(
            [
                (ticket, {}),
                (opened, {"ticket_id": ticket}),
                (clock, {"ticket_id": ticket}),
                *((row, {"ticket_id": ticket, "event_id": opened}) for row in outbox_rows),
                *((event, {}) for event in events[1:]),
            ]
        )
        using = ticket._state.db
        post_save.send(sender=Ticket, instance=ticket, created=True, update_fields=None, raw=False, using=using)
        for event in events:
            post_save.send(sender=TicketEvent, instance=event, created=True, update_fields=None, raw=False, using=using)
        notifications.rows_written(outbox_rows)
        signals.ticket_opened.send(sender=Ticket, ticket=ticket, service_level=clock)


def _channel_actor_label(channel: str, user) -> str:
    if user is not None:
        return user.get_full_name() or user.get_username()
    return {"web": "customer", "api": "api", "open311": "open311"}.get(channel, "system")


@transaction.atomic
def change_status(
    *,
    ticket: Ticket,
    to_status: str,
    actor=None,
    actor_label: str = "",
    message: str = "",
    at: datetime | None = None,
    data: dict | None = None,
) -> Ticket:
    """Move a ticket along the status table; any other move is a 409 and nothing changes."""
    locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
    from_status = locked.status
    if to_status not in Ticket.Status.values:
        raise ApplicationError(_("Unknown status."), extra={"fields": {"status": [_("Unknown status.")]}})
    if not workflow.can_transition(locked.kind, from_status, to_status):
        raise ConflictError(
            _("A ticket that is %(from)s cannot become %(to)s.")
            % {"from": Ticket.Status(from_status).label, "to": Ticket.Status(to_status).label},
            extra={"allowed": sorted(workflow.allowed_next(locked.kind, from_status))},
        )
    when = at or timezone.now()
    locked.status = to_status
    update_fields = ["status", "updated_at"]
    stamp = workflow.STATUS_TIMESTAMP.get(to_status)
    if stamp and getattr(locked, stamp) is None:
        setattr(locked, stamp, when)
        update_fields.append(stamp)
    if to_status == Ticket.Status.CLOSED and locked.resolved_at is None and locked.kind != Category.Kind.TECHNICAL:
        locked.resolved_at = when
        update_fields.append("resolved_at")
    locked.save(update_fields=update_fields)
    event = TicketEvent.objects.create(
        ticket=locked,
        kind=TicketEvent.Kind.STATUS,
        is_public=True,
        from_status=from_status,
        to_status=to_status,
        message=message,
        actor=actor,
        actor_label=actor_label or (_channel_actor_label("staff", actor) if actor else "system"),
        data=data or {},
        created_at=when,
    )
    notifications.notify_ticket_event(ticket=locked, event=event)
    signals.ticket_status_changed.send(
        sender=Ticket, ticket=locked, from_status=from_status, to_status=to_status, event=event
    )
    return locked


@transaction.atomic
def add_note(*, ticket: Ticket, author, message: str, public: bool = False) -> TicketEvent:
    """An internal note, or with ``public`` an update the customer sees on the tracking page."""
    text = (message or "").strip()
    if not text:
        raise InvalidInput({"message": _("Write something first.")})
    event = TicketEvent(
        ticket=ticket,
        kind=TicketEvent.Kind.PUBLIC_UPDATE if public else TicketEvent.Kind.NOTE,
        is_public=public,
        message=text,
        actor=author,
        actor_label=_channel_actor_label("staff", author) if author else "system",
    )
    event.full_clean()
    event.save()
    Ticket.objects.filter(pk=ticket.pk).update(updated_at=timezone.now())
    return event


def mark_dispatch_state(
    *, ticket_id: int, state: str, only_from: tuple[str, ...] = (), requested_at: datetime | None = None
) -> bool:
    """Conditionally set a ticket's dispatch state (and when routing was last asked for); True when the row
    changed."""
    qs = Ticket.objects.filter(pk=ticket_id)
    if only_from:
        qs = qs.filter(dispatch_state__in=only_from)
    values = {"dispatch_state": state, "updated_at": timezone.now()}
    if requested_at is not None:
        values["dispatch_requested_at"] = requested_at
    return qs.update(**values) == 1


def mark_dispatch_requested(*, ticket_ids: list[int], at: datetime) -> int:
    """Tickets handed to routing at ``at`` (dispatch's sweeper re-publishes them if nothing happens); returns how
    many rows changed."""
    if not ticket_ids:
        return 0
    return Ticket.objects.filter(pk__in=ticket_ids).update(
        dispatch_state=Ticket.DispatchState.ENQUEUED, dispatch_requested_at=at
    )


def mark_dispatch_states(*, ticket_ids: list[int], state: str) -> int:
    """Set the dispatch state of several tickets in one statement (those already in it are left alone);
    returns how many rows changed."""
    if not ticket_ids:
        return 0
    # Plain SQL: routing sets the states of each batch of a storm's reports, and the ORM's building of this
    # update cost more than the statement.
    statement = (
        f"UPDATE {Ticket._meta.db_table} SET dispatch_state = %s, updated_at = %s"
        f" WHERE id IN ({', '.join(['%s'] * len(ticket_ids))}) AND dispatch_state <> %s"
    )
    with connection.cursor() as cursor:
        params = [state, connection.ops.adapt_datetimefield_value(timezone.now()), *ticket_ids, state]
        sql.execute(cursor, statement, params)
        return cursor.rowcount
