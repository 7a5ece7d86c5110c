"""The customer can always answer: from the tracking page, the API or by replying to the SMS/WhatsApp message;
the reply goes on the timeline, the clock runs again and the back office sees the reply and its file."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from tests.factories import category
from tickets import inbound, services
from tickets.models import CustomerReply, Ticket
from tickets.sla import services as sla_services

pytestmark = pytest.mark.django_db

PHONE = "081234567890"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def asked(ulp, back_office_worker):
    """A bill correction the back office has asked the customer about (its clock paused)."""
    ticket = services.open_ticket(
        category=category("TG-KOREKSI"),
        channel=Ticket.Channel.WEB,
        description="Tagihan bulan ini dua kali lipat",
        address="Jl. Soekarno-Hatta Km 5 No. 12",
        reporter_phone=PHONE,
        unit=ulp,
    )
    sla_services.claim_ticket(ticket=ticket, user=back_office_worker)
    sla_services.ask_customer(ticket=ticket, user=back_office_worker, message="Mohon kirim foto rekening")
    ticket.refresh_from_db()
    assert ticket.service_level.paused_since is not None
    return ticket


def _jpeg(name="rekening.jpg") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def _resumed(ticket: Ticket) -> Ticket:
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    assert ticket.service_level.paused_since is None and len(ticket.service_level.pauses) == 1
    return ticket


def test_the_tracking_page_shows_the_question_the_customers_own_words_and_a_reply_form(client, asked):
    # when
    page = client.get(f"/t/{asked.tracking_token}/")
    # then
    body = page.content.decode()
    assert 'id="reply-form"' in body and "Mohon kirim foto rekening" in body
    assert "Tagihan bulan ini dua kali lipat" in body and "Jl. Soekarno-Hatta Km 5 No. 12" in body


def test_answering_on_the_tracking_page_with_a_file_resumes_the_clock(client, asked, back_office_worker):
    # when
    response = client.post(
        f"/t/{asked.tracking_token}/balas/", {"message": "Ini fotonya", "attachment": _jpeg()}, follow=True
    )
    # then
    assert response.status_code == 200 and b'id="reply-thanks"' in response.content
    assert b'id="reply-form"' not in response.content
    ticket = _resumed(asked)
    reply = CustomerReply.objects.get(ticket=ticket)
    assert reply.channel == "web" and reply.attachment.name.endswith(".jpg")
    assert ticket.events.filter(to_status="in_progress", message__contains="Ini fotonya").exists()
    # and the back office sees it and can open the file
    client.force_login(back_office_worker)
    page = client.get(f"/backoffice/t/{ticket.number}/")
    assert b"Ini fotonya" in page.content and b"reply-attachment" in page.content
    download = client.get(f"/api/v1/tickets/{ticket.number}/replies/{reply.pk}/attachment/")
    assert download.status_code == 200 and b"".join(download.streaming_content)[:2] == b"\xff\xd8"


@pytest.mark.parametrize(
    ("upload", "status"),
    [
        (SimpleUploadedFile("a.pdf", b"%PDF-1.4\n%test\n", content_type="application/pdf"), 302),
        (SimpleUploadedFile("a.pdf", b"<script>alert(1)</script>", content_type="application/pdf"), 400),
    ],
)
def test_a_pdf_is_accepted_and_anything_else_refused(client, asked, upload, status):
    # when
    response = client.post(f"/t/{asked.tracking_token}/balas/", {"attachment": upload})
    # then
    assert response.status_code == status
    assert CustomerReply.objects.filter(ticket=asked).exists() is (status == 302)
    if status == 400:
        assert b'id="reply-error"' in response.content


def test_an_empty_answer_is_a_field_error_and_an_answer_when_nothing_is_asked_a_conflict(client, asked, api_client):
    empty = client.post(f"/t/{asked.tracking_token}/balas/", {"message": "  "})
    assert empty.status_code == 400 and b'id="reply-error"' in empty.content
    first = api_client.post("/api/v1/track/reply/", {"token": asked.tracking_token, "message": "Sudah saya kirim"})
    again = api_client.post("/api/v1/track/reply/", {"token": asked.tracking_token, "message": "Sekali lagi"})
    assert first.status_code == 201 and first.json()["status"] == "in_progress"
    assert again.status_code == 409
    _resumed(asked)


def test_the_api_answers_by_number_and_phone_and_refuses_a_wrong_phone(api_client, asked):
    wrong = api_client.post("/api/v1/track/reply/", {"number": asked.number, "phone": "081299999999", "message": "x"})
    nothing = api_client.post("/api/v1/track/reply/", {"message": "x"})
    right = api_client.post(
        "/api/v1/track/reply/",
        {"number": asked.number, "phone": PHONE, "attachment": _jpeg()},
        format="multipart",
    )
    assert wrong.status_code == 404 and nothing.status_code == 400 and "token" in nothing.json()["extra"]["fields"]
    assert right.status_code == 201
    _resumed(asked)


def test_a_signed_sms_reply_answers_the_senders_ticket_once(client, asked):
    body = json.dumps({"id": "gw-1", "from": "+6281234567890", "channel": "sms", "text": "Rekening sudah dikirim"})
    headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in inbound.signed_headers(body.encode()).items()}
    # when: posted twice (the gateway retries)
    first = client.post("/api/v1/track/inbound/", body, content_type="application/json", **headers)
    again = client.post("/api/v1/track/inbound/", body, content_type="application/json", **headers)
    # then
    assert first.status_code == 202 and first.json()["matched"] is True
    assert again.status_code == 202
    assert CustomerReply.objects.filter(ticket=asked, channel="sms").count() == 1
    _resumed(asked)


def test_an_unsigned_or_forged_sms_reply_is_refused(client, asked):
    body = json.dumps({"id": "gw-2", "from": PHONE, "text": "palsu"}).encode()
    forged = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in inbound.signed_headers(body, secret="x").items()}
    assert client.post("/api/v1/track/inbound/", body, content_type="application/json").status_code == 403
    assert client.post("/api/v1/track/inbound/", body, content_type="application/json", **forged).status_code == 403
    asked.refresh_from_db()
    assert asked.status == Ticket.Status.WAITING_CUSTOMER
