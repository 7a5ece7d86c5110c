"""Reads for the live tracking page and the supervisor's feedback view."""

from datetime import datetime

from django.conf import settings
from django.db.models import Avg, Count, QuerySet
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.templatetags.sigap import unit_time
from tickets import selectors as ticket_selectors
from tickets.models import Ticket, TicketEvent

from .models import Feedback, Notification, SurveyResponse

S = Ticket.Status
PROGRESS_STATUSES = {S.ASSIGNED, S.ON_THE_WAY, S.IN_PROGRESS, S.TEMPORARILY_RESTORED}


def _event_title(event: TicketEvent) -> str:
    if event.kind == TicketEvent.Kind.OPENED:
        return _("Report received")
    if event.kind == TicketEvent.Kind.LINKED:
        return _("Follow-up report") + f" {event.message}"
    if event.to_status:
        return event.to_status_label
    if event.kind == TicketEvent.Kind.PUBLIC_UPDATE:
        return _("Update")
    return ""


def _first_name(value) -> str:
    text = str(value or "").strip()
    return text.split()[0][:30] if text else ""


def tracking_progress(ticket: Ticket, events: list[TicketEvent]) -> dict:
    """Technician (first name only), arrival estimate, estimated restoration and cause, from event data.

    Each value comes from the latest public status event that carries it; the technician part is
    shown only while the job is under way.
    """
    latest: dict = {}
    for event in events:
        if event.kind != TicketEvent.Kind.STATUS:
            continue
        for key in ("technician_first_name", "eta_minutes", "estimated_restoration_at", "cause", "cause_labels"):
            if (event.data or {}).get(key) not in (None, ""):
                latest[key] = event.data[key]
    progress = {"technician": "", "stage": "", "eta_minutes": None, "restoration": "", "cause": ""}
    if ticket.status in PROGRESS_STATUSES:
        progress["technician"] = _first_name(latest.get("technician_first_name"))
        progress["stage"] = {
            S.ASSIGNED: _("A crew has been assigned"),
            S.ON_THE_WAY: _("On the way to you"),
            S.IN_PROGRESS: _("On site, working on it"),
            S.TEMPORARILY_RESTORED: _("Power temporarily restored, work continues"),
        }[ticket.status]
        eta = latest.get("eta_minutes")
        if ticket.status == S.ON_THE_WAY and isinstance(eta, int | float) and eta > 0:
            progress["eta_minutes"] = int(eta)
    if ticket.is_open and ticket.status not in {S.RESTORED, S.RESOLVED}:
        restoration = latest.get("estimated_restoration_at")
        when = parse_datetime(restoration) if isinstance(restoration, str) else restoration
        if isinstance(when, datetime):
            progress["restoration"] = unit_time(when, ticket.unit)
    progress["cause"] = _cause_text(latest)[:200]
    return progress


def _cause_text(latest: dict) -> str:
    """The cause in the reader's language; an event written before the labels were kept holds only its text."""
    labels = latest.get("cause_labels")
    if isinstance(labels, dict):
        return str(labels.get(translation.get_language()) or labels.get(settings.LANGUAGE_CODE) or "")
    return str(latest.get("cause") or "")


def _version(status: str, last_event_id: int | None) -> str:
    return f"{status}:{last_event_id or 0}"


def tracking_version(ticket: Ticket) -> str:
    """A short fingerprint of what the tracking page shows; one indexed query."""
    last = ticket_selectors.public_events(ticket).order_by("-created_at", "-id").values_list("pk", flat=True).first()
    return _version(ticket.status, last)


def tracking_snapshot(ticket: Ticket) -> dict:
    """Everything the tracking page shows, as plain data (for the page and its JSON endpoint)."""
    events = list(ticket_selectors.public_events(ticket))
    return {
        "number": ticket.number,
        "status": ticket.status,
        "status_label": str(ticket.get_status_display()),
        "is_open": ticket.is_open,
        "version": _version(ticket.status, events[-1].pk if events else None),
        "timeline": [
            {
                "kind": event.kind,
                "time": event.created_at.isoformat(),
                "time_label": unit_time(event.created_at, ticket.unit),
                "title": _event_title(event),
                "message": event.message if event.kind != TicketEvent.Kind.LINKED else "",
            }
            for event in events
        ],
        "progress": tracking_progress(ticket, events),
        "survey_open": survey_open(ticket) and not SurveyResponse.objects.filter(ticket=ticket).exists(),
    }


def survey_open(ticket: Ticket) -> bool:
    """The survey can be answered once the work is done (restored, resolved or closed) — not while a follow-up
    report of it is open (the customer said the power is still out: the work is not done)."""
    done = bool(ticket.restored_at or ticket.resolved_at or ticket.status == Ticket.Status.CLOSED)
    if not done:
        return False
    if ticket.status != Ticket.Status.CLOSED:
        return True  # a follow-up is opened only when "still dark" closes the report: no query otherwise
    return not ticket.follow_ups.exclude(status__in=[Ticket.Status.CLOSED, Ticket.Status.CANCELLED]).exists()


def survey_responses_visible_to(viewer) -> QuerySet[SurveyResponse]:
    qs = SurveyResponse.objects.select_related("ticket", "unit")
    unit_ids = ticket_selectors.visible_unit_ids(viewer)
    return qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)


def feedback_visible_to(viewer) -> QuerySet[Feedback]:
    qs = Feedback.objects.select_related("ticket", "unit")
    unit_ids = ticket_selectors.visible_unit_ids(viewer)
    return qs if unit_ids is None else qs.filter(unit_id__in=unit_ids)


def failed_notifications_visible_to(viewer) -> QuerySet[Notification]:
    """Notifications that could not be delivered, newest first, for the viewer's units."""
    qs = Notification.objects.select_related("ticket__unit").filter(status=Notification.Status.FAILED)
    unit_ids = ticket_selectors.visible_unit_ids(viewer)
    qs = qs if unit_ids is None else qs.filter(ticket__unit_id__in=unit_ids)
    return qs.order_by("-failed_at", "-id")


def survey_summary(responses: QuerySet[SurveyResponse]) -> dict:
    return responses.aggregate(count=Count("id"), average=Avg("rating"))
