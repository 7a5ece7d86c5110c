"""The GeoReport v2 shapes, as plain data that the JSON and XML renderers both write.

Field names and order follow the specification. Nothing personal about the reporter is ever in a
request: no name, phone, e-mail, ID pelanggan, account or device, and neither the free-text
description nor the address (a reporter's words and a home address are personal); the location is
rounded to about a kilometre.
"""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse

from tickets import selectors as ticket_selectors
from tickets import workflow
from tickets.models import Category, Ticket, TicketEvent

from . import definitions

PUBLIC_COORDINATE_DECIMALS = 2


def w3c_datetime(value: datetime | None, zone: str) -> str | None:
    """ISO 8601 with the offset of the unit's zone (WIB, WITA or WIT), e.g. 2026-11-25T19:30:00+08:00."""
    if value is None:
        return None
    return value.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds")


def discovery() -> dict:
    changeset = definitions.CHANGESET
    return {
        "changeset": changeset,
        "contact": settings.OPEN311_CONTACT,
        "key_service": settings.OPEN311_KEY_SERVICE,
        "endpoints": [
            {
                "specification": definitions.SPECIFICATION,
                "url": settings.SITE_URL + reverse("open311:root").rstrip("/"),
                "changeset": changeset,
                "type": settings.OPEN311_ENDPOINT_TYPE,
                "formats": ["text/xml", "application/json"],
            }
        ],
    }


def _service_description(category: Category) -> str:
    return f"{category.get_group_display()}: {category.name}. {category.get_kind_display()}."


def service(category: Category) -> dict:
    keywords = (category.name_id, category.name_en, *definitions.KEYWORDS_BY_GROUP.get(category.group, ()))
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _service_description(category),
        "metadata": bool(definitions.attributes_for(category)),
        "type": settings.OPEN311_SERVICE_TYPE,
        "keywords": ", ".join(keywords),
        "group": str(category.get_group_display()),
    }


def attribute(item: definitions.Attribute, order: int) -> dict:
    return {
        "variable": item.variable,
        "code": item.code,
        "datatype": item.datatype,
        "required": item.required,
        "datatype_description": str(item.datatype_description) or None,
        "order": order,
        "description": str(item.description),
        "values": [{"key": key, "name": str(name)} for key, name in item.values],
    }


def service_definition(category: Category) -> dict:
    return {
        "service_code": category.code,
        "attributes": [
            attribute(item, order) for order, item in enumerate(definitions.attributes_for(category), start=1)
        ],
    }


def service_notice(ticket: Ticket) -> str:
    return str(definitions.NOTICE_BY_KIND.get(ticket.kind, ""))


def open311_status(ticket: Ticket) -> str:
    """Open311 knows open and closed; closed means the work is done for the customer."""
    return "closed" if ticket.status in workflow.DONE_STATUSES else "open"


def _timeline(ticket: Ticket) -> list[TicketEvent]:
    cached = getattr(ticket, "public_timeline", None)  # prefetched by the selectors for lists
    if cached is not None:
        return cached
    return list(ticket_selectors.public_events(ticket))


def _status_notes(events: list[TicketEvent]) -> str | None:
    """The newest public update: its message, or else the name of the status it reached."""
    if not events:
        return None
    latest = events[-1]
    return latest.message or (latest.to_status_label if latest.to_status else None)


def _closed_at(ticket: Ticket, events: list[TicketEvent]) -> datetime | None:
    """When the request last became closed: the first done status since the last open one."""
    closed_at = None
    for event in events:
        if not event.to_status:
            continue
        if event.to_status in workflow.DONE_STATUSES:
            closed_at = closed_at or event.created_at
        else:
            closed_at = None
    return closed_at


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, PUBLIC_COORDINATE_DECIMALS)


def service_request(ticket: Ticket) -> dict:
    events = _timeline(ticket)
    zone = ticket.unit.time_zone
    status = open311_status(ticket)
    updated = (_closed_at(ticket, events) if status == "closed" else None) or ticket.updated_at
    return {
        "service_request_id": ticket.number,
        "status": status,
        "status_notes": _status_notes(events),
        "service_name": ticket.category.name,
        "service_code": ticket.category.code,
        "description": None,
        "agency_responsible": ticket.unit.name,
        "service_notice": service_notice(ticket) or None,
        "requested_datetime": w3c_datetime(ticket.created_at, zone),
        "updated_datetime": w3c_datetime(updated, zone),
        "expected_datetime": w3c_datetime(ticket.resolution_due_at, zone),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": _rounded(ticket.lat),
        "long": _rounded(ticket.lng),
        "media_url": None,
    }


def created_request(request, *, with_token: bool) -> dict:
    """The answer to POST requests: the id (realtime) or the token (batch), never both."""
    body = {"token": request.token} if with_token else {"service_request_id": request.ticket.number}
    body["service_notice"] = service_notice(request.ticket) or None
    body["account_id"] = request.account_id or None
    return body


def token(request) -> dict:
    return {"service_request_id": request.ticket.number, "token": request.token}


def error(code: int, description: str) -> dict:
    return {"code": code, "description": description}
