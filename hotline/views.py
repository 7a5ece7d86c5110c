"""Pages of the 123 call centre: operator console, KPIs, violation review, letters and recordings."""

import csv
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import roles
from core.errors import ApplicationError
from tickets.models import Category

from . import compliance, selectors, services
from .forms import KpiFilterForm, ViolationReviewForm
from .models import Call, OperatorSeat, Violation, WarningLetter

AGENT_ROLES = (roles.OPERATOR, roles.SUPERVISOR, roles.ADMIN)
SUPERVISOR_ROLES = (roles.SUPERVISOR, roles.ADMIN)


def _require(user, *allowed: str) -> None:
    if not roles.has_role(user, *allowed):
        raise PermissionDenied


@login_required
def console(request):
    _require(request.user, *AGENT_ROLES)
    seat = OperatorSeat.objects.filter(user=request.user).first()
    categories = Category.objects.filter(active=True).order_by("sort_order", "code")
    groups: dict[str, list[Category]] = {}
    for category in categories:
        groups.setdefault(category.get_group_display(), []).append(category)
    recent_calls = list(
        selectors.calls_visible_to(request.user).filter(operator=request.user).prefetch_related("tickets")[:10]
    )
    home = selectors.home_unit(request.user)
    return render(
        request,
        "hotline/console.html",
        {
            "seat_state": seat.state if seat else OperatorSeat.State.OFFLINE,
            "states": OperatorSeat.State.choices,
            "category_groups": groups,
            "recent_calls": recent_calls,
            "poll_ms": settings.CONSOLE_POLL_MS,
            "threshold": compliance.answer_threshold_seconds(),
            "is_supervisor": roles.has_role(request.user, *SUPERVISOR_ROLES),
            "ulps": selectors.ulps_for_console(),
            "tile_url": settings.MAP_TILE_URL,
            "map_centre": json.dumps(selectors.map_centre(home)),
            "zone_label": selectors.zone_label(home),
        },
    )


@login_required
def ticket_search(request):
    """Find a ticket by its number, the caller's phone or the ID pelanggan."""
    _require(request.user, *AGENT_ROLES)
    query = (request.GET.get("q") or "").strip()[:60]
    found = selectors.search_tickets(query) if query else []
    return render(
        request,
        "hotline/ticket_search.html",
        {"query": query, "tickets": found},
    )


@login_required
def ticket_detail(request, number: str):
    """What the operator tells a caller about a ticket: status, place, and the updates so far."""
    _require(request.user, *AGENT_ROLES)
    ticket = selectors.ticket_for_agent(number)
    if ticket is None:
        raise Http404
    return render(
        request,
        "hotline/ticket_detail.html",
        {
            "ticket": ticket,
            "events": list(ticket.events.order_by("created_at", "id")),
        },
    )


KPI_COLUMNS = [
    ("offered", "Calls offered"),
    ("answered", "Answered"),
    ("abandoned", "Abandoned"),
    ("share_in_time", "Answered by the third ring"),
    ("asa", "ASA (s)"),
    ("aht", "AHT (s)"),
    ("hang_ups", "Operator hang-ups"),
    ("notice_share", "Recording notice played"),
    ("tickets_per_call", "Tickets per call"),
    ("first_contact_share", "Resolved at first contact"),
]


def _bar_rows(rows, attribute: str) -> list[dict]:
    values = [getattr(row, attribute) or 0 for row in rows]
    top = max(values) if values else 0
    return [
        {"label": row.label, "value": value, "percent": round(100 * value / top) if top else 0}
        for row, value in zip(rows, values, strict=True)
    ]


@login_required
def kpi(request):
    _require(request.user, *SUPERVISOR_ROLES)
    default_from, default_to = selectors.default_kpi_range()
    form = KpiFilterForm(request.GET or {"date_from": default_from, "date_to": default_to})
    if form.is_valid():
        date_from, date_to = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
    else:
        date_from, date_to = default_from, default_to
    start, end = selectors.kpi_bounds(date_from, date_to)
    groups = selectors.call_kpis(viewer=request.user, start=start, end=end)
    if request.GET.get("format") == "csv" and form.is_valid():
        return _kpi_csv(groups, date_from, date_to)
    operators = groups["operator"]
    charts = [
        {"title": _("Share answered by the third ring (%)"), "bars": _bar_rows(operators, "share_in_time")},
        {"title": _("Average speed of answer (s)"), "bars": _bar_rows(operators, "asa")},
        {"title": _("Calls offered"), "bars": _bar_rows(operators, "offered")},
    ]
    for chart in charts[:1]:
        for bar in chart["bars"]:
            bar["value"] = round(100 * bar["value"])
            bar["percent"] = bar["value"]
    return render(
        request,
        "hotline/kpi.html",
        {
            "form": form,
            "groups": [
                (_("Per operator"), groups["operator"]),
                (_("Per shift"), groups["shift"]),
                (_("Per unit"), groups["unit"]),
                (_("All calls"), groups["total"]),
            ],
            "charts": charts,
            "date_from": date_from,
            "date_to": date_to,
            "threshold": compliance.answer_threshold_seconds(),
        },
        status=200 if form.is_valid() else 400,
    )


def _kpi_csv(groups, date_from, date_to) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kpi-123-{date_from}-{date_to}.csv"'
    writer = csv.writer(response)
    writer.writerow(["group", "key", "label", *[name for name, _label in KPI_COLUMNS]])
    for group in ("operator", "shift", "unit", "total"):
        for row in groups[group]:
            values = []
            for name, _label in KPI_COLUMNS:
                value = getattr(row, name)
                values.append("" if value is None else (round(value, 3) if isinstance(value, float) else value))
            writer.writerow([group, row.key, row.label, *values])
    return response


@login_required
def violation_list(request):
    _require(request.user, *SUPERVISOR_ROLES)
    violations = list(selectors.violations_visible_to(request.user).order_by("status", "-occurred_at")[:200])
    suspected = [v for v in violations if v.status == Violation.Status.SUSPECTED]
    others = [v for v in violations if v.status != Violation.Status.SUSPECTED]
    letters = list(selectors.letters_visible_to(request.user)[:50])
    return render(
        request,
        "hotline/violations.html",
        {
            "suspected": suspected,
            "others": others,
            "letters": letters,
            "to_decide": [
                letter for letter in letters if letter.level == WarningLetter.Level.DISMISSAL and not letter.decision
            ],
            "decisions": WarningLetter.Decision.choices,
            "review_form": ViolationReviewForm(),
        },
    )


@login_required
@require_POST
def violation_review(request, pk: int):
    _require(request.user, *SUPERVISOR_ROLES)
    violation = get_object_or_404(selectors.violations_visible_to(request.user), pk=pk)
    form = ViolationReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose confirm or dismiss."))
        return redirect("hotline:violations")
    try:
        reviewed = services.review_violation(
            violation=violation,
            reviewer=request.user,
            confirm=form.cleaned_data["decision"] == "confirm",
            note=form.cleaned_data["note"],
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("hotline:violations")
    reviewed.refresh_from_db()
    if reviewed.letter_id:
        messages.success(
            request, _("Violation confirmed; warning letter %(number)s issued.") % {"number": reviewed.letter.number}
        )
    else:
        messages.success(request, _("Review saved."))
    return redirect("hotline:violations")


@login_required
@require_POST
def dismissal_decide(request, pk: int):
    """A supervisor decides a recommendation for dismissal and records why."""
    _require(request.user, *SUPERVISOR_ROLES)
    letter = get_object_or_404(selectors.letters_visible_to(request.user), pk=pk)
    try:
        services.decide_dismissal(
            letter=letter,
            supervisor=request.user,
            decision=request.POST.get("decision", ""),
            note=request.POST.get("note", ""),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("hotline:violations")
    messages.success(request, _("Decision recorded."))
    return redirect("hotline:violations")


@login_required
def letter_print(request, pk: int):
    letter = get_object_or_404(WarningLetter.objects.select_related("operator", "unit"), pk=pk)
    if letter.operator_id != request.user.pk:
        _require(request.user, *SUPERVISOR_ROLES)
        if not selectors.letters_visible_to(request.user).filter(pk=pk).exists():
            raise Http404
    can_review = roles.has_role(request.user, *SUPERVISOR_ROLES)  # the operator reads their own letter only
    return render(request, "hotline/letter_print.html", {"letter": letter, "can_review": can_review})


@login_required
def recording(request, pk: int):
    """Stream a call's recording to those allowed to hear it; every playback is logged."""
    call = get_object_or_404(Call.objects.select_related("unit"), pk=pk)
    if not selectors.can_play_recording(request.user, call):
        raise Http404  # "not yours" answers like "not found": call ids cannot be probed
    if not call.recording:
        raise Http404
    # Browsers fetch audio in ranges; one playback is logged per request that starts at the beginning.
    byte_range = request.headers.get("Range", "")
    if not byte_range or byte_range.startswith("bytes=0-"):
        services.log_playback(call=call, user=request.user, ip_address=request.META.get("REMOTE_ADDR"))
    response = FileResponse(call.recording.open("rb"), content_type=call.recording_content_type or "audio/wav")
    response["Cache-Control"] = "private, no-store"
    return response
