"""The customer answers the back office: while a ticket waits for them (its service-level clock paused), they
reply with words and/or a file from the tracking page, the API or by answering the SMS/WhatsApp message; the
reply goes on the timeline, work resumes and the clock runs again (tickets.sla follows the status change)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from core.phone import normalize_phone
from core.uploads import validate_document

from . import services
from .models import CustomerReply, Ticket, TicketEvent

S = Ticket.Status
MAX_MESSAGE = 4000


def waiting_question(ticket: Ticket) -> TicketEvent | None:
    """The back office's question the ticket waits on (the latest move to "waiting for customer")."""
    if ticket.status != S.WAITING_CUSTOMER:
        return None
    return ticket.events.filter(to_status=S.WAITING_CUSTOMER).order_by("-created_at", "-id").first()


def reply_to_question(
    *, ticket: Ticket, message: str = "", attachment=None, channel: str, external_id: str | None = None
) -> CustomerReply:
    """Record the customer's answer and resume the work (the clock runs again).

    Words or a file (an image or a PDF) are needed; a ticket not waiting for the customer is a 409."""
    text = (message or "").strip()
    if not text and not attachment:
        raise ApplicationError(
            _("Write your answer or attach a file."),
            extra={"fields": {"message": [_("Write your answer or attach a file.")]}},
        )
    if len(text) > MAX_MESSAGE:
        raise ApplicationError(
            _("Your answer is too long."), extra={"fields": {"message": [_("Your answer is too long.")]}}
        )
    if attachment:
        try:
            validate_document(attachment)
        except ValidationError as exc:
            raise ApplicationError(exc.messages[0], extra={"fields": {"attachment": exc.messages}}) from exc
    with transaction.atomic():
        locked = Ticket.objects.select_for_update().get(pk=ticket.pk)
        if locked.status != S.WAITING_CUSTOMER:
            raise ConflictError(_("This report is not waiting for an answer from you."), extra={"state": locked.status})
        reply = CustomerReply(
            ticket=locked, channel=channel, message=text, external_id=external_id or None, created_at=timezone.now()
        )
        if attachment:
            reply.attachment = attachment
        reply.save()
        shown = text or _("(file attached)")
        if text and attachment:
            shown = f"{text} {_('(file attached)')}"
        services.change_status(
            ticket=locked,
            to_status=S.IN_PROGRESS,
            actor_label="customer",
            message=_("Customer's answer: %(answer)s") % {"answer": shown},
        )
        reply.event = locked.events.filter(to_status=S.IN_PROGRESS).order_by("-created_at", "-id").first()
        reply.save(update_fields=["event"])
    return reply


def ticket_waiting_for(phone: str) -> Ticket | None:
    """The customer's latest ticket waiting for their answer, by the phone the message came from."""
    try:
        canonical = normalize_phone(phone)
    except ValidationError:
        return None
    return (
        Ticket.objects.filter(reporter_phone=canonical, status=S.WAITING_CUSTOMER)
        .order_by("-updated_at", "-id")
        .first()
    )
