"""Applications from the web form and the API; bad input answered with field messages and nothing written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from connections.models import Application, ApplicationDocument
from core.errors import ApplicationError
from tickets.models import Ticket

from .conftest import NIK, PLACE, new_connection, pdf, png, power_change

API = "/api/v1/connections/applications/"


def test_a_new_connection_needs_no_id_pelanggan(ulp):
    application = new_connection()
    ticket = application.ticket
    assert ticket.category.code == "LY-PB" and ticket.unit == ulp and ticket.customer is None
    assert application.stage == "permohonan" and application.kind == "new_connection"
    assert list(application.documents.values_list("kind", flat=True)) == ["ktp"]
    assert application.quote["normal_fee"] == 2_062_000
    assert ticket.service_level.resolution_due_at is not None  # the TMP clock runs from the application


def test_a_power_change_needs_the_id_pelanggan_of_a_customer(customer):
    application = power_change(customer, requested_va=1300)
    assert application.ticket.category.code == "LY-PD" and application.customer == customer
    assert (application.current_va, application.requested_va) == (900, 1300)
    assert application.quote["normal_fee"] == 374_800


def test_a_business_attaches_its_nib_as_a_pdf(ulp):
    application = new_connection(tariff="B-1/TR", documents={"ktp": png(), "nib": pdf()})
    kinds = dict(application.documents.values_list("kind", "content_type"))
    assert kinds == {"ktp": "image/png", "nib": "application/pdf"}


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"nik": "12345"}, "nik"),
        ({"requested_va": 5000}, "requested_va"),
        ({"tariff": "R-1/TR", "requested_va": 5500}, "tariff"),
        ({"lat": 3.59, "lng": 98.67}, "location"),  # Medan: outside every ULP here
        ({"lat": None, "lng": None}, "location"),
        ({"documents": {}}, "ktp"),
        ({"documents": {"ktp": SimpleUploadedFile("ktp.pdf", b"MZ\x90\x00 not a pdf")}}, "ktp"),
        ({"tariff": "B-1/TR", "documents": {"ktp": png()}}, "nib"),
        ({"address": ""}, "address"),
        ({"phone": "12"}, "phone"),
    ],
)
def test_bad_input_is_answered_by_field_and_nothing_is_written(ulp, overrides, field):
    with pytest.raises(ApplicationError) as caught:
        new_connection(**overrides)
    assert caught.value.status_code == 400
    assert field in caught.value.extra["fields"]
    assert not Ticket.objects.exists() and not Application.objects.exists()
    assert not ApplicationDocument.objects.exists()


def test_a_power_change_for_an_unknown_customer_or_to_the_same_power_is_refused(customer):
    with pytest.raises(ApplicationError) as caught:
        power_change(customer, id_pelanggan="999999999999")
    assert "id_pelanggan" in caught.value.extra["fields"]
    with pytest.raises(ApplicationError) as caught:
        power_change(customer, requested_va=900)
    assert "requested_va" in caught.value.extra["fields"]
    assert not Ticket.objects.exists()


def test_the_api_takes_an_application_with_documents(ulp, api_client):
    response = api_client.post(
        API,
        {
            "kind": "new_connection",
            "applicant_name": "Andi",
            "nik": NIK,
            "phone": "081298765432",
            "address": "Jl. Kenanga 2",
            "lat": PLACE[0],
            "lng": PLACE[1],
            "requested_va": 1300,
            "tariff": "R-1/TR",
            "payment_type": "postpaid",
            "ktp": png(),
        },
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["stage"] == "permohonan" and body["ticket_number"]
    assert Ticket.objects.get(number=body["ticket_number"]).channel == "api"


def test_the_api_answers_bad_input_with_every_field_in_the_users_language(ulp, api_client):
    response = api_client.post(
        API,
        {
            "kind": "new_connection",
            "applicant_name": "Andi",
            "nik": "1",
            "phone": "0812",
            "requested_va": 1000,
            "tariff": "R-1/TR",
            "payment_type": "prepaid",
        },
        format="multipart",
        HTTP_ACCEPT_LANGUAGE="id",
    )
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert {"nik", "requested_va", "location", "ktp"} <= set(fields)
    assert fields["nik"] == ["NIK terdiri dari tepat 16 digit."]
    assert not Ticket.objects.exists()


def test_the_public_form_applies_and_lands_on_the_tracking_page(ulp, client):
    response = client.post(
        "/sambung/",
        {
            "kind": "new_connection",
            "applicant_name": "Siti",
            "nik": NIK,
            "phone": "081234567001",
            "address": "Jl. Melati 7",
            "lat": PLACE[0],
            "lng": PLACE[1],
            "requested_va": 2200,
            "tariff": "R-1/TR",
            "payment_type": "prepaid",
            "ktp": png(),
        },
    )
    application = Application.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"].endswith(f"/{application.ticket.tracking_token}/")
        or application.ticket.tracking_token in response["Location"]
    )
    page = client.get(response["Location"]).content.decode()
    assert 'id="connection"' in page and "Permohonan" in page


def test_the_public_form_shows_field_messages(ulp, client):
    response = client.post(
        "/sambung/",
        {
            "kind": "new_connection",
            "applicant_name": "Siti",
            "nik": "123",
            "phone": "081234567001",
            "requested_va": 2200,
            "tariff": "R-2/TR",
            "payment_type": "prepaid",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "NIK" in body and 'class="error"' in body
    assert not Application.objects.exists()


def test_the_quote_api_and_calculator_answer_from_the_catalogue(ulp, api_client, client):
    response = api_client.get(
        "/api/v1/connections/quote/",
        {
            "kind": "power_change",
            "current_va": 450,
            "requested_va": 900,
            "tariff": "R-1/TR",
            "at": "2025-11-20T10:00:00+08:00",
        },
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["normal_fee"], body["programme"], body["price"]) == (421_650, "power-hero-2025", 210_825)
    bad = api_client.get(
        "/api/v1/connections/quote/",
        {"kind": "power_change", "current_va": 450, "requested_va": 1000, "tariff": "R-1/TR"},
    )
    assert bad.status_code == 400 and "requested_va" in bad.json()["extra"]["fields"]
    page = client.get(
        "/sambung/tarif/",
        {"kind": "new_connection", "requested_va": 2200, "tariff": "R-1/TR", "payment_type": "prepaid"},
    )
    assert page.status_code == 200 and "Rp 2.062.000" in page.content.decode()


def test_an_operator_logs_a_callers_application_without_an_id_pelanggan_documents_to_follow(ulp, operator, client):
    client.force_login(operator)
    form = client.get("/sambung/?channel=phone")
    assert 'id="staff-intake"' in form.content.decode()
    response = client.post(
        "/sambung/",
        {
            "channel": "phone",
            "kind": "new_connection",
            "applicant_name": "Pak Darto",
            "nik": NIK,
            "phone": "081234567002",
            "address": "Jl. Anggrek 9",
            "lat": PLACE[0],
            "lng": PLACE[1],
            "requested_va": 900,
            "tariff": "R-1/TR",
            "payment_type": "prepaid",
        },
    )
    assert response.status_code == 302
    application = Application.objects.get()
    assert application.ticket.channel == "phone" and application.ticket.created_by == operator
    assert not application.documents.exists()
    page = client.get(response["Location"]).content.decode()
    assert 'id="document-form"' in page and 'value="ktp"' in page


def test_a_bare_new_connection_ticket_from_another_channel_is_pointed_to_the_form(
    ulp, django_capture_on_commit_callbacks
):
    from tests.factories import category
    from tickets import services as ticket_services

    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_services.open_ticket(
            category=category("LY-PB"),
            channel="open311",
            description="Mau pasang baru",
            reporter_phone="081234567003",
            unit=ulp,
        )
        application = new_connection()
    notes = list(ticket.events.filter(is_public=True, kind="public_update").values_list("message", flat=True))
    assert len(notes) == 1 and "/sambung/" in notes[0]
    assert not application.ticket.events.filter(message__contains="/sambung/").exists()
