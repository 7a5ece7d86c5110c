"""Dispatch pages: the technician's installable phone app and the dispatcher board.

Both pages are shells: their scripts (static/js/dispatch/) read and write through the dispatch API.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_http_methods

from core import roles
from core.errors import ApplicationError
from tickets.models import ServiceUnit
from tickets.selectors import visible_unit_ids

from . import selectors, services
from .models import FieldJob

BOARD_ROLES = (roles.DISPATCHER, roles.SUPERVISOR, roles.ADMIN)

# The app shell the service worker keeps for offline use (static paths; the page itself is added by the worker).
TECH_SHELL = [
    "css/site.css",
    "css/dispatch/dispatch.css",
    "js/dispatch/tech.js",
    "js/dispatch/queue.js",
    "img/dispatch/icon-192.png",
    "img/dispatch/icon-512.png",
]
API = "/api/v1/dispatch/"


def _require(user, *allowed: str) -> None:
    if not roles.has_role(user, *allowed):
        raise PermissionDenied


def _poll_ms(name: str) -> int:
    return max(1, int(getattr(settings, name))) * 1000


@login_required
def tech_home(request):
    """The technician's app: offers, jobs and their steps. Members of the technician group only (not admins)."""
    if not request.user.groups.filter(name=roles.TECHNICIAN).exists():
        raise PermissionDenied
    technician = getattr(request.user, "technician", None)
    return render(
        request,
        "dispatch/tech.html",
        {
            "technician": technician,
            "on_duty": bool(getattr(technician, "on_duty", False)),
            "api": API,
            "poll_ms": _poll_ms("DISPATCH_TECH_POLL_SECONDS"),
            "ping_ms": _poll_ms("DISPATCH_POSITION_PING_SECONDS"),
        },
    )


@require_GET
@cache_control(max_age=3600)
def tech_manifest(request):
    """Web app manifest of the technician app (public: browsers fetch it without cookies)."""
    manifest = {
        "name": _("Sigap 123 Technician"),
        "short_name": _("Sigap Tech"),
        "description": _("Outage jobs for PLN field crews"),
        "lang": (request.LANGUAGE_CODE or "id")[:2],
        "start_url": reverse("dispatch:tech-home"),
        "scope": reverse("dispatch:tech-home"),
        "display": "standalone",
        "orientation": "portrait",
        "background_color": "#ffffff",
        "theme_color": "#0b5394",
        "icons": [
            {"src": static("img/dispatch/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("img/dispatch/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {"src": static("img/dispatch/icon-512.png"), "sizes": "512x512", "type": "image/png",
             "purpose": "maskable"},
        ],
    }
    return HttpResponse(json.dumps(manifest, ensure_ascii=False), content_type="application/manifest+json")


def _shell_version(paths: list[str]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        found = finders.find(path)
        if found:
            with open(found, "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()[:12]


@require_GET
@cache_control(no_cache=True)
def tech_service_worker(request):
    """Service worker served from /tech/ so that its scope covers the app; keeps the shell for offline use."""
    shell = [static(path) for path in TECH_SHELL]
    response = render(
        request,
        "dispatch/sw.js",
        {"version": _shell_version(TECH_SHELL), "shell_json": json.dumps(shell), "home": reverse("dispatch:tech-home")},
        content_type="application/javascript",
    )
    response["Service-Worker-Allowed"] = reverse("dispatch:tech-home")
    return response


def _unit_centres(viewer) -> dict[str, list[float]]:
    """Centre of each unit the viewer sees: where the map opens, and where an incident without a point sits."""
    units = ServiceUnit.objects.filter(center_lat__isnull=False, center_lng__isnull=False)
    ids = visible_unit_ids(viewer)
    if ids is not None:
        units = units.filter(pk__in=ids)
    return {code: [lat, lng] for code, lat, lng in units.values_list("code", "center_lat", "center_lng")}


@login_required
def board(request):
    """The dispatcher board: open incidents, unassigned tickets, technicians on a map, manual assignment."""
    _require(request.user, *BOARD_ROLES)
    profile = getattr(request.user, "staff_profile", None)
    return render(
        request,
        "dispatch/board.html",
        {
            "api": API,
            "poll_ms": _poll_ms("DISPATCH_BOARD_POLL_SECONDS"),
            "tile_url": settings.MAP_TILE_URL,
            "unit_centres": json.dumps(_unit_centres(request.user)),
            "home_unit": profile.unit.code if profile and profile.unit_id else "",
        },
    )


# --- scheduled field jobs: the technician's day list and the dispatcher's list --------------------


def _require_technician(request):
    if not request.user.groups.filter(name=roles.TECHNICIAN).exists():
        raise PermissionDenied
    technician = selectors.technician_of(request.user)
    if technician is None:
        raise PermissionDenied
    return technician


def _result_from(request) -> dict:
    data = request.POST
    return {
        "outcome": data.get("outcome", ""),
        "meter_number": data.get("meter_number", ""),
        "seal_numbers": data.get("seal_numbers", ""),
        "reading_kwh": data.get("reading_kwh", ""),
        "notes": data.get("notes", ""),
        "photo": request.FILES.get("photo"),
        "photo_2": request.FILES.get("photo_2"),
    }


@login_required
def tech_field_jobs(request):
    """The technician's scheduled visits (surveys, installations, meter checks) by appointment."""
    technician = _require_technician(request)
    return render(
        request,
        "dispatch/field_jobs.html",
        {"technician": technician, "jobs": selectors.field_jobs_of(technician)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def tech_field_job(request, pk: int):
    """One visit: its steps, and on site the result form for its kind."""
    technician = _require_technician(request)
    job = selectors.field_job_of(technician, pk)
    if job is None:
        raise Http404
    errors: dict = {}
    message = ""
    status = 200
    if request.method == "POST":
        step = request.POST.get("step", "")
        try:
            services.take_field_job_step(
                job=job,
                technician=technician,
                step=step,
                result=_result_from(request) if step == "finish" else None,
                reason=request.POST.get("reason", ""),
            )
        except ApplicationError as exc:
            message = exc.message
            errors = exc.extra.get("fields", {})
            status = 403 if exc.status_code == 403 else (409 if exc.status_code == 409 else 400)
        else:
            if step == "decline":
                return redirect("dispatch:tech-field-jobs")
            return redirect("dispatch:tech-field-job", pk=job.pk)
        job.refresh_from_db()
    return render(
        request,
        "dispatch/field_job.html",
        {
            "technician": technician,
            "job": job,
            "errors": errors,
            "message": message,
            "values": request.POST if request.method == "POST" else {},
            "outcomes": FieldJob.SurveyOutcome.choices,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def field_jobs_board(request):
    """The dispatcher's list of scheduled visits: who holds each one, and giving one to a technician by hand."""
    _require(request.user, *BOARD_ROLES)
    message, status = "", 200
    if request.method == "POST":
        job = selectors.field_jobs_visible_to(request.user).filter(pk=request.POST.get("job") or 0).first()
        tech = selectors.technicians_visible_to(request.user).filter(pk=request.POST.get("technician") or 0).first()
        if job is None or tech is None:
            message, status = _("Choose a job and a technician."), 400
        else:
            try:
                services.assign_field_job(
                    job=job, technician=tech, by=request.user, reason=request.POST.get("reason", "")
                )
            except ApplicationError as exc:
                message, status = exc.message, exc.status_code
            else:
                return redirect("dispatch:field-jobs")
    jobs = list(selectors.field_jobs_visible_to(request.user)[:300])
    technicians = selectors.technicians_visible_to(request.user).order_by("unit__code", "user__username")
    return render(
        request,
        "dispatch/field_jobs_board.html",
        {
            "jobs": jobs,
            "technicians": list(technicians),
            "message": message,
        },
        status=status,
    )
