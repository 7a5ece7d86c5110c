"""Every staff action on tickets, recordings and users leaves an audit entry naming who did it."""

import pytest
from auditlog.models import LogEntry
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import TicketFactory
from tickets import roles
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
