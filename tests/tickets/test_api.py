import io

import pytest
from PIL import Image
from rest_framework.throttling import SimpleRateThrottle

from tests.factories import CustomerFactory, TicketFactory, category
from tickets.models import Ticket

pytestmark = pytest.mark.django_db

URL = "/api/v1/tickets/"


def outage_payload(**overrides):
    payload = {
        "category": "GG-PADAM-1",
        "description": "Listrik padam satu rumah",
        "reporter_phone": "0812 3456 7890",
        "lat": -1.2101,
        "lng": 116.8711,
    }
    payload.update(overrides)
    return payload


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "yellow").save(buffer, format="PNG")
    return buffer.getvalue()


def test_anyone_can_open_a_ticket_and_gets_number_and_tracking_link(api_client, ulp):
    # when
    response = api_client.post(URL, outage_payload(), format="json")
    # then
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(number=body["number"])
    assert ticket.channel == "api"
    assert ticket.unit == ulp
    assert body["tracking_url"].endswith(f"/t/{ticket.tracking_token}/")


def test_invalid_input_is_a_400_with_field_messages(api_client, ulp):
    response = api_client.post(
        URL,
        {"category": "NOPE", "description": "", "reporter_phone": "12", "lat": 123, "id_pelanggan": "12"},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert {"category", "description", "reporter_phone", "lat", "id_pelanggan"} <= set(fields)
    assert Ticket.objects.count() == 0


def test_a_report_with_no_place_is_a_400_not_a_500(api_client, db):
    response = api_client.post(URL, outage_payload(lat=None, lng=None), format="json")
    assert response.status_code == 400
    assert "unit" in response.json()["extra"]["fields"]


def test_garbage_body_is_a_400(api_client, ulp):
    response = api_client.post(URL, data="{not json", content_type="application/json")
    assert response.status_code == 400


def test_idempotency_key_returns_the_same_ticket(api_client, ulp):
    first = api_client.post(URL, outage_payload(), format="json", HTTP_IDEMPOTENCY_KEY="3f1c2b")
    again = api_client.post(URL, outage_payload(), format="json", HTTP_IDEMPOTENCY_KEY="3f1c2b")
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["number"] == again.json()["number"]
    assert Ticket.objects.count() == 1


def test_a_photo_is_accepted_and_a_non_image_refused(api_client, ulp):
    photo = io.BytesIO(png_bytes())
    photo.name = "lampu.png"
    ok = api_client.post(URL, {**outage_payload(), "photo": photo}, format="multipart")
    assert ok.status_code == 201, ok.content
    assert Ticket.objects.get(number=ok.json()["number"]).photo.name.endswith(".png")
    fake = io.BytesIO(b"#!/bin/sh\necho not an image\n")
    fake.name = "photo.jpg"
    bad = api_client.post(URL, {**outage_payload(), "photo": fake}, format="multipart")
    assert bad.status_code == 400
    assert "photo" in bad.json()["extra"]["fields"]


def test_a_too_large_photo_is_refused(api_client, ulp, settings):
    settings.PHOTO_MAX_BYTES = 10
    photo = io.BytesIO(png_bytes())
    photo.name = "big.png"
    response = api_client.post(URL, {**outage_payload(), "photo": photo}, format="multipart")
    assert response.status_code == 400
    assert "photo" in response.json()["extra"]["fields"]


def test_anonymous_callers_cannot_set_channel_or_priority(api_client, ulp):
    response = api_client.post(URL, outage_payload(channel="phone", priority="urgent"), format="json")
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert (ticket.channel, ticket.priority) == ("api", "normal")


def test_operator_logs_a_phone_ticket_for_a_customer(client_for, operator, ulp):
    CustomerFactory(unit=ulp, id_pelanggan="530000000099")
    response = client_for(operator).post(
        URL,
        {
            "category": "TG-LONJAK",
            "description": "Tagihan naik",
            "reporter_phone": "081298765432",
            "id_pelanggan": "530000000099",
            "channel": "phone",
        },
        format="json",
    )
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.channel == "phone" and ticket.created_by == operator


def test_public_intake_is_throttled_per_client(api_client, ulp, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "2/minute", "public_tracking": "5/minute"}
    )
    codes = [api_client.post(URL, outage_payload(), format="json").status_code for _ in range(3)]
    assert codes == [201, 201, 429]


def test_list_requires_login(api_client):
    assert api_client.get(URL).status_code in (401, 403)


def test_staff_see_only_their_units_tickets(client_for, operator, supervisor, far_supervisor, ulp, other_ulp, far_ulp):
    mine = TicketFactory(unit=ulp)
    sibling = TicketFactory(unit=other_ulp)
    far = TicketFactory(unit=far_ulp)

    def numbers(user):
        return {row["number"] for row in client_for(user).get(URL).json()["results"]}

    assert numbers(operator) == {mine.number}
    assert numbers(supervisor) == {mine.number, sibling.number}
    assert numbers(far_supervisor) == {far.number}


def test_user_without_a_role_is_refused(client_for, outsider, ulp):
    TicketFactory(unit=ulp)
    assert client_for(outsider).get(URL).status_code == 403


def test_list_filters_by_status_category_unit_and_date(client_for, supervisor, ulp, other_ulp):
    a = TicketFactory(unit=ulp, status="received")
    TicketFactory(unit=other_ulp, status="assigned")
    b = TicketFactory(unit=ulp, category=category("TG-LONJAK"), kind="back_office", status="in_progress")
    client = client_for(supervisor)
    assert [r["number"] for r in client.get(URL, {"status": "received"}).json()["results"]] == [a.number]
    assert [r["number"] for r in client.get(URL, {"category": "TG-LONJAK"}).json()["results"]] == [b.number]
    assert len(client.get(URL, {"unit": "ULP-TEST-A"}).json()["results"]) == 2
    assert client.get(URL, {"created_after": "2100-01-01T00:00:00Z"}).json()["results"] == []
    assert client.get(URL, {"created_after": "not-a-date"}).status_code == 400


def test_list_is_cursor_paginated(client_for, supervisor, ulp):
    for _ in range(5):
        TicketFactory(unit=ulp)
    client = client_for(supervisor)
    first = client.get(URL, {"page_size": 2}).json()
    assert len(first["results"]) == 2 and first["next"]
    second = client.get(first["next"]).json()
    assert not {r["number"] for r in first["results"]} & {r["number"] for r in second["results"]}


def test_list_query_count_does_not_grow_with_rows(client_for, supervisor, ulp, django_assert_max_num_queries):
    for _ in range(20):
        TicketFactory(unit=ulp)
    client = client_for(supervisor)
    with django_assert_max_num_queries(6):
        assert len(client.get(URL).json()["results"]) == 20


def test_detail_of_another_units_ticket_is_not_found(client_for, operator, other_ulp):
    ticket = TicketFactory(unit=other_ulp)
    assert client_for(operator).get(f"{URL}{ticket.number}/").status_code == 404


def test_change_status_and_illegal_move(client_for, dispatcher, ulp):
    ticket = TicketFactory(unit=ulp)
    client = client_for(dispatcher)
    ok = client.post(f"{URL}{ticket.number}/status/", {"status": "assigned"}, format="json")
    assert ok.status_code == 200 and ok.json()["status"] == "assigned"
    bad = client.post(f"{URL}{ticket.number}/status/", {"status": "closed"}, format="json")
    assert bad.status_code == 409
    assert "on_the_way" in bad.json()["extra"]["allowed"]
    unknown = client.post(f"{URL}{ticket.number}/status/", {"status": "exploded"}, format="json")
    assert unknown.status_code == 400
    ticket.refresh_from_db()
    assert ticket.status == "assigned"


def test_technician_cannot_change_status_through_the_ticket_api(client_for, technician_user, ulp):
    ticket = TicketFactory(unit=ulp)
    response = client_for(technician_user).post(f"{URL}{ticket.number}/status/", {"status": "assigned"}, format="json")
    assert response.status_code == 403


def test_add_note(client_for, operator, ulp):
    ticket = TicketFactory(unit=ulp)
    response = client_for(operator).post(f"{URL}{ticket.number}/notes/", {"message": "Called back"}, format="json")
    assert response.status_code == 201 and response.json()["is_public"] is False
    empty = client_for(operator).post(f"{URL}{ticket.number}/notes/", {"message": ""}, format="json")
    assert empty.status_code == 400


def test_token_auth_works(api_client, operator, ulp):
    from rest_framework.authtoken.models import Token

    TicketFactory(unit=ulp)
    token = Token.objects.create(user=operator)
    response = api_client.get(URL, HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200 and len(response.json()["results"]) == 1


def test_categories_are_public_and_bilingual(api_client, db):
    rows = api_client.get("/api/v1/categories/", HTTP_ACCEPT_LANGUAGE="en").json()
    outage = next(r for r in rows if r["code"] == "GG-PADAM-1")
    assert outage["name"] == "Single-premise outage" and outage["name_id"] == "Padam satu rumah / persil"
    assert any(r["code"] == "SP-APRESIASI" for r in rows)


def test_openapi_schema_and_docs_are_served(api_client, db):
    schema = api_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/tickets/" in schema.content
    assert api_client.get("/api/docs/").status_code == 200


def test_the_written_out_intake_answer_is_what_its_output_serializer_gives(api_client, ulp):
    from tickets.api.views import TicketListCreateApi

    body = api_client.post(URL, outage_payload(), format="json").json()
    ticket = Ticket.objects.get(number=body["number"])
    expected = TicketListCreateApi.OutputSerializer(
        {
            "number": ticket.number,
            "status": ticket.status,
            "status_label": ticket.get_status_display(),
            "category": ticket.category.code,
            "unit": ticket.unit.code,
            "tracking_url": body["tracking_url"],
            "created_at": ticket.created_at,
        }
    ).data
    assert body == dict(expected)


def test_the_intake_fields_are_fresh_per_request_and_keep_their_arguments():
    from tickets.api.views import TicketListCreateApi

    first, second = TicketListCreateApi.InputSerializer(), TicketListCreateApi.InputSerializer()
    assert first.fields["category"] is not second.fields["category"]
    assert first.fields["language"].choices == second.fields["language"].choices == {"id": "id", "en": "en"}
    assert first.fields["lat"].max_value == 90 and first.fields["unit"].allow_null
