"""Audit log of staff actions (django-auditlog), with two changes to its request middleware.

1. The client address is the one that reached us (``REMOTE_ADDR``), or the one our own proxies put in
   ``X-Forwarded-For`` when ``NUM_PROXIES`` is set — never a header the client could forge.
2. The actor is read when each entry is written, not when the request starts: API clients log in with a
   token inside the view, after the middleware has run.
3. Actor and address come from one ``pre_save`` receiver of LogEntry connected at start-up, which reads the
   request of the current context. auditlog's own middleware connects a receiver per request and disconnects it
   after: each connect empties the signals' receiver caches (every later save of every request paid for that)
   and its key is the time of day, which two threads of one process can share (one request then removed the
   other's receiver, and that request's entries lost their actor).

Only a model's own columns are compared (``include_fields``): auditlog would otherwise read every reverse
one-to-one relation of the instance (a query each, and a cached "does not exist" left on the object).
"""

from contextvars import ContextVar

from auditlog.cid import set_cid
from auditlog.receivers import log_create
from django.conf import settings
from django.db.models.signals import post_save

_current_request: ContextVar = ContextVar("sigap_audit_request", default=None)


def client_address(request) -> str | None:
    proxies = settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-min(proxies, len(hops))]
    return request.META.get("REMOTE_ADDR") or None


class AuditMiddleware:
    """Keeps the request (and auditlog's correlation id) for the log entries written while it runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        set_cid(request)
        token = _current_request.set(request)
        try:
            return self.get_response(request)
        finally:
            _current_request.reset(token)


def set_actor_from_request(sender, instance, **kwargs) -> None:
    """pre_save of LogEntry: the user of the current request, however they logged in, and the client's address."""
    request = _current_request.get()
    if request is None:
        return
    if instance.actor_id is None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            instance.actor = user
            instance.actor_email = getattr(user, "email", None) or None
    if instance.remote_addr is None and not getattr(settings, "AUDITLOG_DISABLE_REMOTE_ADDR", False):
        instance.remote_addr = client_address(request)


# model label → (excluded fields, masked fields, many-to-many fields)
#
# Not logged, on purpose: rows only machines write, often (a report joining an incident, the wide-area state
# re-evaluated on each report, a technician's step records with their position), and rows the public writes
# (power-back subscriptions, restoration answers: the tickets they open or close are logged).
AUDITED = {
    "tickets.Ticket": ({"updated_at"}, ["tracking_token", "idempotency_key"], []),
    "tickets.TicketEvent": (set(), [], []),
    "tickets.StaffProfile": (set(), [], []),
    "tickets.ServiceUnit": (set(), [], []),
    "hotline.Call": ({"updated_at"}, [], ["tickets"]),
    "hotline.RecordingPlayback": (set(), [], []),
    "hotline.Violation": (set(), [], []),
    "hotline.WarningLetter": (set(), [], []),
    "auth.User": ({"last_login"}, ["password"], ["groups", "user_permissions"]),
    "auth.Group": (set(), [], ["permissions"]),
    "authtoken.Token": (set(), ["key"], []),
    # Outages: planned outages (scheduled, cancelled, and the sweep's notice / end marks), the wide-area
    # thresholds, each staged restoration and who recorded it, planned-outage alerts (staff edit them in the admin).
    "outages.PlannedOutage": (set(), [], []),
    "outages.MassOutageThreshold": (set(), [], []),
    "outages.StagedRestoration": (set(), [], []),
    "outages.OutageAlertOptIn": (set(), [], []),
    # Dispatch: assignments (by hand with the reason and who gave it, withdrawals, the technician's steps) and
    # the incident's status, estimate and cause. An incident's report counters and routing marks change with
    # every report that joins it and every routing attempt (each second in a storm): left out.
    "dispatch.Assignment": (set(), [], []),
    "dispatch.Incident": (
        {"last_report_at", "report_count", "customers_affected", "last_routed_at", "route_attempts"},
        [],
        [],
    ),
    # A technician's record (unit, skills, job limit, phone, duty) as staff set it. The position columns are
    # left out: the phone reports every few seconds while on duty, which would bury the staff changes (where a
    # technician was is in dispatch, not in the audit log). State and job count are derived from the
    # assignments on every offer and step; the assignments' own entries say what happened.
    "dispatch.Technician": (
        {"last_lat", "last_lng", "last_accuracy_m", "last_position_at", "state", "active_jobs"},
        [],
        [],
    ),
    # Billing: bill corrections and token-complaint steps (money and the CIS), biaya beban rates (compensation).
    # Imports are not row-logged (bulk upserts); their ImportJob row says who uploaded what.
    "billing.BillCorrection": (set(), [], []),
    "billing.TokenRemedy": (set(), [], []),
    "billing.BiayaBeban": (set(), [], []),
}


def register_audited_models() -> None:
    """Who changed what on tickets, their timeline, calls and recordings, playbacks, violations, letters,
    staff accounts, roles, units, API tokens, planned outages and thresholds, staged restorations,
    assignments, incidents and technicians."""
    from auditlog.registry import auditlog
    from django.apps import apps

    for label, (excluded, masked, many) in AUDITED.items():
        model = apps.get_model(label)
        if auditlog.contains(model):
            continue
        columns = [f.name for f in model._meta.concrete_fields if f.name not in excluded]
        auditlog.register(model, include_fields=columns + many, mask_fields=masked, m2m_fields=set(many))
        if label in CREATED_BY_STAFF_ONLY:
            # auditlog connects its receiver under this uid (no public way to register updates and deletes only);
            # tests/security/test_audit_log.py fails if an upgrade changes it.
            post_save.disconnect(sender=model, dispatch_uid=auditlog._dispatch_uid(post_save, log_create))
            post_save.connect(log_staff_create, sender=model, dispatch_uid=f"sigap-audit-staff-create-{label}")


# A timeline event is itself a record of what happened, when and by whom: its creation is logged (with the
# client address) when a member of staff wrote it — a note, a status change by hand —, not when the public or a
# machine did (each report's "opened", each routing step: two log entries per storm report for nothing).
# Changes to and deletions of any event are logged.
CREATED_BY_STAFF_ONLY = {"tickets.TicketEvent"}


def log_staff_create(sender, instance, created, **kwargs) -> None:
    if created and instance.actor_id is not None:
        log_create(sender, instance, created, **kwargs)
