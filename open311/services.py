"""Writes for Open311: issuing client keys and turning a posted request into a ticket."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from tickets import services as ticket_services
from tickets.models import Category, Ticket

from . import definitions
from .models import Open311Client, Open311Request
from .selectors import key_digest

DESCRIPTION_LIMIT = 4000


@transaction.atomic
def issue_client_key(*, client: Open311Client, raw_key: str | None = None) -> str:
    """Give the client a new random key, replacing any old one; return the key (shown once).

    ``raw_key`` is for the demo data only, whose key is printed in the README.
    """
    raw_key = raw_key or secrets.token_urlsafe(32)
    client.key_prefix = raw_key[:8]
    client.key_digest = key_digest(raw_key)
    client.full_clean()
    client.save()
    return raw_key


@transaction.atomic
def create_client(*, name: str, contact: str = "", throttle_rate: str = "60/minute") -> tuple[Open311Client, str]:
    """A new active client application and its key."""
    client = Open311Client(name=name, contact=contact, throttle_rate=throttle_rate)
    raw_key = issue_client_key(client=client)
    return client, raw_key


def _ticket_description(*, category: Category, description: str, attributes: dict) -> str:
    """The reporter's text, then the answers to the service definition, so staff see everything."""
    lines = [description.strip() or category.name]
    for code, value in attributes.items():
        if code in {definitions.ID_PELANGGAN, definitions.METER_NUMBER}:
            continue
        shown = ", ".join(value) if isinstance(value, list) else str(value)
        lines.append(f"{code}: {shown}")
    text = "\n".join(lines)
    return text[:DESCRIPTION_LIMIT]


def submit_service_request(
    *,
    client: Open311Client,
    category: Category,
    phone: str,
    description: str = "",
    attributes: dict | None = None,
    lat: float | None = None,
    lng: float | None = None,
    address_string: str = "",
    address_id: str = "",
    email: str = "",
    first_name: str = "",
    last_name: str = "",
    media_url: str = "",
    device_id: str = "",
    account_id: str = "",
    jurisdiction_id: str = "",
    language: str = "id",
    idempotency_key: str | None = None,
) -> Open311Request:
    """Open a normal ticket (channel Open311) for a posted request and record its Open311 side.

    1. ``address_id`` is our master address: the ID pelanggan of the connection, as is the attribute.
    2. ``tickets.services.open_ticket`` finds the customer and the ULP and announces the ticket, so the
       request is routed like any other.
    3. A retry with the same ``Idempotency-Key`` from the same client returns the first request
       (``was_created`` is then False).
    """
    attributes = dict(attributes or {})
    id_pelanggan = attributes.get(definitions.ID_PELANGGAN) or address_id
    meter_number = attributes.get(definitions.METER_NUMBER, "")
    key = f"open311:{client.pk}:{idempotency_key}"[:100] if idempotency_key else None
    with transaction.atomic():
        ticket = ticket_services.open_ticket(
            category=category,
            channel=Ticket.Channel.OPEN311,
            description=_ticket_description(category=category, description=description, attributes=attributes),
            reporter_phone=phone,
            reporter_name=f"{first_name} {last_name}".strip()[:120],
            reporter_email=email,
            id_pelanggan=id_pelanggan,
            meter_number=meter_number,
            lat=lat,
            lng=lng,
            address=address_string[:255],
            language=language,
            idempotency_key=key,
        )
        if not ticket.was_created:
            existing = Open311Request.objects.filter(ticket=ticket).first()
            if existing is None:
                raise InvalidInput({"idempotency_key": _("This key was already used for another ticket.")})
            existing.was_created = False
            return existing
        request = Open311Request(
            ticket=ticket,
            client=client,
            jurisdiction_id=jurisdiction_id[:120],
            address_id=address_id[:64],
            account_id=account_id[:120],
            device_id=device_id[:120],
            media_url=media_url,
            attributes=attributes,
        )
        request.full_clean(exclude=["ticket", "token"])
        request.save()
    request.was_created = True
    return request
