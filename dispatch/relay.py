"""The relay's dispatch half (``manage.py run_relay``): outage tickets committed as waiting for routing
(``dispatch_state`` PENDING) are handed to routing tasks in batches, a few times a second.

The ticket row is the source of truth: the intake commits it PENDING and publishes nothing. A round takes the
waiting tickets with ``FOR UPDATE SKIP LOCKED`` (two relays never take the same one), marks them ENQUEUED with
the time (the dispatch sweeper routes again any still unattached DISPATCH_STUCK_SECONDS later: a lost message,
a dead worker, a relay killed between its commit and its publish), and publishes one ``route_tickets`` task
per DISPATCH_ROUTE_BATCH. A batch the broker refused goes back to PENDING for the next round.
"""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core import circuit
from tickets import services as ticket_services
from tickets.models import Ticket

from . import tasks

logger = logging.getLogger(__name__)


def relay_waiting_tickets(*, limit: int | None = None) -> int:
    """Publish routing for tickets committed PENDING; returns how many it took."""
    if circuit.broker.is_open():
        return 0
    limit = limit or settings.RELAY_BATCH
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Ticket.objects.select_for_update(skip_locked=True)
            .filter(dispatch_state=Ticket.DispatchState.PENDING)
            .order_by("dispatch_requested_at", "pk")
            .values_list("pk", flat=True)[:limit]
        )
        if not ids:
            return 0
        ticket_services.mark_dispatch_requested(ticket_ids=ids, at=now)
    batch = settings.DISPATCH_ROUTE_BATCH
    refused: list[int] = []
    for start in range(0, len(ids), batch):
        chunk = ids[start : start + batch]
        try:
            if not circuit.publish(tasks.route_tickets, chunk):
                refused.extend(chunk)
        except Exception:  # in-process tasks: routing failed here; the dispatch sweeper routes them again
            logger.warning("routing %s relayed tickets failed; the sweeper will retry", len(chunk), exc_info=True)
    if refused:  # the broker went away: back to waiting, in one statement (none of them reached a worker)
        ticket_services.mark_dispatch_states(ticket_ids=refused, state=Ticket.DispatchState.PENDING)
    return len(ids)
