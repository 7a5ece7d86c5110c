"""Celery tasks of dispatch: thin wrappers around the services (ids in, ids out; all idempotent).

A lost race on a unique constraint (IntegrityError) or a dropped connection is retried, never surfaced:
the services re-read the state and do only what is left.
"""

import logging

from celery import shared_task
from django.db import IntegrityError, OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    name="dispatch.route_ticket", autoretry_for=(OperationalError, IntegrityError), retry_backoff=2, max_retries=5
)
def route_ticket(ticket_id: int) -> int | None:
    """Attach an outage ticket to its incident and offer the incident to the best technician."""
    from . import services

    assignment = services.route_ticket(ticket_id=ticket_id)
    return assignment.pk if assignment is not None else None


@shared_task(
    name="dispatch.route_tickets", autoretry_for=(OperationalError, IntegrityError), retry_backoff=2, max_retries=5
)
def route_tickets(ticket_ids: list[int]) -> dict:
    """Route a batch of waiting outage tickets (published by the sweeper after an outage of the broker)."""
    from . import services

    return services.route_tickets(ticket_ids=ticket_ids)


@shared_task(
    name="dispatch.route_incident", autoretry_for=(OperationalError, IntegrityError), retry_backoff=2, max_retries=5
)
def route_incident(incident_id: int) -> int | None:
    """Offer an incident without a crew to the next best technician (after a decline or an expiry)."""
    from . import services

    assignment = services.route_incident(incident_id=incident_id)
    return assignment.pk if assignment is not None else None


@shared_task(
    name="dispatch.expire_offer", autoretry_for=(OperationalError, IntegrityError), retry_backoff=2, max_retries=5
)
def expire_offer(assignment_id: int) -> int:
    """Expire the offers nobody answered in time and move their incidents on to the next candidates; returns how
    many it expired.

    Offers made in a burst expire in a burst (each offer's task is due when it is): one of these tasks at a time
    expires every offer due, the others return at once, so a wave of expiries holds one worker process while new
    reports are routed on the others (a storm's waves of several hundred, ~35 ms each, held every process for
    about 20 s: bench/RESULTS.md). An offer whose task returned is expired by the running one, which looks again
    until none is due, or else by the dispatch sweeper (every 10 s)."""
    from django.core.cache import cache

    from . import services

    if not cache.add(EXPIRING_KEY, assignment_id, EXPIRING_LOCK_SECONDS):
        return 0  # another task is expiring the offers due (or the cache is away: the sweeper will)
    try:
        return services.expire_due_offers()
    finally:
        cache.delete(EXPIRING_KEY)


EXPIRING_KEY = "dispatch:expiring-offers"
EXPIRING_LOCK_SECONDS = 120  # a task killed while holding it blocks the others this long; the sweeper goes on


@shared_task(name="dispatch.sweep_dispatch", bind=True)
def sweep_dispatch(self) -> dict:
    """Expire late offers, re-route incidents left without a crew and tickets never routed.

    On a worker, waiting tickets are fanned out to routing tasks; run in-process (run_sweepers, no broker)
    they are routed here."""
    from . import services

    return services.sweep_dispatch(fan_out=not self.request.is_eager)
