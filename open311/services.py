"""Writes for Open311: issuing client keys and turning a posted request into a ticket, or into a connection
application (LY-PB, LY-PD) through connections' service."""

import secrets

from django.db import transaction
from django.utils.translation import gettext as _

from connections import services as connection_services
from core.errors import ApplicationError, InvalidInput
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


# The application fields that are personal and already kept on the application: not copied to the request.
PERSONAL_ATTRIBUTES = frozenset({definitions.NIK, definitions.APPLICANT_NAME})


def _request_for_key(key: str | None) -> Open311Request | None:
    if not key:
        return None
    return Open311Request.objects.select_related("ticket").filter(ticket__idempotency_key=key).first()


def submit_application(
    *,
    client: Open311Client,
    kind: str,
    applicant_name: str,
    nik: str,
    phone: str,
    requested_va,
    tariff: str,
    payment_type: str,
    attributes: dict,
    lat: float | None = None,
    lng: float | None = None,
    address: str = "",
    id_pelanggan: str = "",
    address_id: str = "",
    email: str = "",
    media_url: str = "",
    device_id: str = "",
    account_id: str = "",
    jurisdiction_id: str = "",
    language: str = "id",
    idempotency_key: str | None = None,
) -> Open311Request:
    """A new-connection or power-change application posted through Open311, made by connections' own service
    (its checks, its ticket and application in one transaction) and recorded on the Open311 side.

    1. A retry with the same ``Idempotency-Key`` from the same client returns the first request before any
       check (a power change would otherwise be refused as "already in progress"); ``was_created`` is then False.
    2. The documents cannot come through Open311's form: the application waits for them on the tracking page,
       where they show as still needed.
    3. Refusals are connections' ``ApplicationError`` with a message per field; nothing is written.
    """
    key = f"open311:{client.pk}:{idempotency_key}"[:100] if idempotency_key else None
    if (existing := _request_for_key(key)) is not None:
        existing.was_created = False
        return existing
    with transaction.atomic():
        try:
            application = connection_services.create_application(
                kind=kind,
                channel=Ticket.Channel.OPEN311,
                applicant_name=applicant_name,
                nik=nik,
                phone=phone,
                email=email,
                requested_va=requested_va,
                tariff=tariff,
                payment_type=payment_type,
                documents={},
                documents_later=True,
                address=address,
                lat=lat,
                lng=lng,
                id_pelanggan=id_pelanggan,
                language=language,
                idempotency_key=key,
            )
        except ApplicationError:
            # A concurrent retry may have saved the first request meanwhile (a power change is then refused as
            # in progress): the retry gets that request, like any other.
            if (existing := _request_for_key(key)) is not None:
                existing.was_created = False
                return existing
            raise
        if not application.was_created:
            existing = Open311Request.objects.select_related("ticket").filter(ticket=application.ticket).first()
            if existing is None:
                raise InvalidInput({"idempotency_key": _("This key was already used for another ticket.")})
            existing.was_created = False
            return existing
        request = Open311Request(
            ticket=application.ticket,
            client=client,
            jurisdiction_id=jurisdiction_id[:120],
            address_id=address_id[:64],
            account_id=account_id[:120],
            device_id=device_id[:120],
            media_url=media_url,
            attributes={code: value for code, value in attributes.items() if code not in PERSONAL_ATTRIBUTES},
        )
        request.full_clean(exclude=["ticket", "token"])
        request.save()
    request.was_created = True
    request.application = application
    return request
