"""``core.sql.insert_linked``: rows that refer to each other written in order, in one statement on PostgreSQL."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core import sql
from notifications.models import Notification
from tests.factories import TicketFactory
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def _unsaved_ticket(ulp) -> Ticket:
    return TicketFactory.build(unit=ulp)


def test_rows_are_written_with_their_links_and_get_their_ids(ulp):
    ticket = _unsaved_ticket(ulp)
    opened = TicketEvent(ticket=ticket, kind=TicketEvent.Kind.OPENED, to_status=ticket.status, data={"a": "b%s"})
    notice = Notification(ticket=ticket, event=opened, kind="received", channel="sms", address="+6281234567890",
                          next_attempt_at=timezone.now())  # fmt: skip
    with CaptureQueriesContext(connection) as captured:
        sql.insert_linked(
            [(ticket, {}), (opened, {"ticket_id": ticket}), (notice, {"ticket_id": ticket, "event_id": opened})]
        )
    assert len(captured) == (1 if connection.vendor == "postgresql" else 3)
    assert ticket.pk and opened.pk and notice.pk
    assert not ticket._state.adding and opened.ticket is ticket  # the cached parent is kept
    stored = Notification.objects.select_related("event").get(pk=notice.pk)
    assert (stored.ticket_id, stored.event_id) == (ticket.pk, opened.pk)
    assert stored.event.data == {"a": "b%s"}  # JSON and a literal %s go through as save() writes them
    assert Ticket.objects.get(pk=ticket.pk).number == ticket.number


def test_a_link_to_an_object_written_later_is_refused(ulp):
    ticket = _unsaved_ticket(ulp)
    opened = TicketEvent(ticket=ticket, kind=TicketEvent.Kind.OPENED, to_status=ticket.status)
    with pytest.raises(ValueError):
        sql.insert_linked([(opened, {"ticket_id": ticket}), (ticket, {})])
    assert not Ticket.objects.filter(number=ticket.number).exists()


def test_a_failing_row_writes_none_of_them(ulp):
    taken = TicketFactory(unit=ulp)
    ticket = _unsaved_ticket(ulp)
    ticket.number = taken.number  # the unique number clashes
    opened = TicketEvent(ticket=ticket, kind=TicketEvent.Kind.OPENED, to_status=ticket.status)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        sql.insert_linked([(ticket, {}), (opened, {"ticket_id": ticket})])
    assert (
        TicketEvent.objects.filter(ticket__number=taken.number).count()
        == TicketEvent.objects.filter(ticket=taken).count()
    )
    assert ticket.pk is None


def test_later_rows_reuse_the_compiled_statement_with_their_own_values(ulp):
    written = []
    for n in range(3):  # the first compiles the INSERTs, the others reuse them
        ticket = _unsaved_ticket(ulp)
        ticket.description = f"padam {n}"
        opened = TicketEvent(ticket=ticket, kind=TicketEvent.Kind.OPENED, to_status=ticket.status, data={"n": n})
        sql.insert_linked([(ticket, {}), (opened, {"ticket_id": ticket})])
        written.append((ticket.pk, opened.pk))
    for n, (ticket_id, event_id) in enumerate(written):
        event = TicketEvent.objects.select_related("ticket").get(pk=event_id)
        assert (event.ticket_id, event.ticket.description, event.data) == (ticket_id, f"padam {n}", {"n": n})


# --- Prepared statements (core.sql.execute) ----------------------------------------------------------------


def _prepared_here() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, statement FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _run(text: str, params) -> list:
    with connection.cursor() as cursor:
        sql.execute(cursor, text, params)
        return cursor.fetchall()


def test_a_statement_gives_the_same_rows_whether_prepared_or_not(ulp):
    ticket = TicketFactory(unit=ulp)
    text = "SELECT number, unit_id FROM tickets_ticket WHERE id = %s AND number LIKE %s || '%%'"
    first, again = _run(text, [ticket.pk, ticket.number[:3]]), _run(text, [ticket.pk, ticket.number[:3]])
    with CaptureQueriesContext(connection) as captured:  # recorded: run as written, readable in the record
        recorded = _run(text, [ticket.pk, ticket.number[:3]])
    assert first == again == recorded == [(ticket.number, ulp.pk)]
    assert captured[0]["sql"].startswith("SELECT number")
    if connection.vendor == "postgresql":
        prepared = [statement for statement in _prepared_here().values() if "tickets_ticket WHERE id = $1" in statement]
        assert len(prepared) == 1  # prepared once for this connection, reused
        assert "LIKE $2 || '%'" in prepared[0]  # a literal percent sign stays one


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_a_prepared_statement_outlives_a_rolled_back_transaction_and_a_new_connection_prepares_again(ulp):
    from django.db import transaction

    ticket = TicketFactory(unit=ulp)
    text = "SELECT id FROM tickets_ticket WHERE id = %s AND status <> %s"
    with pytest.raises(RuntimeError), transaction.atomic():
        assert _run(text, [ticket.pk, "x"]) == [(ticket.pk,)]
        raise RuntimeError("roll back")
    assert _run(text, [ticket.pk, "x"]) == [(ticket.pk,)]  # still prepared: no "does not exist"
    assert sum("status <> $2" in s for s in _prepared_here().values()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_past_the_limit_texts_run_unprepared(ulp, monkeypatch):
    monkeypatch.setattr(sql, "PREPARED_PER_CONNECTION", len(connection.__dict__.get("_sigap_prepared", (0, {}))[1]))
    text = "SELECT count(*) FROM tickets_ticket WHERE unit_id = %s AND 41 < 42"
    assert _run(text, [ulp.pk]) == [(0,)]
    assert not [s for s in _prepared_here().values() if "41 < 42" in s]


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_a_new_connection_prepares_its_own():
    text = "SELECT %s::int + 1"
    assert _run(text, [1]) == [(2,)]
    connection.close()  # as a restart of PostgreSQL or CONN_MAX_AGE would leave it
    assert _run(text, [2]) == [(3,)]
    assert sum("$1::int + 1" in s for s in _prepared_here().values()) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL prepares statements")
def test_switched_off_nothing_is_prepared(ulp, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False  # behind a pooler that shares sessions
    text = "SELECT count(*) FROM tickets_ticket WHERE unit_id = %s AND 40 < 42"
    assert _run(text, [ulp.pk]) == _run(text, [ulp.pk]) == [(0,)]
    assert not [s for s in _prepared_here().values() if "40 < 42" in s]
