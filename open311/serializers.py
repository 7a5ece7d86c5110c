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
from django.utils.translation import gettext as _

from connections import selectors as connection_selectors
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


def _status_notes(events: list[TicketEvent], stage: str | None = None) -> str | None:
    """The newest public update: its message, or else the name of the status it reached. A connection
    application's notes start with its stage, unless the update is a stage move (which names it already)."""
    latest = events[-1] if events else None
    notes = (latest.message or (latest.to_status_label if latest.to_status else None)) if latest else None
    if not stage or (latest is not None and (latest.data or {}).get("stage")):
        return notes
    text = _("Stage: %(stage)s.") % {"stage": connection_selectors.stage_label(stage)}
    return f"{text} {notes}" if notes else text


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
        "status_notes": _status_notes(events, getattr(ticket, "application_stage", None)),
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


def application_notice(application) -> str:
    """What an applicant reads after an application posted through Open311: its stage, and the documents to
    send from the tracking page (Open311's form cannot carry them)."""
    stage = connection_selectors.stage_label(application.stage)
    missing = connection_selectors.missing_document_names(application)
    if not missing:
        return _("Your application is registered at the %(stage)s stage.") % {"stage": stage}
    return _(
        "Your application is registered at the %(stage)s stage. Documents cannot be sent through Open311: send a "
        "photo or PDF of your %(documents)s from the tracking page, whose link is in the SMS sent to your phone, "
        "or at %(url)s with this request number and your phone."
    ) % {"stage": stage, "documents": ", ".join(missing), "url": settings.SITE_URL + reverse("tickets:track")}


def created_request(request, *, with_token: bool, notice: str | None = None) -> dict:
    """The answer to POST requests: the id (realtime) or the token (batch), never both. ``notice`` replaces the
    service's usual notice (an application's says which documents to send)."""
    body = {"token": request.token} if with_token else {"service_request_id": request.ticket.number}
    body["service_notice"] = notice or service_notice(request.ticket) or None
    body["account_id"] = request.account_id or None
    return body


def token(request) -> dict:
    return {"service_request_id": request.ticket.number, "token": request.token}


def error(code: int, description: str) -> dict:
    return {"code": code, "description": description}
