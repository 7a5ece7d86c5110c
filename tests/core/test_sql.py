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
