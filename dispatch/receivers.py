"""Dispatch listens to tickets: an outage ticket is routed by Celery once its transaction commits (published by
the relay, dispatch/relay.py, or without it by the request after its commit)."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.dispatch import receiver
from django.utils import timezone

from core import circuit, outbox
from tickets import signals
from tickets.models import Ticket

logger = logging.getLogger(__name__)


@receiver(signals.ticket_opened, dispatch_uid="dispatch.route_outage")
def route_outage_on_open(sender, ticket: Ticket, **kwargs) -> None:
    if ticket.dispatch_state != Ticket.DispatchState.PENDING:
        return
    if outbox.relayed():
        return  # the relay publishes it (dispatch/relay.py): the request does not wait on the broker
    ticket_id = ticket.pk
    # The worker must never look for a ticket that is not committed yet.
    transaction.on_commit(lambda: enqueue_routing(ticket_id))


def enqueue_routing(ticket_id: int) -> None:
    """Hand the ticket to Celery; a failure leaves it pending for the sweeper and never fails the report."""
    from tickets import services as ticket_services

    from . import tasks

    try:
        if ticket_services.mark_dispatch_state(
            ticket_id=ticket_id, state=Ticket.DispatchState.ENQUEUED, only_from=(Ticket.DispatchState.PENDING,)
        ) and not circuit.publish(tasks.route_ticket, ticket_id):
            # Broker down (or known down: core.circuit skips it at once): due for the very next sweep.
            overdue = timezone.now() - timedelta(seconds=settings.DISPATCH_STUCK_SECONDS + 1)
            ticket_services.mark_dispatch_state(
                ticket_id=ticket_id,
                state=Ticket.DispatchState.PENDING,
                only_from=(Ticket.DispatchState.ENQUEUED,),
                requested_at=overdue,
            )
    except Exception:
        logger.warning("could not route ticket %s now; the dispatch sweeper will retry", ticket_id, exc_info=True)


@receiver(signals.ticket_status_changed, dispatch_uid="dispatch.follow_cancelled_ticket")
def follow_cancelled_ticket(sender, ticket: Ticket, from_status: str, to_status: str, **kwargs) -> None:
    """Reports cancelled by staff (a duplicate, a prank call): an incident with no report left stands down."""
    if to_status != Ticket.Status.CANCELLED or ticket.dispatch_state == Ticket.DispatchState.NOT_NEEDED:
        return
    from . import services

    ticket_id = ticket.pk
    # After the commit: dispatch locks an incident before its tickets, and this transaction holds the ticket.
    transaction.on_commit(lambda: services.withdraw_cancelled_report(ticket_id=ticket_id))


@receiver(signals.ticket_status_changed, dispatch_uid="dispatch.follow_finished_report")
def follow_finished_report(sender, ticket: Ticket, from_status: str, to_status: str, **kwargs) -> None:
    """A member report restored or closed outside the crew's job (by staff, a customer's own fix): when no report
    of its incident is left waiting, the incident is restored and its offer or job ends — no crew is sent, and
    nobody is offered a job with nothing left to do."""
    if to_status not in (Ticket.Status.RESTORED, Ticket.Status.CLOSED):
        return
    if ticket.dispatch_state == Ticket.DispatchState.NOT_NEEDED:
        return
    from . import services

    ticket_id = ticket.pk
    transaction.on_commit(lambda: services.settle_finished_report(ticket_id=ticket_id))
