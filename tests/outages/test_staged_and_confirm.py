"""NYALA BERTAHAP tells only the restored part; "is your power back?" closes or opens exactly one follow-up."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import services as dispatch_services
from dispatch.models import Incident
from notifications import messages
from outages import services
from outages.models import RestorationCheck, StagedRestoration
from tests.factories import CustomerFactory
from tickets.models import Notification, Ticket

pytestmark = pytest.mark.django_db


def test_staged_restoration_restores_and_tells_only_the_restored_transformers(
    client_for, dispatcher, ulp, customers, report
):
    # Two transformers side by side: their reports group into one incident.
    neighbours = [CustomerFactory(unit=ulp, transformer_code="GD-C", lat=-1.2102, lng=116.8702) for _ in range(2)]
    a = [report(customers[k]) for k in ("a0", "a1")]
    b = [report(c) for c in neighbours]
    incident = Incident.objects.get()
    assert set(incident.reports.values_list("ticket_id", flat=True)) == {t.pk for t in a + b}

    response = client_for(dispatcher).post(
        f"/api/v1/outages/incidents/{incident.pk}/partly-restored/", {"transformer_codes": ["gd-a"]}, format="json"
    )
    assert response.status_code == 200 and response.json()["tickets_restored"] == 2
    statuses = dict(Ticket.objects.values_list("pk", "status"))
    assert [statuses[t.pk] for t in a] == ["restored", "restored"]
    assert [statuses[t.pk] for t in b] == ["received", "received"]
    told = set(Notification.objects.filter(kind="restored").values_list("ticket_id", flat=True))
    assert told == {t.pk for t in a}
    incident.refresh_from_db()
    assert incident.status == "partly_restored" and incident.is_open
    assert StagedRestoration.objects.get().transformer_codes == ["GD-A"]

    empty = client_for(dispatcher).post(
        f"/api/v1/outages/incidents/{incident.pk}/partly-restored/", {"transformer_codes": []}, format="json"
    )
    assert empty.status_code == 400


def test_restored_reporters_are_asked_and_no_twice_opens_one_linked_ticket(client, customers, report, dispatcher):
    ticket = report(customers["a0"])
    dispatch_services.restore_incident(incident=Incident.objects.get(), by=dispatcher)
    check = RestorationCheck.objects.get(ticket=ticket)
    restored = Notification.objects.get(ticket=ticket, kind="restored")  # one message carries the question
    text = messages.compose(restored).text
    assert f"/nyala/{ticket.tracking_token}/" in text
    assert "survei" not in text  # the rating comes after the confirmation
    assert Notification.objects.filter(ticket=ticket).count() == 2  # received, restored: nothing more

    page = client.get(f"/nyala/{check.token}/")
    assert page.status_code == 200 and b"answer-no" in page.content
    first = client.post(f"/nyala/{check.token}/", {"answer": "no"})
    second = client.post(f"/nyala/{check.token}/", {"answer": "no"})
    services.answer_confirmation(token=check.token, answer="no")
    assert first.status_code == 200 and second.status_code == 200
    follow_ups = Ticket.objects.filter(parent=ticket)
    assert follow_ups.count() == 1
    follow_up = follow_ups.get()
    assert follow_up.priority == Ticket.Priority.HIGH and follow_up.dispatch_state == Ticket.DispatchState.PENDING
    assert follow_up.number.encode() in first.content
    assert b"already been answered" in second.content or follow_up.number.encode() in second.content
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert ticket.events.filter(kind="linked").count() == 1


def test_yes_closes_and_asks_for_a_rating(client, customers, report, dispatcher):
    ticket = report(customers["a0"])
    dispatch_services.restore_incident(incident=Incident.objects.get(), by=dispatcher)
    check = RestorationCheck.objects.get(ticket=ticket)
    client.post(f"/nyala/{check.token}/", {"answer": "yes"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED and not Ticket.objects.filter(parent=ticket).exists()
    closed = Notification.objects.get(ticket=ticket, kind="closed")
    assert "/survei/" in messages.compose(closed).text
    late = client.post(f"/nyala/{check.token}/", {"answer": "no"})
    assert late.status_code == 200 and not Ticket.objects.filter(parent=ticket).exists()


def test_no_answer_in_time_closes_with_a_rating_request(customers, report, dispatcher):
    ticket = report(customers["a0"])
    dispatch_services.restore_incident(incident=Incident.objects.get(), by=dispatcher)
    assert services.close_unanswered_checks(now=timezone.now() + timedelta(hours=1)) == 0
    assert services.close_unanswered_checks(now=timezone.now() + timedelta(hours=25)) == 1
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.CLOSED
    assert RestorationCheck.objects.get(ticket=ticket).answer == "timeout"
    assert "/survei/" in messages.compose(Notification.objects.get(ticket=ticket, kind="closed")).text


def test_an_unknown_token_is_404(client, db):
    assert client.get("/nyala/nope/").status_code == 404
