"""The technician's job card says what the customers said, who they are and how to reach them; counts and the
estimate message are true."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dispatch import selectors, services
from dispatch.models import Incident
from notifications import messages
from tickets import services as ticket_services
from tickets.models import Notification, Ticket

BASE = "/api/v1/dispatch"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _jpeg() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "orange").save(buffer, "JPEG")
    return SimpleUploadedFile("tiang.jpg", buffer.getvalue(), content_type="image/jpeg")


def test_the_job_card_carries_category_words_reporter_call_link_photo_and_open_count(
    client_for, place_technician, report_outage
):
    # given: two reports of one outage, one with a photo
    tech = place_technician("tono", 100)
    first = report_outage(0, reporter_name="Bu Sari", description="Tiang miring, kabel putus", photo=_jpeg())
    report_outage(20, reporter_name="Pak Budi")
    offer = services.route_ticket(ticket_id=first.pk)
    services.route_ticket(ticket_id=Ticket.objects.exclude(pk=first.pk).get().pk)
    # when
    response = client_for(tech.user).get(f"{BASE}/jobs/")
    # then
    assert response.status_code == 200
    job = response.json()["offers"][0]
    assert job["id"] == offer.pk and job["incident"]["open_report_count"] == 2
    reports = {r["number"]: r for r in job["reports"]}
    card = reports[first.number]
    assert card["category"] == "GG-PADAM-1" and card["category_label"]
    assert card["description"] == "Tiang miring, kabel putus"
    assert card["reporter_name"] == "Bu Sari"
    assert card["call_url"] == f"tel:{first.reporter_phone}" and first.reporter_phone.startswith("+62")
    photo = client_for(tech.user).get(card["photo_url"])
    assert photo.status_code == 200 and b"".join(photo.streaming_content)[:2] == b"\xff\xd8"


def test_another_technician_cannot_read_the_photo(client_for, place_technician, report_outage):
    # given
    place_technician("tono", 100)
    other = place_technician("rudi", 90_000)
    ticket = report_outage(0, photo=_jpeg())
    offer = services.route_ticket(ticket_id=ticket.pk)
    # when
    response = client_for(other.user).get(f"{BASE}/jobs/{offer.pk}/photos/{ticket.number}/")
    # then
    assert response.status_code == 404


def test_restored_members_are_not_counted_as_waiting_and_no_crew_is_sent_for_none(
    client_for, dispatcher, place_technician, report_outage
):
    # given: three reports of one outage, two of them restored already (e.g. the customers' own fuse)
    tickets = [report_outage(metres) for metres in (0, 10, 20)]
    services.route_ticket(ticket_id=tickets[0].pk)  # nobody on duty yet
    for ticket in tickets:
        services.route_ticket(ticket_id=ticket.pk)
    for ticket in tickets[:2]:
        ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.RESTORED, actor=dispatcher)
    incident = Incident.objects.get()
    # when
    board = client_for(dispatcher).get(f"{BASE}/board/").json()
    # then
    row = next(i for i in board["incidents"] if i["id"] == incident.pk)
    assert (row["report_count"], row["open_report_count"]) == (3, 1)
    # and when the last one is restored too, routing offers nobody a job with nothing left to do
    ticket_services.change_status(ticket=tickets[2], to_status=Ticket.Status.RESTORED, actor=dispatcher)
    place_technician("tono", 100)
    Incident.objects.update(last_routed_at=timezone.now() - timedelta(minutes=5))
    assert services.route_incident(incident_id=incident.pk) is None
    assert selectors.open_member_count(incident) == 0


def test_an_estimate_sends_the_customers_still_without_power_a_message(dispatcher, report_outage):
    # given
    ticket = report_outage(0, language="en")
    services.route_ticket(ticket_id=ticket.pk)
    incident = Incident.objects.get()
    when = timezone.now() + timedelta(hours=2)
    # when: saved, and saved again with the same time
    services.set_estimate(incident=incident, estimated_restoration_at=when, by=dispatcher)
    services.set_estimate(incident=incident, estimated_restoration_at=when, by=dispatcher)
    # then: one message in the outbox, with the number, the time and the tracking link
    sent = Notification.objects.filter(ticket=ticket, kind=messages.ESTIMATE)
    assert sent.count() == 1
    text = messages.compose(sent.get()).text
    assert ticket.number in text and "estimated restoration" in text and f"/t/{ticket.tracking_token}/" in text


def test_when_the_last_waiting_report_is_restored_elsewhere_the_incident_stands_down(
    dispatcher, place_technician, report_outage, django_capture_on_commit_callbacks
):
    # given: an incident of two reports offered to a technician
    tech = place_technician("tono", 100)
    first, second = report_outage(0), report_outage(10)
    offer = services.route_ticket(ticket_id=first.pk)
    services.route_ticket(ticket_id=second.pk)
    # when: staff mark both restored (the customers' own fuse), not the crew
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.change_status(ticket=first, to_status=Ticket.Status.RESTORED, actor=dispatcher)
    assert Incident.objects.get().is_open
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.change_status(ticket=second, to_status=Ticket.Status.RESTORED, actor=dispatcher)
    # then: the incident is restored, the offer withdrawn and the technician free again
    assert Incident.objects.get().status == Incident.Status.RESTORED
    offer.refresh_from_db()
    assert offer.state == "withdrawn"
    tech.refresh_from_db()
    assert tech.active_jobs == 0
