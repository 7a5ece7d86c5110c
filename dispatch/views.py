"""Dispatch pages: the technician's installable phone app and the dispatcher board.

Both pages are shells: their scripts (static/js/dispatch/) read and write through the dispatch API.
"""

import hashlib
import json

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

from core import roles
from tickets.models import ServiceUnit
from tickets.selectors import visible_unit_ids

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
