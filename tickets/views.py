"""Customer pages: report a problem, see the confirmation, track a ticket."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from core.errors import ApplicationError
from core.throttles import PublicIntakeThrottle, PublicTrackingThrottle
from notifications import selectors as notification_selectors

from . import replies, selectors, services
from .forms import ReplyForm, ReportForm, TrackForm
from .models import Ticket


def _too_many(request):
    return render(request, "tickets/too_many.html", status=429)


@require_http_methods(["GET", "POST"])
def report(request):
    if request.method == "POST" and not PublicIntakeThrottle().allow_request(request, None):
        return _too_many(request)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                ticket = services.open_ticket(
                    **form.open_ticket_kwargs(),
                    channel=Ticket.Channel.WEB,
                    language=(get_language() or "id")[:2],
                )
            except ValidationError as exc:
                for field, messages in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("tickets:report-done", token=ticket.tracking_token)
    else:
        form = ReportForm()
    return render(request, "tickets/report_form.html", {"form": form})


def report_done(request, token: str):
    ticket = selectors.ticket_by_tracking_token(token)
    if ticket is None:
        raise Http404
    return render(request, "tickets/report_done.html", {"ticket": ticket})


@require_http_methods(["GET", "POST"])
def track_lookup(request):
    not_found = False
    if request.method == "POST" and not PublicTrackingThrottle().allow_request(request, None):
        return _too_many(request)
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            ticket = selectors.ticket_for_tracking(number=form.cleaned_data["number"], phone=form.cleaned_data["phone"])
            if ticket is not None:
                return redirect("tickets:track-token", token=ticket.tracking_token)
            not_found = True
    else:
        form = TrackForm()
    return render(
        request,
        "tickets/track_lookup.html",
        {
            "form": form,
            "not_found": not_found,
            "not_found_message": _("No ticket matches this number and phone number."),
        },
        status=404 if not_found else 200,
    )


def track(request, token: str):
    """The live tracking page; ``static/js/tickets/track.js`` polls ``tickets:track-status`` for changes.

    The reporter sees their own words and address, and while the back office waits for them, its question and
    a form to answer it (words and/or a photo or PDF)."""
    ticket = selectors.ticket_by_tracking_token(token)
    if ticket is None:
        raise Http404
    return _track_page(request, ticket, ReplyForm())


def _track_page(request, ticket: Ticket, form: ReplyForm, *, status: int = 200, error: str = ""):
    snapshot = notification_selectors.tracking_snapshot(ticket)
    context = {
        "ticket": ticket,
        "snapshot": snapshot,
        "survey_open": snapshot["survey_open"],
        "poll_seconds": settings.TRACKING_POLL_SECONDS,
        "question": replies.waiting_question(ticket),
        "reply_form": form,
        "reply_error": error,
        "replied": request.GET.get("dijawab") == "1",
    }
    return render(request, "tickets/track.html", context, status=status)


@require_http_methods(["POST"])
def track_reply(request, token: str):
    """The customer answers the back office's question from the tracking page."""
    if not PublicTrackingThrottle().allow_request(request, None):
        return _too_many(request)
    ticket = selectors.ticket_by_tracking_token(token)
    if ticket is None:
        raise Http404
    form = ReplyForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            replies.reply_to_question(
                ticket=ticket,
                message=form.cleaned_data["message"],
                attachment=form.cleaned_data["attachment"],
                channel="web",
            )
        except ApplicationError as exc:
            for field, messages in (exc.extra or {}).get("fields", {}).items():
                form.add_error(field if field in form.fields else None, messages)
            ticket.refresh_from_db()
            return _track_page(request, ticket, form, status=exc.status_code, error=str(exc.message))
        return redirect(reverse("tickets:track-token", args=[token]) + "?dijawab=1")
    return _track_page(request, ticket, form, status=400)
