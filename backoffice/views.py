"""Back-office pages: the ULP's queue of non-outage tickets, one ticket's work page, escalations, feedback."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core import roles
from core.errors import ApplicationError
from core.paging import page_of
from core.templatetags.sigap import unit_time
from tickets import feedback as feedback_services
from tickets import selectors, services
from tickets.models import Feedback, ServiceRequestDetail, ServiceUnit, Ticket
from tickets.sla import selectors as sla_selectors
from tickets.sla import services as sla_services

from .forms import AnswerForm, FeedbackReplyForm, MessageForm, NoteForm, ReferralForm, ServiceRequestForm

BACK_OFFICE_ROLES = roles.BACK_OFFICE_WORK
ESCALATION_ACKNOWLEDGERS = (roles.SUPERVISOR, roles.ADMIN)
QUEUES = [
    ("open", gettext_lazy("All open")),
    ("unclaimed", gettext_lazy("Unclaimed")),
    ("mine", gettext_lazy("Mine")),
    ("waiting", gettext_lazy("Waiting for the customer")),
    ("referred", gettext_lazy("Ombudsman / LP2K")),
]


def staff_page(*allowed: str):
    def decorator(view):
        @login_required
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not roles.has_role(request.user, *allowed):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def visible_ulps(viewer):
    qs = ServiceUnit.objects.filter(level=ServiceUnit.Level.ULP)
    unit_ids = selectors.visible_unit_ids(viewer)
    return qs if unit_ids is None else qs.filter(pk__in=unit_ids)


@staff_page(*BACK_OFFICE_ROLES)
def queue(request):
    queue_name = request.GET.get("queue", "open")
    if queue_name not in dict(QUEUES):
        queue_name = "open"
    units = list(visible_ulps(request.user).values_list("pk", "name"))
    try:
        unit_id = int(request.GET.get("unit") or 0) or None
    except ValueError:
        unit_id = None
    if unit_id and unit_id not in {pk for pk, _name in units}:
        unit_id = None
    tickets = sla_selectors.back_office_queue_rows(request.user, unit_id=unit_id, queue=queue_name)
    page = page_of(tickets, request.GET.get("page"), 50)
    context = {
        "page": page,
        "rows": queue_rows(page),
        "queues": QUEUES,
        "queue": queue_name,
        "units": units,
        "unit_id": unit_id,
    }
    return render(request, "tickets/backoffice_queue.html", context)


def queue_rows(tickets) -> list[dict]:
    """What each row of the queue shows, as plain values: the template's lookups on model rows (a URL reversed,
    choices displayed, a related row read, per cell) were most of the page's time."""
    prefix = reverse("backoffice:ticket", args=["0"])[:-2]  # one reverse() for the page; the number is appended
    rows = []
    for ticket in tickets:
        service_level = getattr(ticket, "service_level", None)
        owner = service_level.owner if service_level is not None else None
        rows.append(
            {
                "url": f"{prefix}{ticket.number}/",
                "number": ticket.number,
                "priority": ticket.priority,
                "priority_label": ticket.get_priority_display() if ticket.priority in ("urgent", "high") else "",
                "referrals": [referral.get_body_display() for referral in ticket.referrals.all()],
                "category": f"{ticket.category.code} · {ticket.category.name}",
                "unit": ticket.unit.name,
                "status": ticket.get_status_display(),
                "due": unit_time(ticket.resolution_due_at or ticket.response_due_at, ticket.unit),
                "owner": (owner.get_full_name() or owner.username) if owner is not None else "",
            }
        )
    return rows


def _ticket_for(request, number: str) -> Ticket:
    ticket = (
        selectors.tickets_visible_to(request.user)
        .filter(number=number)
        .select_related("service_level", "service_level__owner")
        .first()
    )
    if ticket is None:
        raise Http404
    return ticket


ACTIONS = {"claim", "ask", "resume", "resolve", "note", "request", "referral"}


@staff_page(*BACK_OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def ticket_detail(request, number: str):
    ticket = _ticket_for(request, number)
    detail = ServiceRequestDetail.objects.filter(ticket=ticket).first()
    initial = (
        {
            "requested_power_va": detail.requested_power_va,
            "tariff": detail.tariff,
            "programme_code": detail.programme_code,
            "network_work": detail.network_work,
            "documents_received": detail.documents_received,
        }
        if detail
        else {}
    )
    forms = {
        "ask": MessageForm(prefix="ask"),
        "resolve": AnswerForm(prefix="resolve"),
        "note": NoteForm(prefix="note"),
        "referral": ReferralForm(prefix="referral"),
        "request": ServiceRequestForm(prefix="request", category_code=ticket.category.code, initial=initial),
    }
    action = request.POST.get("action") if request.method == "POST" else None
    if action in ACTIONS:
        try:
            done = _act(request, ticket, action, forms)
        except ValidationError as exc:
            form = forms.get(action)
            for field, errors in exc.message_dict.items():
                target = field if form is not None and field in form.fields else None
                if form is not None:
                    form.add_error(target, errors)
                else:
                    messages.error(request, " ".join(errors))
            done = False
        except ApplicationError as exc:
            messages.error(request, exc.message)
            done = False
        if done:
            return redirect("backoffice:ticket", number=ticket.number)
    status = 400 if action in ACTIONS else 200
    return render(
        request,
        "tickets/backoffice_ticket.html",
        {
            "ticket": ticket,
            "level": getattr(ticket, "service_level", None),
            "events": ticket.events.select_related("actor", "reply").order_by("created_at", "id"),
            "referrals": ticket.referrals.all(),
            "notifications": ticket.notifications.order_by("created_at", "id"),
            "detail": detail,
            "has_request_fields": ticket.category.code in ServiceRequestDetail.DOCUMENTS_FOR,
            "forms": forms,
            "can_work": not ticket.is_outage,
        },
        status=status,
    )


def _act(request, ticket: Ticket, action: str, forms: dict) -> bool:
    user = request.user
    if action == "claim":
        sla_services.claim_ticket(ticket=ticket, user=user)
        messages.success(request, _("The ticket is yours."))
        return True
    if action == "resume":
        sla_services.resume_work(ticket=ticket, user=user)
        return True
    form_class = {
        "ask": MessageForm,
        "resolve": AnswerForm,
        "note": NoteForm,
        "referral": ReferralForm,
    }.get(action)
    if action == "request":
        form = ServiceRequestForm(request.POST, prefix="request", category_code=ticket.category.code)
    else:
        form = form_class(request.POST, prefix=action)
    forms[action] = form
    if not form.is_valid():
        return False
    data = form.cleaned_data
    if action == "ask":
        sla_services.ask_customer(ticket=ticket, user=user, message=data["message"])
        messages.success(request, _("The customer has been asked; the clock is paused."))
    elif action == "resolve":
        sla_services.resolve_ticket(ticket=ticket, user=user, answer=data["answer"])
        messages.success(request, _("Resolved; the customer can read your answer."))
    elif action == "note":
        services.add_note(ticket=ticket, author=user, message=data["message"], public=data["public"])
    elif action == "request":
        sla_services.save_service_request(ticket=ticket, actor=user, **data)
        messages.success(request, _("Request details saved."))
    elif action == "referral":
        sla_services.record_referral(ticket=ticket, actor=user, **data)
        messages.success(request, _("Referral recorded; the ticket is now urgent."))
    return True


@staff_page(roles.SUPERVISOR, roles.ADMIN, roles.BACK_OFFICE, roles.DISPATCHER)
def escalation_list(request):
    escalations = sla_selectors.escalations_visible_to(request.user)
    if request.GET.get("all") != "1":
        escalations = escalations.filter(acknowledged_at__isnull=True)
    page = page_of(escalations, request.GET.get("page"), 50)
    context = {
        "page": page,
        "show_all": request.GET.get("all") == "1",
        # The dispatcher sees escalations but neither the back-office ticket page nor the acknowledgement.
        "can_open_tickets": roles.has_role(request.user, *BACK_OFFICE_ROLES),
        "can_acknowledge": roles.has_role(request.user, *ESCALATION_ACKNOWLEDGERS),
    }
    return render(request, "tickets/escalation_list.html", context)


@staff_page(*ESCALATION_ACKNOWLEDGERS)
@require_POST
def escalation_acknowledge(request, pk: int):
    escalation = sla_selectors.escalations_visible_to(request.user).filter(pk=pk).first()
    if escalation is None:
        raise Http404
    sla_services.acknowledge_escalation(escalation=escalation, user=request.user)
    return redirect("backoffice:escalations")


@staff_page(*BACK_OFFICE_ROLES)
@require_GET
def feedback_list(request):
    """Kritik, saran and apresiasi of the viewer's units, newest first, filtered by kind, ULP and status."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in Feedback.Kind.values else ""
    status = request.GET.get("status", "")
    status = status if status in Feedback.Status.values else ""
    units = list(visible_ulps(request.user).values_list("pk", "name"))
    try:
        unit_id = int(request.GET.get("unit") or 0) or None
    except ValueError:
        unit_id = None
    if unit_id and unit_id not in {pk for pk, _name in units}:
        unit_id = None
    rows = feedback_services.feedback_list(request.user, kind=kind, unit_id=unit_id, status=status)
    page = page_of(rows, request.GET.get("page"), 50)
    query = "&".join(f"{key}={value}" for key, value in (("kind", kind), ("unit", unit_id or ""), ("status", status)))
    context = {
        "page": page,
        "kinds": Feedback.Kind.choices,
        "statuses": Feedback.Status.choices,
        "kind": kind,
        "status": status,
        "units": units,
        "unit_id": unit_id,
        "query": query,
    }
    return render(request, "tickets/backoffice_feedback_list.html", context)


@staff_page(*BACK_OFFICE_ROLES)
@require_http_methods(["GET", "POST"])
def feedback_detail(request, pk: int):
    """One piece of feedback: the customer's words, and the reply form (or the reply already sent)."""
    feedback = feedback_services.feedback_list(request.user).filter(pk=pk).first()
    if feedback is None:
        raise Http404
    form = FeedbackReplyForm(prefix="reply")
    status = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "close":
                feedback_services.close_feedback(feedback=feedback, user=request.user)
                messages.success(request, _("Feedback closed."))
                return redirect("backoffice:feedback-detail", pk=feedback.pk)
            form = FeedbackReplyForm(request.POST, prefix="reply")
            if form.is_valid():
                feedback_services.reply_to_feedback(
                    feedback=feedback, user=request.user, reply=form.cleaned_data["reply"]
                )
                messages.success(request, _("Reply sent to the customer."))
                return redirect("backoffice:feedback-detail", pk=feedback.pk)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        status = 400
    context = {"feedback": feedback, "form": form}
    return render(request, "tickets/backoffice_feedback_detail.html", context, status=status)
