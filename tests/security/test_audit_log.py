"""Every staff action on tickets, recordings and users leaves an audit entry naming who did it."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core import roles
from tests.factories import TicketFactory
from tickets.models import StaffProfile, Ticket, TicketEvent

pytestmark = pytest.mark.django_db


def entries_for(model, **filters):
    return LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), **filters)


def test_a_status_change_through_the_api_with_a_token_names_the_operator(operator, ulp):
    ticket = TicketFactory(unit=ulp)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=operator).key}")
    response = client.post(
        f"/api/v1/tickets/{ticket.number}/status/", {"status": "assigned"}, format="json", REMOTE_ADDR="10.1.2.3"
    )
    assert response.status_code == 200, response.content
    change = entries_for(Ticket, object_pk=str(ticket.pk), action=LogEntry.Action.UPDATE).get()
    assert change.actor == operator
    assert change.changes_dict["status"] == ["received", "assigned"]
    assert change.remote_addr == "10.1.2.3"
    event = entries_for(TicketEvent, action=LogEntry.Action.CREATE).latest("timestamp")
    assert event.actor == operator


def test_the_client_address_is_not_taken_from_a_forged_forwarding_header(operator, ulp, client_for):
    ticket = TicketFactory(unit=ulp)
    client = client_for(operator)
    client.post(
        f"/api/v1/tickets/{ticket.number}/notes/",
        {"message": "cek gardu"},
        format="json",
        REMOTE_ADDR="10.9.9.9",
        HTTP_X_FORWARDED_FOR="1.2.3.4",
    )
    note = entries_for(TicketEvent, action=LogEntry.Action.CREATE).latest("timestamp")
    assert note.actor == operator and note.remote_addr == "10.9.9.9"


def test_a_public_report_is_logged_without_an_actor_and_its_secrets_are_masked(api_client, ulp):
    response = api_client.post(
        "/api/v1/tickets/",
        {
            "category": "GG-PADAM-1",
            "description": "Padam",
            "reporter_phone": "081234567890",
            "lat": -1.21,
            "lng": 116.87,
        },
        format="json",
        HTTP_IDEMPOTENCY_KEY="key-0123456789",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get()
    created = entries_for(Ticket, object_pk=str(ticket.pk), action=LogEntry.Action.CREATE).get()
    assert created.actor is None
    logged_token = created.changes_dict["tracking_token"][1]
    assert logged_token != ticket.tracking_token and "*" in logged_token


def test_granting_a_role_and_moving_a_user_to_another_unit_are_logged(client, admin_user_sigap, operator, other_ulp):
    admin_user_sigap.is_staff = admin_user_sigap.is_superuser = True
    admin_user_sigap.save()
    client.force_login(admin_user_sigap)
    profile = StaffProfile.objects.get(user=operator)
    response = client.post(
        f"/admin/auth/user/{operator.pk}/change/",
        {
            "username": operator.username,
            "first_name": operator.first_name,
            "last_name": "",
            "email": "",
            "is_active": "on",
            "is_staff": "on",
            "groups": [
                Group.objects.get(name=roles.OPERATOR).pk,
                Group.objects.get_or_create(name=roles.SUPERVISOR)[0].pk,
            ],
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "initial-date_joined_0": "2026-01-01",
            "initial-date_joined_1": "00:00:00",
        },
    )
    assert response.status_code in (200, 302)
    user_entries = entries_for(type(operator), object_pk=str(operator.pk))
    assert user_entries.filter(actor=admin_user_sigap).exists(), list(user_entries.values("changes", "action"))
    assert any("groups" in (entry.changes_dict or {}) for entry in user_entries)
    profile.unit = other_ulp
    profile.save()
    assert entries_for(StaffProfile, object_pk=str(profile.pk), action=LogEntry.Action.UPDATE).exists()


def test_a_password_change_is_logged_without_the_hash(operator):
    operator.set_password("Nyala-Terus-2026!")
    operator.save()
    entry = entries_for(type(operator), object_pk=str(operator.pk), action=LogEntry.Action.UPDATE).latest("timestamp")
    old, new = entry.changes_dict["password"]
    assert operator.password not in (old, new)


# ---- Outages and dispatch: staff actions by hand ------------------------------------------------------------


@pytest.fixture
def offered(ulp):
    """An outage report routed to a technician: an incident with a live offer."""
    from dispatch import services as dispatch_services
    from tests.dispatch.conftest import make_technician, open_outage

    make_technician(ulp, "audit-tono", 100)
    return dispatch_services.route_ticket(ticket_id=open_outage(ulp, 0).pk)


AUDITED_BY_HAND = [
    "outages.PlannedOutage",
    "outages.MassOutageThreshold",
    "outages.StagedRestoration",
    "outages.OutageAlertOptIn",
    "dispatch.Assignment",
    "dispatch.Incident",
    "dispatch.Technician",
]


@pytest.mark.parametrize("label", AUDITED_BY_HAND)
def test_outage_and_dispatch_models_are_registered_for_the_audit_log(label):
    from auditlog.registry import auditlog
    from django.apps import apps

    from config.audit import AUDITED

    assert label in AUDITED
    assert auditlog.contains(apps.get_model(label))


def test_scheduling_and_cancelling_a_planned_outage_name_the_dispatcher(client_for, dispatcher, ulp):
    from datetime import timedelta

    from django.utils import timezone

    from outages.models import PlannedOutage

    start = timezone.now() + timedelta(hours=3)
    client = client_for(dispatcher)
    created = client.post(
        "/api/v1/outages/planned/",
        {
            "unit": ulp.code,
            "title": "Pemeliharaan gardu",
            "transformer_codes": ["GD-A"],
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=4)).isoformat(),
        },
        format="json",
    )
    assert created.status_code == 201, created.content
    plan_id = created.json()["id"]
    cancelled = client.post(f"/api/v1/outages/planned/{plan_id}/cancel/", format="json")
    assert cancelled.status_code == 200, cancelled.content
    entries = entries_for(PlannedOutage, object_pk=str(plan_id))
    create = entries.get(action=LogEntry.Action.CREATE)
    assert create.actor == dispatcher and create.changes_dict["title"][1] == "Pemeliharaan gardu"
    cancel = entries.get(action=LogEntry.Action.UPDATE)
    assert cancel.actor == dispatcher and set(cancel.changes_dict) == {"cancelled_at"}


def test_changing_a_threshold_in_the_admin_is_logged(client, superuser, ulp):
    from outages.models import MassOutageThreshold

    client.force_login(superuser)
    response = client.post(
        "/admin/outages/massoutagethreshold/add/", {"unit": ulp.pk, "min_reports": 20, "min_customers": 200}
    )
    assert response.status_code == 302, response.content[:500]
    threshold = MassOutageThreshold.objects.get(unit=ulp)
    response = client.post(
        f"/admin/outages/massoutagethreshold/{threshold.pk}/change/",
        {"unit": ulp.pk, "min_reports": 5, "min_customers": 200},
    )
    assert response.status_code == 302
    change = entries_for(MassOutageThreshold, object_pk=str(threshold.pk), action=LogEntry.Action.UPDATE).get()
    assert change.actor == superuser and change.changes_dict["min_reports"] == [20, 5]


def test_a_staged_restoration_names_who_recorded_it(client_for, dispatcher, offered):
    from outages.models import StagedRestoration

    response = client_for(dispatcher).post(
        f"/api/v1/outages/incidents/{offered.incident_id}/partly-restored/", {"transformer_codes": ["GD-001"]},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    step = StagedRestoration.objects.get()
    entry = entries_for(StagedRestoration, object_pk=str(step.pk), action=LogEntry.Action.CREATE).get()
    assert entry.actor == dispatcher and entry.changes_dict["transformer_codes"][1] == ["GD-001"]


def test_a_reassignment_by_hand_logs_the_withdrawal_and_the_new_job_with_the_reason(
    client_for, dispatcher, ulp, offered
):
    from dispatch.models import Assignment
    from tests.dispatch.conftest import make_technician

    chosen = make_technician(ulp, "audit-chosen", 3000)
    response = client_for(dispatcher).post(
        f"/api/v1/dispatch/incidents/{offered.incident_id}/assign/",
        {"technician": chosen.pk, "reason": "closer by road"},
        format="json",
    )
    assert response.status_code == 200, response.content
    withdrawn = entries_for(Assignment, object_pk=str(offered.pk), action=LogEntry.Action.UPDATE).get()
    assert withdrawn.actor == dispatcher
    assert withdrawn.changes_dict["state"] == ["offered", "withdrawn"]
    assert withdrawn.changes_dict["reason"][1] == "closer by road"
    new = Assignment.objects.get(technician=chosen)
    created = entries_for(Assignment, object_pk=str(new.pk), action=LogEntry.Action.CREATE).get()
    assert created.actor == dispatcher
    assert created.changes_dict["reason"][1] == "closer by road" and created.changes_dict["manual"][1] is True


def test_an_estimate_names_the_dispatcher(client_for, dispatcher, offered):
    from datetime import timedelta

    from django.utils import timezone

    from dispatch.models import Incident

    when = timezone.now() + timedelta(hours=2)
    response = client_for(dispatcher).post(
        f"/api/v1/dispatch/incidents/{offered.incident_id}/estimate/",
        {"estimated_restoration_at": when.isoformat()},
        format="json",
    )
    assert response.status_code == 200, response.content
    change = entries_for(Incident, object_pk=str(offered.incident_id), action=LogEntry.Action.UPDATE).get()
    assert change.actor == dispatcher and set(change.changes_dict) == {"estimated_restoration_at"}


def test_a_technician_record_edited_in_the_admin_is_logged_but_position_reports_are_not(
    client, client_for, superuser, ulp
):
    from dispatch.models import Technician
    from tests.dispatch.conftest import make_technician

    technician = make_technician(ulp, "audit-tech", 0, job_limit=1)
    technician_entries = entries_for(Technician, object_pk=str(technician.pk))
    before = technician_entries.count()
    for lat in (-1.2121, -1.2122, -1.2123):
        moved = client_for(technician.user).post("/api/v1/dispatch/position/", {"lat": lat, "lng": 116.872})
        assert moved.status_code == 204
    technician.refresh_from_db()
    technician.last_lat, technician.last_position_at = -1.3, technician.last_position_at
    technician.save()  # a full save that moves the position is not logged either
    assert technician_entries.count() == before
    client.force_login(superuser)
    form = {
        "user": technician.user_id,
        "unit": technician.unit_id,
        "phone": "0812000111",
        "skills": ["lv", "mv"],
        "on_duty": "on",
        "job_limit": 3,
        "shift_ends_at_0": "",
        "shift_ends_at_1": "",
    }
    response = client.post(f"/admin/dispatch/technician/{technician.pk}/change/", form)
    assert response.status_code == 302, response.content[:500]
    change = technician_entries.filter(action=LogEntry.Action.UPDATE).get()
    assert change.actor == superuser
    assert change.changes_dict["job_limit"] == [1, 3] and "last_lat" not in change.changes_dict


def test_timeline_events_the_public_or_a_machine_writes_are_not_logged_again_but_staff_events_and_changes_are(
    api_client, operator, ulp
):
    """The timeline row records who and when; the audit log adds the client address of staff's own events."""
    response = api_client.post(
        "/api/v1/tickets/",
        {"category": "TG-LONJAK", "description": "Tagihan naik", "reporter_phone": "081234567890", "unit": ulp.code},
        format="json",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    opened = ticket.events.get(kind=TicketEvent.Kind.OPENED)
    assert entries_for(Ticket, object_pk=str(ticket.pk), action=LogEntry.Action.CREATE).exists()
    assert not entries_for(TicketEvent, object_pk=str(opened.pk)).exists()
    note = TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.NOTE, is_public=False, actor=operator)
    assert entries_for(TicketEvent, object_pk=str(note.pk), action=LogEntry.Action.CREATE).exists()
    opened.message = "edited afterwards"
    opened.save()
    assert entries_for(TicketEvent, object_pk=str(opened.pk), action=LogEntry.Action.UPDATE).exists()


def test_a_request_connects_no_signal_receiver_and_its_entries_name_its_user_and_address(rf, operator, ulp):
    """Actor and address come from the request of the current context through one receiver connected at
    start-up: a request connects nothing (a connect per request emptied every signal's receiver cache, and two
    threads could remove each other's receiver)."""
    from django.db.models.signals import post_save, pre_save
    from django.http import HttpResponse

    from config.audit import AuditMiddleware

    ticket = TicketFactory(unit=ulp)
    before = (list(pre_save.receivers), list(post_save.receivers))
    during = []

    def view(request):
        during.append((list(pre_save.receivers), list(post_save.receivers)))
        ticket.description = "diubah petugas"
        ticket.save()
        return HttpResponse()

    request = rf.post("/", REMOTE_ADDR="10.7.7.7")
    request.user = operator
    AuditMiddleware(view)(request)
    assert during == [before]
    change = entries_for(Ticket, object_pk=str(ticket.pk), action=LogEntry.Action.UPDATE).get()
    assert (change.actor, change.remote_addr) == (operator, "10.7.7.7")
    ticket.description = "diubah mesin"
    ticket.save()  # outside any request: no actor, no address
    latest = entries_for(Ticket, object_pk=str(ticket.pk), action=LogEntry.Action.UPDATE).latest("timestamp")
    assert (latest.actor, latest.remote_addr) == (None, None)
