"""The statements of sending one outbox row, written once per process from the models' metadata.

``services.deliver_notification`` runs once per message, thousands at a time; building its claim, its attempt
row and its update through the ORM cost more CPU than all the rest of the send. The SQL text and how to read
the claimed row (the fields' database converters) are worked out once per database vendor; each message then
costs a cursor call per statement. Values go through each field's ``get_db_prep_save`` and come back through
its converters, as the ORM would do, so PostgreSQL and SQLite read and write the same values.
"""

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import Model

from core.rows import RowReader
from core.sql import execute

from .models import Notification, NotificationAttempt, NotificationOptOut

# Reached through the row's relations: this package imports nothing of the tickets app.
Ticket = Notification._meta.get_field("ticket").related_model
ServiceUnit = Ticket._meta.get_field("unit").related_model
TicketEvent = Notification._meta.get_field("event").related_model

# What composing the message needs besides the row itself (``messages.compose``).
_TICKET = ("id", "number", "kind", "tracking_token", "unit")
_UNIT = ("id", "time_zone")
_EVENT = ("id", "data")

# The columns a delivery changes: written back, and nothing else (no other writer can change the row meanwhile:
# it stays locked from the claim to the commit).
DELIVERY_FIELDS = ("status", "attempts", "next_attempt_at", "provider_message_id", "last_error", "sent_at", "failed_at")
ATTEMPT_FIELDS = (
    "notification",
    "attempted_at",
    "succeeded",
    "provider_status",
    "provider_answer",
    "error",
    "duration_ms",
)


class _Statements:
    """The SQL of one vendor and the converters of the claim's columns."""

    def __init__(self, connection):
        ops, features, qn = connection.ops, connection.features, connection.ops.quote_name
        notification, ticket, unit, event = (
            qn(model._meta.db_table) for model in (Notification, Ticket, ServiceUnit, TicketEvent)
        )
        # Read back through the ORM's own converters, each table's columns qualified by its name.
        self.readers = [
            RowReader(Notification, notification),
            RowReader(Ticket, ticket, _TICKET),
            RowReader(ServiceUnit, unit, _UNIT),
            RowReader(TicketEvent, event, _EVENT),
        ]
        columns = ", ".join(reader.columns for reader in self.readers)
        opt_out = qn(NotificationOptOut._meta.db_table)

        def col(table: str, model: type[Model], name: str) -> str:
            return f"{table}.{qn(model._meta.get_field(name).column)}"

        lock = ""
        if features.has_select_for_update:
            of = (notification,) if features.has_select_for_update_of else ()
            lock = " " + ops.for_update_sql(skip_locked=features.has_select_for_update_skip_locked, of=of)
        # The opt-out check rides along: an address that opted out since the row was written is skipped.
        self.claim = (
            f"SELECT {columns}, EXISTS (SELECT 1 FROM {opt_out} WHERE "
            f"{col(opt_out, NotificationOptOut, 'channel')} = {col(notification, Notification, 'channel')} AND "
            f"{col(opt_out, NotificationOptOut, 'address')} = {col(notification, Notification, 'address')}) "
            f"FROM {notification} "
            f"LEFT OUTER JOIN {ticket} ON {col(notification, Notification, 'ticket')} = {col(ticket, Ticket, 'id')} "
            f"LEFT OUTER JOIN {unit} ON {col(ticket, Ticket, 'unit')} = {col(unit, ServiceUnit, 'id')} "
            f"LEFT OUTER JOIN {event} ON {col(notification, Notification, 'event')} = {col(event, TicketEvent, 'id')} "
            f"WHERE {col(notification, Notification, 'id')} = %s AND {col(notification, Notification, 'status')} = %s"
            f"{lock}"
        )
        self.update_fields = [Notification._meta.get_field(name) for name in DELIVERY_FIELDS]
        self.update = (
            f"UPDATE {notification} SET {', '.join(f'{qn(f.column)} = %s' for f in self.update_fields)} "
            f"WHERE {qn(Notification._meta.pk.column)} = %s"
        )
        self.skip = (
            f"UPDATE {notification} SET {qn(Notification._meta.get_field('status').column)} = %s "
            f"WHERE {qn(Notification._meta.pk.column)} = %s"
        )
        self.attempt_fields = [NotificationAttempt._meta.get_field(name) for name in ATTEMPT_FIELDS]
        self.attempt = (
            f"INSERT INTO {qn(NotificationAttempt._meta.db_table)} "
            f"({', '.join(qn(f.column) for f in self.attempt_fields)}) "
            f"VALUES ({', '.join(['%s'] * len(self.attempt_fields))})"
        )
        # PostgreSQL writes both in one statement (an INSERT in a WITH clause); SQLite has no such thing.
        self.record = f"WITH attempt AS ({self.attempt}) {self.update}" if connection.vendor == "postgresql" else None


_statements: dict[str, _Statements] = {}


def _sql(connection) -> _Statements:
    statements = _statements.get(connection.vendor)
    if statements is None:
        statements = _statements[connection.vendor] = _Statements(connection)
    return statements


def claim(notification_id: int) -> tuple[Notification, bool] | None:
    """Lock the pending row ``notification_id`` with its ticket (number, kind, token, unit's zone) and event data,
    skipping it when another transaction holds it (``FOR UPDATE … SKIP LOCKED`` where the database has it);
    None when it is locked, gone or no longer pending. Also answers whether its address has opted out.

    Call inside a transaction: the lock lasts until it ends.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    if not connection.in_atomic_block:
        raise transaction.TransactionManagementError("claiming a notification needs a transaction")
    sql = _sql(connection)
    with connection.cursor() as cursor:
        execute(cursor, sql.claim, [notification_id, Notification.Status.PENDING])
        row = cursor.fetchone()
    if row is None:
        return None
    opted_out = bool(row[-1])
    instances, start = [], 0
    for reader in sql.readers:
        own = row[start : start + len(reader)]
        start += len(reader)
        instances.append(reader.instance(own) if own[0] is not None else None)  # None: no such joined row
    notification, ticket, unit, event = instances
    # As select_related("ticket__unit", "event") would leave them: read once, never again.
    Notification.ticket.field.set_cached_value(notification, ticket)
    Notification.event.field.set_cached_value(notification, event)
    if ticket is not None:
        Ticket.unit.field.set_cached_value(ticket, unit)
    return notification, opted_out


def mark_skipped(notification: Notification) -> None:
    """Write the status of a claimed row whose address opted out."""
    connection = connections[DEFAULT_DB_ALIAS]
    status = Notification._meta.get_field("status")
    with connection.cursor() as cursor:
        execute(
            cursor, _sql(connection).skip, [status.get_db_prep_save(notification.status, connection), notification.pk]
        )


def record(notification: Notification, attempt: NotificationAttempt) -> None:
    """Write the attempt and the row's delivery columns (``DELIVERY_FIELDS``) after a send."""
    connection = connections[DEFAULT_DB_ALIAS]
    sql = _sql(connection)
    attempt_values = [f.get_db_prep_save(getattr(attempt, f.attname), connection) for f in sql.attempt_fields]
    update_values = [f.get_db_prep_save(getattr(notification, f.attname), connection) for f in sql.update_fields]
    update_values.append(notification.pk)
    with connection.cursor() as cursor:
        if sql.record:
            execute(cursor, sql.record, attempt_values + update_values)
        else:
            execute(cursor, sql.attempt, attempt_values)
            execute(cursor, sql.update, update_values)
