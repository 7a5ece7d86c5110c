"""Pages: rate a finished report, choose or stop notifications, send feedback, and the supervisor's view."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from core import roles
from core.errors import ApplicationError
from tickets import selectors as ticket_selectors

from . import selectors, services
from .forms import FeedbackForm, PreferencesForm, SurveyForm
from .models import ContactPreference, Notification, NotificationOptOut, SurveyResponse


def _ticket_or_404(token: str):
    ticket = ticket_selectors.ticket_by_tracking_token(token)
    if ticket is None:
        raise Http404
    return ticket


@require_GET
@never_cache
def tracking_status(request, token: str):
    """The tracking page's data as small JSON, polled by the page (works behind any proxy)."""
    ticket = _ticket_or_404(token)
    version = selectors.tracking_version(ticket)
    if request.GET.get("v") == version:
        return JsonResponse({"version": version, "changed": False})
    return JsonResponse({**selectors.tracking_snapshot(ticket), "changed": True})


@require_http_methods(["GET", "POST"])
def survey(request, token: str):
    ticket = _ticket_or_404(token)
    existing = SurveyResponse.objects.filter(ticket=ticket).first()
    form, error, status = None, "", 200
    if existing is None and selectors.survey_open(ticket):
        form = SurveyForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_survey(
                    ticket=ticket, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
                )
            except ApplicationError as exc:
                error, status = exc.message, exc.status_code
            else:
                return redirect("tickets:survey", token=token)
        elif request.method == "POST":
            status = 400
    elif request.method == "POST":
        status = 409
        error = (
            _("This report has already been rated. Thank you!")
            if existing
            else _("This report is not finished yet; you can rate it once it is.")
        )
    context = {
        "ticket": ticket,
        "form": form,
        "existing": existing,
        "error": error,
        "open": selectors.survey_open(ticket),
    }
    return render(request, "tickets/survey.html", context, status=status)


@require_http_methods(["GET", "POST"])
def notification_preferences(request, token: str):
    ticket = _ticket_or_404(token)
    saved = False
    if request.method == "POST":
        form = PreferencesForm(request.POST)
        if form.is_valid():
            services.set_contact_preferences(ticket=ticket, **form.cleaned_data)
            saved = True
    else:
        opted_out = set(
            NotificationOptOut.objects.filter(
                address__in=[ticket.reporter_phone, (ticket.reporter_email or "").lower()]
            ).values_list("channel", flat=True)
        )
        mobile = (
            ContactPreference.objects.filter(phone=ticket.reporter_phone)
            .values_list("mobile_channel", flat=True)
            .first()
        )
        form = PreferencesForm(
            initial={
                "mobile_channel": mobile or Notification.Channel.SMS,
                "sms": Notification.Channel.SMS not in opted_out,
                "whatsapp": Notification.Channel.WHATSAPP not in opted_out,
                "email": Notification.Channel.EMAIL not in opted_out,
            }
        )
    if not ticket.reporter_email:
        form.fields.pop("email", None)
    return render(request, "tickets/notification_preferences.html", {"ticket": ticket, "form": form, "saved": saved})


@require_http_methods(["GET", "POST"])
def feedback(request):
    token = request.GET.get("t") or request.POST.get("t") or ""
    ticket = ticket_selectors.ticket_by_tracking_token(token) if token else None
    if request.method == "POST":
        form = FeedbackForm(request.POST, ticket=ticket)
        if form.is_valid():
            try:
                services.send_feedback(**form.feedback_kwargs(), language=(get_language() or "id")[:2])
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                return render(request, "tickets/feedback_done.html")
    else:
        form = FeedbackForm(ticket=ticket)
    return render(
        request,
        "tickets/feedback_form.html",
        {"form": form, "ticket": ticket, "token": token if ticket else ""},
        status=400 if form.errors else 200,
    )


@login_required
def feedback_report(request):
    """Ratings, feedback and undelivered notifications of the supervisor's units, newest first."""
    if not roles.has_role(request.user, roles.SUPERVISOR, roles.ADMIN):
        raise PermissionDenied
    responses = selectors.survey_responses_visible_to(request.user)
    context = {
        "summary": selectors.survey_summary(responses),
        "responses": responses[:100],
        "feedback": selectors.feedback_visible_to(request.user)[:100],
        "failed": selectors.failed_notifications_visible_to(request.user)[:50],
    }
    return render(request, "tickets/feedback_report.html", context)
