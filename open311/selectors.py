"""Reads for Open311: clients by key, the services on offer and the requests anyone may follow."""

import hashlib
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from connections import selectors as connection_selectors
from tickets import selectors as ticket_selectors
from tickets import workflow
from tickets.models import Category, Ticket, TicketEvent

from .models import Open311Client, Open311Request

MAX_REQUESTS = 1000  # GeoReport v2 "Response Volume": the first 1000 requests at most


def key_digest(raw_key: str) -> str:
    return hashlib.sha256(raw_key.encode("utf-8")).hexdigest()


def client_for_key(raw_key: str) -> Open311Client | None:
    """The client holding this key, active or not; None for an unknown key."""
    if not raw_key or len(raw_key) > 200:
        return None
    return Open311Client.objects.filter(key_digest=key_digest(raw_key)).first()


def service_categories() -> QuerySet[Category]:
    """One Open311 service per public, active ticket category."""
    return ticket_selectors.public_categories()


def service_category(code: str) -> Category | None:
    return service_categories().filter(code=code).first()


def _requests_base() -> QuerySet[Ticket]:
    public_events = TicketEvent.objects.filter(is_public=True).order_by("created_at", "id")
    return (
        Ticket.objects.filter(category__in=service_categories())
        .select_related("category", "unit")
        .prefetch_related(Prefetch("events", queryset=public_events, to_attr="public_timeline"))
    )


def service_requests(
    *,
    numbers: list[str] | None = None,
    service_codes: list[str] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    statuses: set[str] | None = None,
) -> list[Ticket]:
    """Requests for ``GET requests``, newest first, at most ``MAX_REQUESTS``.

    ``numbers`` overrides every other filter, as the specification says of service_request_id.
    ``statuses`` holds Open311 statuses (open / closed).
    """
    qs = _requests_base()
    if numbers is not None:
        qs = qs.filter(number__in=numbers)
    else:
        if service_codes:
            qs = qs.filter(category__code__in=service_codes)
        if start is not None:
            qs = qs.filter(created_at__gte=start)
        if end is not None:
            qs = qs.filter(created_at__lte=end)
        if statuses == {"open"}:
            qs = qs.exclude(status__in=workflow.DONE_STATUSES)
        elif statuses == {"closed"}:
            qs = qs.filter(status__in=workflow.DONE_STATUSES)
    return _with_stages(list(qs.order_by("-created_at", "-id")[:MAX_REQUESTS]))


def _with_stages(tickets: list[Ticket]) -> list[Ticket]:
    """Each connection application's ticket carries its stage (``application_stage``), in one query."""
    stages = connection_selectors.stages_of_tickets(tickets)
    for ticket in tickets:
        ticket.application_stage = stages.get(ticket.pk)
    return tickets


def service_request(number: str) -> Ticket | None:
    found = _with_stages(list(_requests_base().filter(number=number)[:1]))
    return found[0] if found else None


def request_by_token(token: str) -> Open311Request | None:
    if not token or len(token) > 32:
        return None
    return Open311Request.objects.select_related("ticket").filter(token=token).first()


def application_of_request(request: Open311Request):
    """The connection application a request made, or None (a retry may name any kind of request)."""
    return connection_selectors.application_of_ticket(request.ticket)
