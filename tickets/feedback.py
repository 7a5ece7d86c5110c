"""Customer feedback (kritik, saran, apresiasi): one ``Feedback`` row per piece of feedback, whatever the channel.

The tickets app owns ``Feedback`` (the model is defined in ``notifications/models.py`` with app label
``tickets``). Feedback arrives three ways:

- the ``/masukan/`` page and ``POST /api/v1/feedback/`` (``notifications.services.send_feedback``);
- a ticket in an SP-* category, from any intake (console, API, web, Open311): the receiver below hears
  ``ticket_opened`` and writes the ticket's one Feedback row (origin "ticket"; a unique constraint keeps it one).

The back office answers it once (``reply_to_feedback``): the reply is stored on the row, sent through the
notification outbox to the phone and/or e-mail address the customer gave, and shown on the ticket's tracking
page (a public update on its timeline) when the feedback belongs to a ticket. Feedback nobody can be answered on
(no phone, no e-mail, no ticket) is refused a reply (400) and is closed instead (``close_feedback``).
"""

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import receiver
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError, InvalidInput
from notifications import selectors as notification_selectors
from notifications import services as notifications
from notifications.messages import FEEDBACK_REPLY
from notifications.models import Feedback

from . import services, signals
from .api.serializers import tracking_url
from .models import Ticket

KIND_BY_CATEGORY = {
    "SP-KRITIK": Feedback.Kind.KRITIK,
    "SP-SARAN": Feedback.Kind.SARAN,
    "SP-APRESIASI": Feedback.Kind.APRESIASI,
}
REPLY_MAX_LENGTH = 2000


def record_ticket_feedback(ticket: Ticket) -> Feedback | None:
    """The Feedback row of a ticket in an SP-* category (None for other categories). Safe to call twice: the
    second call finds the row the first wrote."""
    kind = KIND_BY_CATEGORY.get(ticket.category.code)
    if kind is None:
        return None
    Feedback.objects.bulk_create(
        [
            Feedback(
                kind=kind,
                message=(ticket.description or "")[:4000],
                name=ticket.reporter_name or "",
                phone=ticket.reporter_phone or "",
                email=ticket.reporter_email or "",
                ticket=ticket,
                unit_id=ticket.unit_id,
                origin=Feedback.Origin.TICKET,
                language=ticket.language or "id",
                created_at=ticket.created_at,
            )
        ],
        ignore_conflicts=True,
    )
    return Feedback.objects.get(ticket=ticket, origin=Feedback.Origin.TICKET)


@receiver(signals.ticket_opened, dispatch_uid="tickets.feedback_from_ticket")
def feedback_from_ticket(sender, ticket, **kwargs) -> None:
    record_ticket_feedback(ticket)


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update(of=("self",)).select_related("ticket").get(pk=feedback.pk)


@transaction.atomic
def reply_to_feedback(*, feedback: Feedback, user, reply: str) -> Feedback:
    """Answer the customer once: store the reply and write its outbox rows (phone's mobile channel, e-mail).

    400 when the feedback was already answered or closed, when the reply is empty, and when the customer left
    no way to reach them (no phone, no e-mail, no ticket): such feedback is closed, not answered.
    """
    text = (reply or "").strip()
    if not text:
        raise InvalidInput({"reply": _("Write a reply first.")})
    if len(text) > REPLY_MAX_LENGTH:
        raise InvalidInput({"reply": _("At most %(count)s characters, please.") % {"count": REPLY_MAX_LENGTH}})
    feedback = _locked(feedback)
    if feedback.status == Feedback.Status.REPLIED:
        raise ApplicationError(_("This feedback has already been answered; a customer gets one reply."))
    if feedback.status == Feedback.Status.CLOSED:
        raise ApplicationError(_("This feedback is closed; it can no longer be answered."))
    if not feedback.has_contact:
        raise ApplicationError(
            _(
                "This feedback left no phone number, e-mail address or ticket, so no reply can reach the customer. "
                "Close it instead."
            )
        )
    now = timezone.now()
    feedback.reply = text
    feedback.replied_by = user
    feedback.replied_at = now
    feedback.status = Feedback.Status.REPLIED
    feedback.save(update_fields=["reply", "replied_by", "replied_at", "status"])
    if feedback.ticket is not None:
        # On the ticket's timeline (tracking page, tracking API, staff ticket page) as a public update: the
        # customer reads it there without another query, and the outbox below is the only message sent.
        with translation.override(feedback.language or settings.LANGUAGE_CODE):
            message = _("Our reply to your feedback: %(reply)s") % {"reply": text}
        services.add_note(ticket=feedback.ticket, author=user, message=message, public=True)
    payload = {"reply": text, "url": tracking_url(feedback.ticket) if feedback.ticket is not None else ""}
    notifications.notify_contact(
        kind=FEEDBACK_REPLY,
        dedupe_key=f"feedback-reply:{feedback.pk}",
        phone=feedback.phone,
        email=feedback.email,
        language=feedback.language,
        payload=payload,
        ticket=feedback.ticket,
    )
    return feedback


@transaction.atomic
def close_feedback(*, feedback: Feedback, user) -> Feedback:
    """Done with this feedback without (another) reply: anonymous feedback, or an answered one."""
    feedback = _locked(feedback)
    if feedback.status == Feedback.Status.CLOSED:
        raise ApplicationError(_("This feedback is already closed."))
    feedback.status = Feedback.Status.CLOSED
    if feedback.replied_by_id is None:
        feedback.replied_by = user
    feedback.save(update_fields=["status", "replied_by"])
    return feedback


# --- Reads ---------------------------------------------------------------------------------------------------


def feedback_list(viewer, *, kind: str = "", unit_id: int | None = None, status: str = "") -> QuerySet[Feedback]:
    """The viewer's feedback (their units), newest first, filtered by kind, unit and status when given."""
    qs = notification_selectors.feedback_visible_to(viewer).select_related("ticket", "unit", "replied_by")
    if kind:
        qs = qs.filter(kind=kind)
    if unit_id:
        qs = qs.filter(unit_id=unit_id)
    if status:
        qs = qs.filter(status=status)
    return qs
