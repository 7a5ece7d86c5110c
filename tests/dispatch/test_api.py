"""Dispatch API: status codes, bodies and one database effect each."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import services
from dispatch.models import Assignment, Incident
from tickets.models import Ticket

BASE = "/api/v1/dispatch"


@pytest.fixture
def offer(place_technician, report_outage):
    place_technician("tono", 100)
    return services.route_ticket(ticket_id=report_outage(0).pk)


def _steps(client, assignment, step, **body):
    payload = {"step": step, "client_id": str(body.pop("client_id", uuid.uuid4())), **body}
    return client.post(f"{BASE}/assignments/{assignment.pk}/steps/", payload, format="json")


def test_a_technician_reports_a_position(client_for, technician):
    # when
    response = client_for(technician.user).post(
        f"{BASE}/position/", {"lat": -1.25, "lng": 116.85, "accuracy_m": 12}, format="json"
    )
    # then
    assert response.status_code == 204
    technician.refresh_from_db()
    assert (technician.last_lat, technician.last_lng, technician.last_accuracy_m) == (-1.25, 116.85, 12)


@pytest.mark.parametrize(
    "body, field",
    [
        ({"lat": 95, "lng": 116.85}, "lat"),
        ({"lat": -1.25, "lng": 200}, "lng"),
        ({"lat": "north", "lng": 116.85}, "lat"),
        ({"lng": 116.85}, "lat"),
        ({"lat": -1.25, "lng": 116.85, "accuracy_m": -3}, "accuracy_m"),
    ],
)
def test_a_position_with_impossible_coordinates_is_a_400_with_the_field(client_for, technician, body, field):
    # when
    response = client_for(technician.user).post(f"{BASE}/position/", body, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    technician.refresh_from_db()
    assert technician.last_lat == pytest.approx(-1.2102, abs=0.001)


def test_position_needs_a_technician(client_for, operator):
    # when
    response = client_for(operator).post(f"{BASE}/position/", {"lat": -1.2, "lng": 116.8}, format="json")
    # then
    assert response.status_code == 403


def test_jobs_lists_my_offer_with_its_incident_and_a_maps_link(client_for, offer):
    # when
    response = client_for(offer.technician.user).get(f"{BASE}/jobs/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert body["jobs"] == []
    [listed] = body["offers"]
    assert listed["id"] == offer.pk and listed["state"] == "offered"
    assert listed["incident"]["tickets"] == [Ticket.objects.get().number]
    assert listed["maps_url"].startswith("https://www.google.com/maps/dir/?api=1&destination=-1.21")


def test_a_step_moves_the_job_and_the_same_client_id_again_changes_nothing(client_for, offer):
    # given
    client = client_for(offer.technician.user)
    client_id = uuid.uuid4()
    # when
    first = _steps(client, offer, "accept", client_id=client_id, lat=-1.211, lng=116.872)
    again = _steps(client, offer, "accept", client_id=client_id)
    # then
    assert first.status_code == 200 and first.json()["state"] == "accepted"
    assert again.status_code == 200 and again.json() == first.json()
    assert offer.steps.count() == 1
    assert Ticket.objects.get().status == Ticket.Status.ASSIGNED


def test_a_step_out_of_order_is_a_409_and_nothing_changes(client_for, offer):
    # when
    response = _steps(client_for(offer.technician.user), offer, "arrive")
    # then
    assert response.status_code == 409
    assert response.json()["message"]
    offer.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED


def test_restoring_before_on_site_is_a_409(client_for, offer):
    # given
    client = client_for(offer.technician.user)
    _steps(client, offer, "accept")
    # when
    response = _steps(client, offer, "restore", cause="tree")
    # then
    assert response.status_code == 409
    assert Incident.objects.get().status == Incident.Status.ASSIGNED


def test_accepting_an_expired_offer_is_a_409(client_for, offer):
    # given
    Assignment.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=5))
    # when
    response = _steps(client_for(offer.technician.user), offer, "accept")
    # then
    assert response.status_code == 409
    assert response.json()["extra"]["state"] == "expired"


def test_another_technicians_job_is_a_404_like_an_unknown_one(client_for, offer, place_technician):
    # given
    other = place_technician("other", 9000)
    # when
    response = _steps(client_for(other.user), offer, "accept")
    # then
    assert response.status_code == 404
    offer.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED


def test_an_unknown_assignment_is_a_404(client_for, technician):
    # when
    response = _steps(client_for(technician.user), Assignment(pk=999_999), "accept")
    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    "body, field",
    [
        ({"step": "fly"}, "step"),
        ({"step": "accept", "client_id": "not-a-uuid"}, "client_id"),
        ({"step": "accept", "lat": 100, "lng": 116}, "lat"),
        ({"step": "accept", "lat": -1.2}, "lat"),
        ({"step": "restore", "cause": "aliens"}, "cause"),
    ],
)
def test_a_bad_step_is_a_400_with_the_field(client_for, offer, body, field):
    # given
    payload = {"client_id": str(uuid.uuid4()), **body}
    # when
    response = client_for(offer.technician.user).post(f"{BASE}/assignments/{offer.pk}/steps/", payload, format="json")
    # then
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_restore_needs_a_cause(client_for, offer):
    # given
    client = client_for(offer.technician.user)
    for step in ["accept", "depart", "arrive"]:
        _steps(client, offer, step)
    # when
    response = _steps(client, offer, "restore")
    # then
    assert response.status_code == 400
    assert "cause" in response.json()["extra"]["fields"]


def test_restore_with_a_photo_finishes_the_job(client_for, offer):
    # given
    from io import BytesIO

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    client = client_for(offer.technician.user)
    for step in ["accept", "depart", "arrive"]:
        _steps(client, offer, step)
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "JPEG")
    photo = SimpleUploadedFile("fco.jpg", buffer.getvalue(), content_type="image/jpeg")
    # when
    response = client.post(
        f"{BASE}/assignments/{offer.pk}/steps/",
        {"step": "restore", "client_id": str(uuid.uuid4()), "cause": "fuse", "notes": "FCO diganti", "photo": photo},
        format="multipart",
    )
    # then
    assert response.status_code == 200, response.json()
    assert response.json()["state"] == "restored"
    offer.refresh_from_db()
    assert offer.photo.name.startswith("job-photos/")
    assert Ticket.objects.get().status == Ticket.Status.RESTORED


def test_the_board_shows_incidents_waiting_tickets_and_technicians_to_a_dispatcher(
    client_for, dispatcher, offer, report_outage
):
    # given: a second outage far away that nobody can take
    waiting = report_outage(20_000)
    services.route_ticket(ticket_id=waiting.pk)
    # when
    response = client_for(dispatcher).get(f"{BASE}/board/")
    # then
    assert response.status_code == 200
    body = response.json()
    assert {i["id"] for i in body["incidents"]} == set(Incident.objects.values_list("pk", flat=True))
    assigned = next(i for i in body["incidents"] if i["id"] == offer.incident_id)
    assert assigned["assignment"]["technician"]["id"] == offer.technician_id
    assert [t["number"] for t in body["unassigned"]] == [waiting.number]
    assert [t["id"] for t in body["technicians"]] == [offer.technician_id]
    assert body["technicians"][0]["state"] == "busy"


def test_the_board_is_refused_to_a_technician_and_an_outsider(client_for, technician, outsider):
    # then
    assert client_for(technician.user).get(f"{BASE}/board/").status_code == 403
    assert client_for(outsider).get(f"{BASE}/board/").status_code == 403


def test_the_board_answers_in_a_fixed_number_of_queries(
    client_for, dispatcher, offer, report_outage, django_assert_max_num_queries
):
    # given
    for metres in (5_000, 10_000, 15_000):
        services.route_ticket(ticket_id=report_outage(metres).pk)
    client = client_for(dispatcher)
    # then
    with django_assert_max_num_queries(12):
        assert client.get(f"{BASE}/board/").status_code == 200


def test_a_dispatcher_assigns_by_hand_and_needs_a_reason(client_for, dispatcher, offer, place_technician):
    # given
    chosen = place_technician("chosen", 3000)
    client = client_for(dispatcher)
    # when
    refused = client.post(f"{BASE}/incidents/{offer.incident_id}/assign/", {"technician": chosen.pk}, format="json")
    done = client.post(
        f"{BASE}/incidents/{offer.incident_id}/assign/",
        {"technician": chosen.pk, "reason": "closer by road"},
        format="json",
    )
    # then
    assert refused.status_code == 400 and "reason" in refused.json()["extra"]["fields"]
    assert done.status_code == 200
    assert done.json()["assignment"]["technician"]["id"] == chosen.pk
    assert done.json()["status"] == "assigned"


def test_a_dispatcher_of_another_unit_cannot_see_the_incident(client_for, offer, far_supervisor):
    # when
    response = client_for(far_supervisor).get(f"{BASE}/incidents/{offer.incident_id}/")
    # then
    assert response.status_code == 404


def test_an_estimate_in_the_past_is_a_400_and_a_future_one_tells_the_customers(client_for, dispatcher, offer):
    # given
    client = client_for(dispatcher)
    url = f"{BASE}/incidents/{offer.incident_id}/estimate/"
    # when
    past = client.post(url, {"estimated_restoration_at": "2020-01-01T10:00:00Z"}, format="json")
    future = client.post(
        url, {"estimated_restoration_at": (timezone.now() + timedelta(hours=2)).isoformat()}, format="json"
    )
    # then
    assert past.status_code == 400 and "estimated_restoration_at" in past.json()["extra"]["fields"]
    assert future.status_code == 200 and future.json()["estimated_restoration_at"]
    assert Ticket.objects.get().events.filter(kind="public_update", is_public=True).exists()


def test_a_dispatcher_restores_an_incident(client_for, dispatcher, offer):
    # when
    response = client_for(dispatcher).post(
        f"{BASE}/incidents/{offer.incident_id}/restore/", {"cause": "upstream"}, format="json"
    )
    # then
    assert response.status_code == 200 and response.json()["status"] == "restored"
    assert Ticket.objects.get().status == Ticket.Status.RESTORED
    offer.refresh_from_db()
    assert offer.state == Assignment.State.WITHDRAWN


def test_incident_list_filters_open_ones(client_for, dispatcher, offer, report_outage):
    # given
    closed = services.attach_to_incident(ticket=report_outage(30_000))
    services.restore_incident(incident=closed, by=dispatcher)
    # when
    response = client_for(dispatcher).get(f"{BASE}/incidents/?open=1")
    # then
    assert response.status_code == 200
    assert [i["id"] for i in response.json()["results"]] == [offer.incident_id]


def test_nearby_tells_anyone_about_an_outage_without_personal_data(api_client, offer):
    # given
    ticket = Ticket.objects.get()
    # when
    near = api_client.get(f"{BASE}/nearby/", {"lat": ticket.lat + 0.002, "lng": ticket.lng})
    far = api_client.get(f"{BASE}/nearby/", {"lat": ticket.lat + 0.02, "lng": ticket.lng})
    # then
    assert near.status_code == 200
    assert near.json() == {
        "incident": {"id": offer.incident_id, "report_count": 1, "estimated_restoration_at": None, "status": "open"}
    }
    assert far.json() == {"incident": None}


def test_nearby_with_impossible_coordinates_is_a_400(api_client):
    # when
    response = api_client.get(f"{BASE}/nearby/", {"lat": "95", "lng": "116"})
    # then
    assert response.status_code == 400
    assert "lat" in response.json()["extra"]["fields"]


def test_causes_are_listed_with_labels(api_client):
    # when
    response = api_client.get(f"{BASE}/causes/", HTTP_ACCEPT_LANGUAGE="en")
    # then
    assert response.status_code == 200
    assert {"code": "tree", "label": "Tree or branch on the line"} in response.json()


def test_the_dispatch_api_is_in_the_openapi_schema(api_client):
    # when
    response = api_client.get("/api/schema/", {"format": "json"})
    # then
    paths = response.json()["paths"]
    assert "/api/v1/dispatch/assignments/{id}/steps/" in paths
    assert "/api/v1/dispatch/board/" in paths


def test_jobs_also_tell_the_technician_their_own_duty_state(client_for, technician):
    # when
    body = client_for(technician.user).get(f"{BASE}/jobs/").json()
    # then
    assert body["technician"]["id"] == technician.pk
    assert body["technician"]["on_duty"] is True and body["technician"]["state"] == "available"


def test_a_technician_going_off_duty_gets_no_new_offer(client_for, technician, report_outage):
    # when
    response = client_for(technician.user).post(f"{BASE}/duty/", {"on_duty": False}, format="json")
    result = services.route_ticket(ticket_id=report_outage(0).pk)
    # then
    assert response.status_code == 200 and response.json()["state"] == "off"
    assert result is None


def test_a_shift_ending_in_the_past_is_a_400(client_for, technician):
    # when
    response = client_for(technician.user).post(
        f"{BASE}/duty/", {"on_duty": True, "shift_ends_at": "2020-01-01T00:00:00Z"}, format="json"
    )
    # then
    assert response.status_code == 400 and "shift_ends_at" in response.json()["extra"]["fields"]


def test_jobs_and_incident_list_answer_in_a_fixed_number_of_queries(
    client_for, dispatcher, place_technician, report_outage, django_assert_max_num_queries
):
    # given: one technician with three offers over several reports, and three incidents
    tech = place_technician("busy", 0, job_limit=3)
    for metres in (0, 3_000, 6_000):
        services.route_ticket(ticket_id=report_outage(metres).pk)
        services.route_ticket(ticket_id=report_outage(metres + 100).pk)
    technician_client, dispatcher_client = client_for(tech.user), client_for(dispatcher)
    # then
    with django_assert_max_num_queries(6):
        jobs = technician_client.get(f"{BASE}/jobs/")
    with django_assert_max_num_queries(8):
        incidents = dispatcher_client.get(f"{BASE}/incidents/")
    assert len(jobs.json()["offers"]) == 3
    assert [len(i["tickets"]) for i in incidents.json()["results"]] == [2, 2, 2]
