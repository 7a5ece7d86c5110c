"""Access-control matrix: every role × object kind × read / write, with the answer each must get.

One table, one test. A row names an object kind, read or write, the request, and the expected status for each
role. "Not yours" is answered like "not found" (404) wherever the object is named in the URL, so ids and numbers
cannot be probed; a role that may never use an endpoint at all gets 403 (API) or is sent to the login page (302,
anonymous on pages). Rows marked IDOR aim at another unit's object, or guess a token or number.

Roles: anonymous; customer (no account, holds the tracking token of their own ticket); operator, back office,
dispatcher, technician of ULP A; supervisor of the UP3 above ULP A ("this unit"); supervisor of a UP3 elsewhere
("another unit"); admin.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from rest_framework.test import APIClient

from core import roles
from hotline.models import Call, Violation
from reports import jobs
from tests.factories import TicketFactory, category, make_staff
from tickets.models import TicketEvent

ROLES = [
    "anonymous",
    "customer",
    "operator",
    "back_office",
    "dispatcher",
    "technician",
    "supervisor",
    "other_supervisor",
    "admin",
]

INTERNAL_NOTE = "internal: meter tampering suspected at this address"


@dataclass
class World:
    users: dict
    ticket: object  # outage ticket of ULP A, reported by the customer
    billing: object  # back-office ticket of ULP A
    far_ticket: object  # outage ticket of a unit elsewhere
    call: Call  # recorded call of ULP A, taken by the operator
    violation: Violation
    ulp: object
    far_ulp: object
    export_job: str  # the supervisor's background export
    extra: dict = field(default_factory=dict)

    def client(self, role: str) -> APIClient:
        client = APIClient()
        user = self.users.get(role)
        if user is not None:
            client.force_login(user)
        return client


@pytest.fixture
def world(db, ulp, up3, far_ulp, settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "recordings")},
        },
    }
    settings.MEDIA_ROOT = tmp_path / "media"
    users = {
        "operator": make_staff(role=roles.OPERATOR, unit=ulp, username="m-operator"),
        "back_office": make_staff(role=roles.BACK_OFFICE, unit=ulp, username="m-backoffice"),
        "dispatcher": make_staff(role=roles.DISPATCHER, unit=ulp, username="m-dispatcher"),
        "technician": make_staff(role=roles.TECHNICIAN, unit=ulp, username="m-technician"),
        "supervisor": make_staff(role=roles.SUPERVISOR, unit=up3, username="m-supervisor"),
        "other_supervisor": make_staff(role=roles.SUPERVISOR, unit=far_ulp.parent, username="m-far-supervisor"),
        "admin": make_staff(role=roles.ADMIN, unit=up3, username="m-admin"),
    }
    ticket = TicketFactory(unit=ulp, reporter_phone="+6281234567890")
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.NOTE, is_public=False, message=INTERNAL_NOTE)
    billing = TicketFactory(unit=ulp, category=category("TG-LONJAK"))
    far_ticket = TicketFactory(unit=far_ulp)
    now = timezone.now()
    call = Call.objects.create(
        pbx_call_id="matrix-1",
        caller_number="+6281234567890",
        operator=users["operator"],
        operator_ref="2001",
        unit=ulp,
        status=Call.Status.ENDED,
        rang_at=now,
        answered_at=now,
        ended_at=now,
        ended_by=Call.EndedBy.OPERATOR,
        recording_content_type="audio/wav",
    )
    call.recording.save("matrix.wav", ContentFile(b"RIFF\x24\x00\x00\x00WAVEfmt "), save=True)
    violation = Violation.objects.create(
        call=call,
        operator=users["operator"],
        kind=Violation.Kind.HANG_UP,
        status=Violation.Status.SUSPECTED,
        occurred_at=now,
    )
    dispatch_objects = _dispatch_world(users, ulp, far_ulp, now)
    dispatch_objects.update(_outages_world(ulp, far_ulp, ticket, now))
    export_job = jobs.create_job(
        user_id=users["supervisor"].pk, unit_id=None, start=date(2026, 1, 1), end=date(2026, 1, 31), total=0
    )
    return World(users, ticket, billing, far_ticket, call, violation, ulp, far_ulp, export_job, dispatch_objects)


def _dispatch_world(users, ulp, far_ulp, now) -> dict:
    """The technician's record with a live offer and a job on site in ULP A; an incident without a crew; another
    unit's job."""
    from datetime import timedelta

    from dispatch.models import Assignment, Incident
    from tests.factories import TechnicianFactory

    technician = TechnicianFactory(user=users["technician"], unit=ulp, job_limit=2)
    far_technician = TechnicianFactory(user=make_staff(role=roles.TECHNICIAN, unit=far_ulp, username="m-far-tech"),
                                       unit=far_ulp)  # fmt: skip
    incident = Incident.objects.create(unit=ulp, lat=-1.212, lng=116.872, address="Gg. Matrix 1")
    spare = Incident.objects.create(unit=ulp, lat=-1.215, lng=116.875, address="Gg. Matrix 2")
    far_incident = Incident.objects.create(unit=far_ulp, lat=-6.98, lng=110.41, address="Jl. Jauh")
    offer = Assignment.objects.create(
        incident=incident, technician=technician, state=Assignment.State.OFFERED, expires_at=now + timedelta(hours=1)
    )
    site = Incident.objects.create(unit=ulp, lat=-1.218, lng=116.878, address="Gg. Matrix 3")
    Assignment.objects.create(
        incident=site, technician=technician, state=Assignment.State.ON_SITE, offered_at=now, accepted_at=now
    )
    far_offer = Assignment.objects.create(
        incident=far_incident, technician=far_technician, state=Assignment.State.OFFERED,
        expires_at=now + timedelta(hours=1),
    )  # fmt: skip
    return {"technician": technician, "incident": incident, "spare": spare, "far_incident": far_incident,
            "offer": offer, "far_offer": far_offer, "site": site}  # fmt: skip


def _outages_world(ulp, far_ulp, ticket, now) -> dict:
    """A planned outage of ULP A and one elsewhere, a wide-area outage of ULP A (its first report's street and
    exact position are private), a customer on file, and the "is your power back?" question of the ticket."""
    from datetime import timedelta

    from dispatch.models import Incident
    from outages import services as outage_services
    from outages.models import RestorationCheck, WideAreaOutage
    from tests.factories import CustomerFactory

    def plan(unit, title):
        start = now + timedelta(hours=2)
        return outage_services.create_planned_outage(
            unit=unit, title=title, starts_at=start, ends_at=start + timedelta(hours=4), transformer_codes=["GD-001"]
        )

    storm = Incident.objects.create(unit=ulp, lat=WIDE_AREA_LAT, lng=116.8712345, address=WIDE_AREA_STREET)
    WideAreaOutage.objects.create(incident=storm, unit=ulp, reports=40, customers=900)
    check = RestorationCheck.objects.create(ticket=ticket, due_at=now + timedelta(hours=24))
    return {
        "plan": plan(ulp, "Pemeliharaan gardu matrix"),
        "far_plan": plan(far_ulp, FAR_PLAN_TITLE),
        "storm": storm,
        "check": check,
        "customer": CustomerFactory(unit=ulp, phone="+6281234567890"),
        "other_customer": CustomerFactory(unit=ulp, phone="+6281399990000"),
    }


WIDE_AREA_STREET = "Gg. Pelapor Pertama 17"
WIDE_AREA_LAT = -1.2123456
FAR_PLAN_TITLE = "Pemeliharaan penyulang jauh"


def expect(anonymous, customer, operator, back_office, dispatcher, technician, supervisor, other_supervisor, admin):
    return dict(zip(ROLES, [anonymous, customer, operator, back_office, dispatcher, technician, supervisor,
                            other_supervisor, admin], strict=True))  # fmt: skip


def everyone(code):
    return dict.fromkeys(ROLES, code)


@dataclass
class Row:
    kind: str
    action: str  # read / write
    case: str
    request: Callable  # (client, world) -> response
    expected: dict
    must_not_contain: str = ""  # text that must never appear in a 2xx answer (internal notes)


def api(method, path_fn, data=None, fmt="json"):
    def send(client, w):
        path = path_fn(w)
        if method == "get":
            return client.get(path)
        return getattr(client, method)(path, data(w) if callable(data) else (data or {}), format=fmt)

    return send


def page(method, path_fn, data=None):
    def send(client, w):
        django_client = client  # APIClient is a Django test client as well
        if method == "get":
            return django_client.get(path_fn(w))
        return django_client.post(path_fn(w), data(w) if callable(data) else (data or {}))

    return send


ROWS = [
    # ---- ticket -------------------------------------------------------------------------------------------
    Row("ticket", "read", "staff API detail of a ticket of ULP A",
        api("get", lambda w: f"/api/v1/tickets/{w.ticket.number}/"),
        expect(403, 403, 200, 200, 200, 200, 200, 404, 200)),
    Row("ticket", "read", "IDOR: detail of another unit's ticket",
        api("get", lambda w: f"/api/v1/tickets/{w.far_ticket.number}/"),
        expect(403, 403, 404, 404, 404, 404, 404, 200, 200)),
    Row("ticket", "read", "IDOR: guessed ticket number",
        api("get", lambda w: "/api/v1/tickets/260101-999999-4/"),
        expect(403, 403, 404, 404, 404, 404, 404, 404, 404)),
    Row("ticket", "read", "back-office page of a billing ticket of ULP A",
        page("get", lambda w: f"/backoffice/t/{w.billing.number}/"),
        expect(302, 302, 403, 200, 403, 403, 200, 404, 200)),
    Row("ticket", "write", "status change of a ticket of ULP A",
        api("post", lambda w: f"/api/v1/tickets/{w.ticket.number}/status/", {"status": "assigned"}),
        expect(403, 403, 200, 200, 200, 403, 200, 404, 200)),
    Row("ticket", "write", "IDOR: status change of another unit's ticket",
        api("post", lambda w: f"/api/v1/tickets/{w.far_ticket.number}/status/", {"status": "assigned"}),
        expect(403, 403, 404, 404, 404, 403, 404, 200, 200)),
    Row("ticket", "write", "cancel a ticket of ULP A through the staff API",
        api("post", lambda w: f"/api/v1/tickets/{w.ticket.number}/status/", {"status": "cancelled"}),
        expect(403, 403, 200, 200, 200, 403, 200, 404, 200)),
    # ---- tracking page --------------------------------------------------------------------------------------
    Row("tracking", "read", "tracking page by the ticket's secret token",
        page("get", lambda w: f"/t/{w.ticket.tracking_token}/"),
        everyone(200), must_not_contain=INTERNAL_NOTE),
    Row("tracking", "read", "tracking API by the ticket's secret token",
        api("get", lambda w: f"/api/v1/track/{w.ticket.tracking_token}/"),
        everyone(200), must_not_contain=INTERNAL_NOTE),
    Row("tracking", "read", "IDOR: guessed tracking token",
        api("get", lambda w: f"/api/v1/track/{secrets.token_urlsafe(24)}/"),
        everyone(404)),
    Row("tracking", "read", "tracking by number and the reporter's phone",
        api("post", lambda w: "/api/v1/track/", lambda w: {"number": w.ticket.number, "phone": "081234567890"}),
        everyone(200), must_not_contain=INTERNAL_NOTE),
    Row("tracking", "read", "IDOR: another ticket's number with my phone",
        api("post", lambda w: "/api/v1/track/", lambda w: {"number": w.far_ticket.number, "phone": "081234567890"}),
        everyone(404)),
    Row("tracking", "write", "notification preferences by the secret token",
        page("post", lambda w: f"/t/{w.ticket.tracking_token}/notifikasi/", {"mobile_channel": "sms", "sms": "on"}),
        everyone(200)),
    Row("tracking", "write", "IDOR: notification preferences by a guessed token",
        page("post", lambda w: f"/t/{secrets.token_urlsafe(24)}/notifikasi/", {"mobile_channel": "sms"}),
        everyone(404)),
    # ---- note -----------------------------------------------------------------------------------------------
    Row("note", "read", "internal note in the staff detail (200 shows it; the public views never do)",
        api("get", lambda w: f"/api/v1/tickets/{w.ticket.number}/"),
        expect(403, 403, 200, 200, 200, 200, 200, 404, 200)),
    Row("note", "write", "internal note on a ticket of ULP A",
        api("post", lambda w: f"/api/v1/tickets/{w.ticket.number}/notes/", {"message": "cek gardu"}),
        expect(403, 403, 201, 201, 201, 403, 201, 404, 201)),
    Row("note", "write", "IDOR: note on another unit's ticket",
        api("post", lambda w: f"/api/v1/tickets/{w.far_ticket.number}/notes/", {"message": "x", "public": True}),
        expect(403, 403, 404, 404, 404, 403, 404, 201, 201)),
    # ---- recording ------------------------------------------------------------------------------------------
    Row("recording", "read", "play the recording of a call of ULP A",
        page("get", lambda w: f"/console/calls/{w.call.pk}/recording/"),
        expect(302, 302, 200, 404, 404, 404, 200, 404, 200)),
    Row("recording", "read", "IDOR: play a guessed call id",
        page("get", lambda w: f"/console/calls/{w.call.pk + 1000}/recording/"),
        expect(302, 302, 404, 404, 404, 404, 404, 404, 404)),
    Row("recording", "write", "upload a recording without the PBX signature",
        api("post", lambda w: "/api/v1/calls/events/", lambda w: {
            "event": '{"event_id": "x", "type": "recording_ready", "call_id": "matrix-1",'
                     ' "occurred_at": "2026-01-01T00:00:00Z"}',
            "recording": ContentFile(b"RIFF\x24\x00\x00\x00WAVEfmt ", name="r.wav")}, fmt="multipart"),
        everyone(401)),
    # ---- call event -----------------------------------------------------------------------------------------
    Row("call event", "read", "the console's current call",
        api("get", lambda w: "/api/v1/calls/current/"),
        expect(403, 403, 200, 403, 403, 403, 200, 200, 200)),
    Row("call event", "read", "operators' seats for the PBX without a signature",
        api("get", lambda w: "/api/v1/calls/operators/"),
        everyone(401)),
    Row("call event", "write", "a call event without the PBX signature",
        api("post", lambda w: "/api/v1/calls/events/", {
            "event_id": "e1", "type": "ring", "call_id": "c1", "occurred_at": "2026-01-01T00:00:00Z"}),
        everyone(401)),
    Row("call event", "write", "review a suspected hang-up of ULP A",
        api("post", lambda w: f"/api/v1/calls/violations/{w.violation.pk}/review/", {"decision": "dismiss"}),
        expect(403, 403, 403, 403, 403, 403, 200, 404, 200)),
    # ---- report ---------------------------------------------------------------------------------------------
    Row("report", "read", "supervisor reports of one's own units",
        page("get", lambda w: "/reports/"),
        expect(302, 302, 403, 403, 403, 403, 200, 200, 200)),
    # Units are public (the report form lists them): another unit's id is refused with 403, not hidden.
    Row("report", "read", "IDOR: reports of ULP A asked by unit id",
        page("get", lambda w: f"/reports/?unit={w.ulp.pk}"),
        expect(302, 302, 403, 403, 403, 403, 200, 403, 200)),
    Row("report", "read", "feedback and undelivered notifications",
        page("get", lambda w: "/reports/feedback/"),
        expect(302, 302, 403, 403, 403, 403, 200, 200, 200)),
    # ---- export ---------------------------------------------------------------------------------------------
    Row("export", "read", "CSV export of one's own units",
        page("get", lambda w: "/reports/export.csv"),
        expect(302, 302, 403, 403, 403, 403, 200, 200, 200)),
    Row("export", "read", "IDOR: CSV ticket list of ULP A asked by unit id",
        page("get", lambda w: f"/reports/export.csv?kind=tickets&unit={w.ulp.pk}"),
        expect(302, 302, 403, 403, 403, 403, 200, 403, 200)),
    Row("export", "read", "IDOR: someone else's background export",
        page("get", lambda w: f"/reports/exports/{w.export_job}/status/"),
        expect(302, 302, 404, 404, 404, 404, 200, 404, 404)),
    # ---- technician position (dispatch) ---------------------------------------------------------------------
    Row("technician position", "write", "report one's position from the phone",
        api("post", lambda w: "/api/v1/dispatch/position/", {"lat": -1.21, "lng": 116.87}),
        expect(403, 403, 403, 403, 403, 204, 403, 403, 403)),
    Row("technician position", "read", "the dispatch board (technicians and where they are)",
        api("get", lambda w: "/api/v1/dispatch/board/"),
        expect(403, 403, 403, 403, 200, 403, 200, 200, 200)),
    # ---- assignment (dispatch) ------------------------------------------------------------------------------
    Row("assignment", "read", "one's own jobs and offers",
        api("get", lambda w: "/api/v1/dispatch/jobs/"),
        expect(403, 403, 403, 403, 403, 200, 403, 403, 403)),
    Row("assignment", "read", "an incident of ULP A with its crew",
        api("get", lambda w: f"/api/v1/dispatch/incidents/{w.extra['incident'].pk}/"),
        expect(403, 403, 200, 403, 200, 403, 200, 404, 200)),
    Row("assignment", "read", "IDOR: another unit's incident",
        api("get", lambda w: f"/api/v1/dispatch/incidents/{w.extra['far_incident'].pk}/"),
        expect(403, 403, 404, 403, 404, 403, 404, 200, 200)),
    Row("assignment", "write", "accept one's own offer",
        api("post", lambda w: f"/api/v1/dispatch/assignments/{w.extra['offer'].pk}/steps/",
            lambda w: {"step": "accept", "client_id": "7d7c6c1e-6f7e-4a51-9b0e-2d2f2d0b9a01"}),
        expect(403, 403, 403, 403, 403, 200, 403, 403, 403)),
    Row("assignment", "write", "IDOR: accept another technician's offer",
        api("post", lambda w: f"/api/v1/dispatch/assignments/{w.extra['far_offer'].pk}/steps/",
            lambda w: {"step": "accept", "client_id": "7d7c6c1e-6f7e-4a51-9b0e-2d2f2d0b9a02"}),
        expect(403, 403, 403, 403, 403, 404, 403, 403, 403)),
    Row("assignment", "write", "assign a technician of ULP A by hand",
        api("post", lambda w: f"/api/v1/dispatch/incidents/{w.extra['spare'].pk}/assign/",
            lambda w: {"technician": w.extra["technician"].pk, "reason": "closest crew"}),
        expect(403, 403, 403, 403, 200, 403, 200, 404, 200)),
    # ---- planned outage (outages) --------------------------------------------------------------------------
    Row("planned outage", "read", "staff list of the planned outages of one's units",
        api("get", lambda w: "/api/v1/outages/planned/"),
        expect(403, 403, 403, 200, 200, 403, 200, 200, 200)),
    Row("planned outage", "read", "planned outages on the public map of the city",
        api("get", lambda w: "/api/v1/outages/map/?area=UP3-TEST"),
        everyone(200)),
    Row("planned outage", "write", "schedule a planned outage for ULP A",
        api("post", lambda w: "/api/v1/outages/planned/", lambda w: _plan_body("ULP-TEST-A")),
        expect(403, 403, 403, 201, 201, 403, 201, 400, 201)),
    # The unit is named in the body and units are public: another unit's is refused with a field message.
    Row("planned outage", "write", "IDOR: schedule a planned outage for another unit's ULP",
        api("post", lambda w: "/api/v1/outages/planned/", lambda w: _plan_body("ULP-FAR")),
        expect(403, 403, 403, 400, 400, 403, 400, 201, 201)),
    Row("planned outage", "write", "cancel a planned outage of ULP A",
        api("post", lambda w: f"/api/v1/outages/planned/{w.extra['plan'].pk}/cancel/"),
        expect(403, 403, 403, 200, 200, 403, 200, 404, 200)),
    Row("planned outage", "write", "IDOR: cancel another unit's planned outage",
        api("post", lambda w: f"/api/v1/outages/planned/{w.extra['far_plan'].pk}/cancel/"),
        expect(403, 403, 403, 404, 404, 403, 404, 200, 200)),
    Row("planned outage", "write", "IDOR: cancel a guessed planned outage id",
        api("post", lambda w: f"/api/v1/outages/planned/{w.extra['far_plan'].pk + 1000}/cancel/"),
        expect(403, 403, 403, 404, 404, 403, 404, 404, 404)),
    # Staff who are not superusers never reach the admin site (none of the roles is ``is_staff``).
    Row("planned outage", "write", "schedule or edit a planned outage in the admin",
        page("post", lambda w: "/admin/outages/plannedoutage/add/", lambda w: {"unit": w.ulp.pk, "title": "x"}),
        everyone(302)),
    # ---- wide-area threshold (outages) ---------------------------------------------------------------------
    Row("outage threshold", "read", "wide-area thresholds in the admin",
        page("get", lambda w: "/admin/outages/massoutagethreshold/"),
        everyone(302)),
    Row("outage threshold", "write", "change a unit's wide-area threshold in the admin",
        page("post", lambda w: "/admin/outages/massoutagethreshold/add/",
             lambda w: {"unit": w.ulp.pk, "min_reports": 2, "min_customers": 2}),
        everyone(302)),
    # ---- public outage notices: banner, PBX announcement, map (outages) -----------------------------------
    Row("outage notice", "read", "the web banner of ULP A (wide-area outage) shows no reporter's street",
        api("get", lambda w: "/api/v1/outages/banner/?unit=ULP-TEST-A"),
        everyone(200), must_not_contain=WIDE_AREA_STREET),
    Row("outage notice", "read", "the PBX announcement of ULP A",
        api("get", lambda w: "/api/v1/announcements/ULP-TEST-A/"),
        everyone(200), must_not_contain=WIDE_AREA_STREET),
    Row("outage notice", "read", "the PBX announcement of an unknown unit",
        api("get", lambda w: "/api/v1/announcements/ULP-NOPE/"),
        everyone(404)),
    Row("outage notice", "read", "the map data of the city shows positions rounded, never a reporter's house",
        api("get", lambda w: "/api/v1/outages/map/?area=UP3-TEST"),
        everyone(200), must_not_contain=str(WIDE_AREA_LAT)),
    Row("outage notice", "read", "the outage map page",
        page("get", lambda w: "/peta-padam/"),
        everyone(200), must_not_contain=WIDE_AREA_STREET),
    # ---- power-back subscription (outages) -----------------------------------------------------------------
    # A subscription has no token, and no endpoint reads or undoes one: the public can only add one.
    Row("subscription", "write", "ask for an SMS when the wide-area outage ends",
        api("post", lambda w: "/api/v1/outages/subscriptions/",
            lambda w: {"incident": w.extra["storm"].pk, "phone": "081234567890"}),
        everyone(201)),
    Row("subscription", "write", "IDOR: subscribe to a guessed incident id",
        api("post", lambda w: "/api/v1/outages/subscriptions/",
            lambda w: {"incident": w.extra["storm"].pk + 1000, "phone": "081234567890"}),
        everyone(400)),
    Row("subscription", "read", "the subscribers' phone numbers in the admin",
        page("get", lambda w: "/admin/outages/restorationsubscription/"),
        everyone(302)),
    # ---- staged restoration (outages) ----------------------------------------------------------------------
    Row("staged restoration", "write", "record transformers restored on one's own job on site in ULP A",
        api("post", lambda w: f"/api/v1/outages/incidents/{w.extra['site'].pk}/partly-restored/",
            {"transformer_codes": ["GD-001"]}),
        expect(403, 403, 403, 403, 200, 200, 200, 404, 200)),
    # The technician was only offered this one: not their job yet.
    Row("staged restoration", "write", "record transformers restored on an incident of ULP A",
        api("post", lambda w: f"/api/v1/outages/incidents/{w.extra['incident'].pk}/partly-restored/",
            {"transformer_codes": ["GD-001"]}),
        expect(403, 403, 403, 403, 200, 404, 200, 404, 200)),
    Row("staged restoration", "write", "IDOR: restore transformers of another unit's incident",
        api("post", lambda w: f"/api/v1/outages/incidents/{w.extra['far_incident'].pk}/partly-restored/",
            {"transformer_codes": ["GD-001"]}),
        expect(403, 403, 403, 403, 404, 404, 404, 200, 200)),
    Row("staged restoration", "read", "staged restorations in the admin",
        page("get", lambda w: "/admin/outages/stagedrestoration/"),
        everyone(302)),
    # ---- "is your power back?" (outages) ---------------------------------------------------------------------
    Row("restoration check", "read", "the question by the ticket's secret token",
        page("get", lambda w: f"/nyala/{w.ticket.tracking_token}/"),
        everyone(200), must_not_contain=INTERNAL_NOTE),
    Row("restoration check", "read", "IDOR: the question by a guessed token",
        page("get", lambda w: f"/nyala/{secrets.token_urlsafe(24)}/"),
        everyone(404)),
    Row("restoration check", "read", "IDOR: the token of another ticket that was never asked",
        page("get", lambda w: f"/nyala/{w.billing.tracking_token}/"),
        everyone(404)),
    Row("restoration check", "write", "answer by the ticket's secret token",
        page("post", lambda w: f"/nyala/{w.ticket.tracking_token}/", {"answer": "yes"}),
        everyone(200), must_not_contain=INTERNAL_NOTE),
    Row("restoration check", "write", "IDOR: answer by a guessed token",
        page("post", lambda w: f"/nyala/{secrets.token_urlsafe(24)}/", {"answer": "no"}),
        everyone(404)),
    # ---- planned-outage alerts (outages) -------------------------------------------------------------------
    Row("outage alert", "read", "the sign-up page",
        page("get", lambda w: "/info-pemadaman/"),
        everyone(200)),
    Row("outage alert", "write", "sign up with one's ID pelanggan and the phone on file",
        page("post", lambda w: "/info-pemadaman/",
             lambda w: {"id_pelanggan": w.extra["customer"].id_pelanggan, "phone": "081234567890"}),
        everyone(200)),
    Row("outage alert", "write", "IDOR: sign up another customer's ID pelanggan with my phone",
        page("post", lambda w: "/info-pemadaman/",
             lambda w: {"id_pelanggan": w.extra["other_customer"].id_pelanggan, "phone": "081234567890"}),
        everyone(400)),
    # ---- accounts (privilege escalation) --------------------------------------------------------------------
    Row("user", "write", "create a user in the admin",
        page("post", lambda w: "/admin/auth/user/add/", {"username": "mallory", "password1": "x", "password2": "x"}),
        expect(302, 302, 302, 302, 302, 302, 302, 302, 302)),
]  # fmt: skip


def _plan_body(unit_code: str) -> dict:
    from datetime import timedelta

    start = timezone.now() + timedelta(days=2)
    return {
        "unit": unit_code,
        "title": "Pemeliharaan matrix",
        "feeder_codes": ["PY-MATRIX"],
        "starts_at": start.isoformat(),
        "ends_at": (start + timedelta(hours=3)).isoformat(),
    }


def run_cell(world: World, row: Row, role: str) -> str | None:
    """One request, rolled back afterwards (a savepoint), so every cell starts from the same world."""
    with transaction.atomic():
        response = row.request(world.client(role), world)
        body = b""
        if 200 <= response.status_code < 300:
            body = b"".join(response.streaming_content) if response.streaming else response.content
        transaction.set_rollback(True)
    if response.status_code != row.expected[role]:
        return (
            f"{row.kind} {row.action} — {row.case} as {role}: expected {row.expected[role]}, got {response.status_code}"
        )
    if row.must_not_contain and row.must_not_contain.encode() in body:
        return f"{row.kind} {row.action} — {row.case} as {role}: the answer shows {row.must_not_contain!r}"
    return None


def test_access_matrix(world):
    cells = [(row, role) for row in ROWS for role in ROLES]
    wrong = [problem for row, role in cells if (problem := run_cell(world, row, role))]
    assert wrong == [], f"{len(wrong)} of {len(cells)} cells wrong:\n" + "\n".join(wrong)
    assert len(cells) >= 250


def test_every_role_and_kind_is_in_the_matrix():
    kinds = {(row.kind, row.action) for row in ROWS}
    for kind in ["ticket", "tracking", "note", "call event", "technician position", "assignment"]:
        assert {(kind, "read"), (kind, "write")} <= kinds, kind
    for kind in ["planned outage", "outage threshold", "subscription", "staged restoration", "restoration check",
                 "outage alert"]:  # fmt: skip
        assert {(kind, "read"), (kind, "write")} <= kinds, kind
    for kind in ["recording", "report", "export", "outage notice"]:
        assert (kind, "read") in kinds
    for row in ROWS:
        assert set(row.expected) == set(ROLES)


def test_the_admin_site_creates_no_user_for_staff_who_are_not_admins(world):
    from django.contrib.auth import get_user_model

    for role in ROLES:
        world.client(role).post("/admin/auth/user/add/", {"username": "mallory", "password1": "x", "password2": "x"})
    assert not get_user_model().objects.filter(username="mallory").exists()


def test_the_staff_detail_shows_internal_notes_and_public_views_do_not(world):
    staff = world.client("operator").get(f"/api/v1/tickets/{world.ticket.number}/").content.decode()
    assert INTERNAL_NOTE in staff
    public = APIClient().get(f"/api/v1/track/{world.ticket.tracking_token}/").content.decode()
    assert INTERNAL_NOTE not in public


def test_the_board_of_another_unit_does_not_show_our_technician(world):
    board = world.client("other_supervisor").get("/api/v1/dispatch/board/").json()
    assert world.extra["technician"].pk not in [tech["id"] for tech in board["technicians"]]
    ours = world.client("supervisor").get("/api/v1/dispatch/board/").json()
    assert world.extra["technician"].pk in [tech["id"] for tech in ours["technicians"]]


def test_a_playback_is_in_the_audit_log(world):
    from auditlog.models import LogEntry

    world.client("operator").get(f"/console/calls/{world.call.pk}/recording/")
    assert LogEntry.objects.filter(
        content_type__model="recordingplayback", actor=world.users["operator"], action=LogEntry.Action.CREATE
    ).exists()


def test_the_planned_outages_of_another_unit_are_not_in_our_list(world):
    ours = world.client("supervisor").get("/api/v1/outages/planned/").json()
    assert [plan["id"] for plan in ours] == [world.extra["plan"].pk]
    theirs = world.client("other_supervisor").get("/api/v1/outages/planned/").json()
    assert [plan["id"] for plan in theirs] == [world.extra["far_plan"].pk]
    assert FAR_PLAN_TITLE not in world.client("dispatcher").get("/api/v1/outages/planned/").content.decode()
