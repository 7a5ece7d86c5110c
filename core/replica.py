"""Reads that may lag go to the read replica (``DATABASE_REPLICA_URL``); everything else to the primary.

A PostgreSQL streaming replica is a few milliseconds to a few seconds behind the primary. That is fine for a
supervisor's monthly report, an export, the public outage map (cached for 30 s anyway) or a list of tickets,
and those are the heavy reads; it is not fine for the page that must show what the user just did, for the
tracking page a customer opens right after filing, or for anything inside a write. So the replica is opt-in:

- ``REPLICA_VIEWS`` names the pages and API reads that may lag; only their GET and HEAD requests read from the
  replica (``ReplicaMiddleware``), and only their own queries: the session, the user, API tokens and the login
  lockout are read from the primary whatever the page (``PRIMARY_APPS``).
- ``reads()`` turns it on for a block of code (the background export task uses it).
- A browser that has just written (any POST, PUT, PATCH or DELETE that succeeded) gets a short-lived cookie
  (``REPLICA_PIN_SECONDS``) and reads from the primary until it expires: the list page after a staff action
  shows that action.
- Inside a transaction on the primary every read stays on the primary.
- If the replica cannot be reached the page is read again from the primary at once, and the replica is left
  alone for ``BREAKER_OPEN_SECONDS`` (``core.circuit``): stopping the replica costs no error page.

Without a replica (or with ``DATABASE_REPLICA_READS`` off) every read goes to the primary as before.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

from core.circuit import Breaker

logger = logging.getLogger(__name__)

REPLICA = "replica"
PIN_COOKIE = "sigap_primary"

# URL names (namespace:name) whose GET reads may lag.
REPLICA_VIEWS = frozenset(
    {
        "reports:index",
        "reports:export-csv",
        "reports:export-xlsx",
        "tickets:feedback-report",
        "outages:map",
        "outages:alerts",
        "outages-api:map",
        "outages-api:planned-list",
        "tickets-api:ticket-list",
        "backoffice:queue",
        "backoffice:escalations",
        "dispatch-api:incident-list",
    }
)
# Identity and security: always read where they were written.
PRIMARY_APPS = frozenset({"auth", "sessions", "authtoken", "axes", "contenttypes", "admin"})

breaker = Breaker("read replica")
_use_replica: contextvars.ContextVar[bool] = contextvars.ContextVar("sigap_use_replica", default=False)


def available() -> bool:
    return bool(getattr(settings, "DATABASE_REPLICA_READS", False)) and REPLICA in settings.DATABASES


@contextlib.contextmanager
def reads(enabled: bool = True):
    """Within the block, reads that the router allows go to the replica (if one is configured and up)."""
    token = _use_replica.set(enabled)
    try:
        yield
    finally:
        _use_replica.reset(token)


class ReplicaRouter:
    def db_for_read(self, model, **hints):
        if not _use_replica.get() or not available() or breaker.is_open():
            return "default"
        if model._meta.app_label in PRIMARY_APPS:
            return "default"
        if connections["default"].in_atomic_block:  # a transaction reads its own writes
            return "default"
        return REPLICA

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _replica_failed(exc: BaseException) -> None:
    breaker.trip(exc)
    try:
        connections[REPLICA].close()
    except Exception:  # already broken; Django opens a new one next time
        logger.debug("closing the replica connection failed", exc_info=True)


def read_with_fallback(function):
    """``function()`` with replica reads; run again on the primary if the replica fails (background tasks)."""
    if not available() or breaker.is_open():
        return function()
    try:
        with reads():
            return function()
    except (OperationalError, InterfaceError) as exc:
        logger.warning("read replica unavailable (%s): reading from the primary", exc)
        _replica_failed(exc)
        return function()


def _streaming(content, enabled: bool):
    """A streamed body (CSV export) is read after the view returned: read it in the same mode."""
    with reads(enabled):
        yield from content


class ReplicaMiddleware:
    """Runs the views in ``REPLICA_VIEWS`` with replica reads; pins a browser that wrote to the primary."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.sigap_pinned = PIN_COOKIE in request.COOKIES
        response = self.get_response(request)
        if request.method not in ("GET", "HEAD", "OPTIONS") and response.status_code < 400 and available():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                secure=request.is_secure(),
                samesite="Lax",
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if (
            request.method not in ("GET", "HEAD")
            or request.sigap_pinned
            or not available()
            or breaker.is_open()
            or getattr(request.resolver_match, "view_name", None) not in REPLICA_VIEWS
        ):
            return None
        # The session and the user first, from the primary (a new login may not have reached the replica).
        user = getattr(request, "user", None)
        if user is not None:
            user.is_authenticated  # noqa: B018 (loads the lazy user)
        replica = connections[REPLICA]
        replica.errors_occurred = False
        failure: BaseException | None = None
        try:
            with reads():
                response = view_func(request, *view_args, **view_kwargs)
                if hasattr(response, "render") and callable(response.render):
                    response = response.render()
        except (OperationalError, InterfaceError) as exc:
            failure = exc
        if failure is None and replica.errors_occurred:
            # The API's error handler answers 503 itself; the replica connection says what went wrong.
            failure = OperationalError("the read replica failed during the request")
        if failure is not None:
            logger.warning("read replica unavailable (%s): reading %s from the primary", failure, request.path)
            _replica_failed(failure)
            return view_func(request, *view_args, **view_kwargs)
        if getattr(response, "streaming", False):
            response.streaming_content = _streaming(response.streaming_content, True)
        return response
