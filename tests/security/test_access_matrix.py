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

from hotline.models import Call, Violation
from hotline.reports import jobs
from tests.factories import TicketFactory, category, make_staff
from tickets import roles
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
    export_job = jobs.create_job(
        user_id=users["supervisor"].pk, unit_id=None, start=date(2026, 1, 1), end=date(2026, 1, 31), total=0
    )
    return World(users, ticket, billing, far_ticket, call, violation, ulp, far_ulp, export_job, dispatch_objects)


def _dispatch_world(users, ulp, far_ulp, now) -> dict:
    """The technician's record with a live offer in ULP A; an incident without a crew; another unit's job."""
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
    far_offer = Assignment.objects.create(
        incident=far_incident, technician=far_technician, state=Assignment.State.OFFERED,
        expires_at=now + timedelta(hours=1),
    )  # fmt: skip
    return {"technician": technician, "incident": incident, "spare": spare, "far_incident": far_incident,
            "offer": offer, "far_offer": far_offer}  # fmt: skip


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
    # ---- accounts (privilege escalation) --------------------------------------------------------------------
    Row("user", "write", "create a user in the admin",
        page("post", lambda w: "/admin/auth/user/add/", {"username": "mallory", "password1": "x", "password2": "x"}),
        expect(302, 302, 302, 302, 302, 302, 302, 302, 302)),
]  # fmt: skip


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
    for kind in ["recording", "report", "export"]:
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
