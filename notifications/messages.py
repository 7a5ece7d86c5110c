"""The words of each notification: short, in the ticket's language, with the number and the link."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.templatetags.sigap import ZONE_LABELS
from tickets.api.serializers import tracking_url
from tickets.models import Category, Ticket

from .channels import Message
from .models import Notification

S = Ticket.Status

# Which ticket changes the customer hears about. "received" is the opening; going back to
# "received" (a crew was withdrawn) is internal and sends nothing.
NOTIFIED_KINDS = frozenset(
    {
        "received",
        S.ASSIGNED,
        S.ON_THE_WAY,
        S.IN_PROGRESS,
        S.TEMPORARILY_RESTORED,
        S.RESTORED,
        S.RESOLVED,
        S.CLOSED,
        S.WAITING_CUSTOMER,
        S.CANCELLED,
    }
)
SURVEY_KINDS = frozenset({S.RESTORED, S.RESOLVED})
DONE_KINDS = frozenset({S.RESTORED, S.RESOLVED, S.CLOSED, S.CANCELLED})

# Notices outside the status flow (written by ``services.notify_contact``); their words' parameters are in
# the row's ``payload``: times already in the unit's zone, links already absolute.
PLANNED_OUTAGE_NOTICE = "planned_notice"
PLANNED_OUTAGE_ENDED = "planned_ended"
POWER_BACK = "power_back"
ESTIMATE = "estimate"  # the dispatcher gave (or changed) the estimated restoration time of an outage
FEEDBACK_REPLY = "feedback_reply"  # the back office answered a kritik, saran or apresiasi (tickets/feedback.py)


def survey_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:survey", args=[ticket.tracking_token])


def confirm_url(ticket: Ticket) -> str:
    """The "is your power back?" page, when the outages app serves it ("" otherwise)."""
    try:
        return settings.SITE_URL + reverse("outages:confirm", args=[ticket.tracking_token])
    except NoReverseMatch:
        return ""


def preferences_url(ticket: Ticket) -> str:
    return settings.SITE_URL + reverse("tickets:notification-preferences", args=[ticket.tracking_token])


def _first_name(value) -> str:
    return str(value or "").split()[0][:30] if str(value or "").strip() else ""


def _headline(kind: str, number: str, data: dict) -> str:
    # An event may carry its own words for the customer, already in their language (connections' stages).
    summary = data.get("summary")
    if isinstance(summary, str) and summary.strip():
        return _("PLN 123, report %(number)s: %(summary)s") % {"number": number, "summary": summary.strip()[:300]}
    name = _first_name(data.get("technician_first_name"))
    eta = data.get("eta_minutes")
    if kind == "received":
        return _("PLN 123: your report %(number)s has been received.") % {"number": number}
    if kind == S.ASSIGNED:
        return _("PLN 123: a crew has been assigned to report %(number)s.") % {"number": number}
    if kind == S.ON_THE_WAY:
        text = (
            _("PLN 123: technician %(name)s is on the way for report %(number)s.") % {"name": name, "number": number}
            if name
            else _("PLN 123: our technician is on the way for report %(number)s.") % {"number": number}
        )
        if isinstance(eta, int | float) and eta > 0:
            text += " " + _("Arrives in about %(minutes)s min.") % {"minutes": int(eta)}
        return text
    if kind == S.IN_PROGRESS:
        return _("PLN 123: our technician is working on report %(number)s.") % {"number": number}
    if kind == S.TEMPORARILY_RESTORED:
        return _("PLN 123: power is temporarily back on for report %(number)s.") % {"number": number}
    if kind == S.RESTORED:
        return _("PLN 123: power is back on for report %(number)s.") % {"number": number}
    if kind == S.RESOLVED:
        return _("PLN 123: report %(number)s has been resolved.") % {"number": number}
    if kind == S.CLOSED and data.get("follow_up"):
        return _(
            "PLN 123: you told us the power is still out after report %(number)s; we opened report %(follow_up)s "
            "with priority and will keep you posted on it."
        ) % {"number": number, "follow_up": data["follow_up"]}
    if kind == S.CLOSED:
        return _("PLN 123: report %(number)s is closed. Thank you.") % {"number": number}
    if kind == S.WAITING_CUSTOMER:
        return _("PLN 123: we need information from you for report %(number)s.") % {"number": number}
    if kind == S.CANCELLED:
        return _("PLN 123: report %(number)s has been cancelled.") % {"number": number}
    return _("PLN 123: report %(number)s has an update.") % {"number": number}


def _restoration(ticket: Ticket, data: dict) -> str:
    """The estimated restoration time the dispatcher gave with this event, in the unit's zone."""
    value = data.get("estimated_restoration_at")
    when = parse_datetime(value) if isinstance(value, str) else None
    if when is None or when.tzinfo is None:
        return ""
    zone = ticket.unit.time_zone or settings.TIME_ZONE
    label = f"{when.astimezone(ZoneInfo(zone)):%H:%M} {ZONE_LABELS.get(zone, '')}".strip()
    return " " + _("Estimated restoration %(time)s.") % {"time": label}


def _notice(kind: str, payload: dict) -> tuple[str, str]:
    """Text and subject of a notice outside the status flow."""
    values = {key: str(value) for key, value in payload.items()}
    if kind == PLANNED_OUTAGE_NOTICE:
        text = _(
            "PLN 123: planned maintenance outage in %(area)s from %(starts)s to %(ends)s. "
            "We apologise for the inconvenience. Details: %(url)s"
        ) % {key: values.get(key, "") for key in ("area", "starts", "ends", "url")}
        return text, _("Planned outage")
    if kind == PLANNED_OUTAGE_ENDED:
        text = _("PLN 123: the planned maintenance in %(area)s has ended; power is back on. Still dark? Call 123.") % {
            "area": values.get("area", "")
        }
        return text, _("Planned outage ended")
    if kind == ESTIMATE:
        text = _("PLN 123: estimated restoration for report %(number)s: %(time)s. Track: %(url)s") % {
            key: values.get(key, "") for key in ("number", "time", "url")
        }
        return text, _("Estimated restoration")
    if kind == POWER_BACK:
        text = _("PLN 123: power is back on in %(area)s. Still dark? Report it: %(url)s") % {
            "area": values.get("area", ""),
            "url": values.get("url", ""),
        }
        return text, _("Power is back on")
    if kind == FEEDBACK_REPLY:
        text = _("PLN 123 replies to your feedback: %(reply)s") % {"reply": values.get("reply", "")}
        if values.get("url"):
            text += " " + _("Track: %(url)s") % {"url": values["url"]}
        return text, _("Reply to your feedback")
    if kind == "bill_correction":  # billing.services.issue_correction
        text = _(
            "PLN 123: your bill for %(period)s is corrected from Rp %(old)s to Rp %(new)s (report %(number)s)."
        ) % {key: values.get(key, "") for key in ("period", "old", "new", "number")}
        return text, _("Bill corrected")
    return _("PLN 123: an update from PLN."), _("PLN 123")


def compose(notification: Notification) -> Message:
    """The message for ``notification``, in its language."""
    ticket = notification.ticket
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        if notification.event_id is None:
            text, subject = _notice(notification.kind, notification.payload or {})
            return _message(notification, text, subject, ticket)
        data = notification.event.data or {}
        text = _headline(notification.kind, ticket.number, data)
        if notification.kind not in DONE_KINDS:
            text += _restoration(ticket, data)
        text += " " + _("Track: %(url)s") % {"url": tracking_url(ticket)}
        # With the "is your power back?" loop on, a restored outage carries the question (the outages app's
        # /nyala/<token>/ page) and asks for a rating once the customer has confirmed (the closing event
        # carries "survey"), not at the first "restored".
        confirm_first = (
            notification.kind == S.RESTORED
            and settings.RESTORATION_CONFIRM_ENABLED
            and ticket.kind == Category.Kind.TECHNICAL
        )
        if confirm_first and (url := confirm_url(ticket)):
            text += " " + _("Still no power? Tell us: %(url)s") % {"url": url}
        if (notification.kind in SURVEY_KINDS and not confirm_first) or (
            notification.kind == S.CLOSED and data.get("survey")
        ):
            text += " " + _("Rate us: %(url)s") % {"url": survey_url(ticket)}
        subject = _("Report %(number)s") % {"number": ticket.number}
        return _message(notification, text, subject, ticket)


def _message(notification: Notification, text: str, subject: str, ticket: Ticket | None) -> Message:
    with translation.override(notification.language or settings.LANGUAGE_CODE):
        headers = {}
        if notification.channel == Notification.Channel.EMAIL and ticket is not None:
            stop = preferences_url(ticket)
            text += "\n\n" + _("Stop these messages: %(url)s") % {"url": stop}
            headers["List-Unsubscribe"] = f"<{stop}>"
    return Message(
        channel=notification.channel,
        to=notification.address,
        text=text,
        reference=str(notification.reference),
        subject=subject,
        headers=headers,
    )
