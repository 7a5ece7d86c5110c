import pytest
from django.urls import reverse

from tests.factories import CustomerFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def form_data(**overrides):
    data = {
        "category": "",
        "description": "Lampu rumah mati sejak sore",
        "reporter_phone": "081234567890",
        "customer_number": "",
        "lat": "-1.2101",
        "lng": "116.8711",
        "idempotency_key": "abc123",
    }
    data.update(overrides)
    return data


def outage_id():
    from tests.factories import category

    return str(category("GG-PADAM-1").pk)


def test_report_form_is_indonesian_by_default(client, ulp):
    page = client.get("/").content.decode()
    assert "Laporkan gangguan listrik" in page
    assert "Padam satu rumah / persil" in page
    assert 'lang="id"' in page


def test_report_form_in_english(client, ulp):
    client.cookies["sigap_language"] = "en"
    page = client.get("/").content.decode()
    assert "Report a power problem" in page
    assert "Single-premise outage" in page


def test_language_switch_sets_the_language(client, ulp):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Report a power problem" in client.get("/").content.decode()


def test_filing_a_report_shows_the_number_and_the_tracking_link(client, ulp):
    response = client.post("/", form_data(category=outage_id()))
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("tickets:report-done", args=[ticket.tracking_token])
    done = client.get(response["Location"]).content.decode()
    assert ticket.number in done and f"/t/{ticket.tracking_token}/" in done
    assert ticket.channel == "web" and ticket.unit == ulp


def test_double_submit_files_one_ticket(client, ulp):
    client.post("/", form_data(category=outage_id()))
    client.post("/", form_data(category=outage_id()))
    assert Ticket.objects.count() == 1


def test_customer_number_finds_the_customer(client, ulp):
    customer = CustomerFactory(unit=ulp, id_pelanggan="530000000123", meter_number="14000000123")
    client.post(
        "/", form_data(category=outage_id(), customer_number="1400 0000 123", lat="", lng="", idempotency_key="x")
    )
    assert Ticket.objects.get().customer == customer


@pytest.mark.parametrize(
    "language,expected",
    [("id", "Masukkan nomor telepon yang valid"), ("en", "Enter a valid phone number")],
)
def test_bad_input_gets_field_messages_in_the_users_language(client, ulp, language, expected):
    client.cookies["sigap_language"] = language
    response = client.post("/", form_data(category="", reporter_phone="12", description=""))
    assert response.status_code == 200
    page = response.content.decode()
    assert expected in page
    assert page.count('class="error"') >= 3
    assert Ticket.objects.count() == 0


def test_billing_needs_a_customer_number(client, ulp):
    from tests.factories import category

    response = client.post("/", form_data(category=str(category("TG-LONJAK").pk)))
    assert "ID pelanggan" in response.content.decode()
    assert Ticket.objects.count() == 0


def test_a_non_image_upload_is_refused_on_the_form(client, ulp):
    from django.core.files.uploadedfile import SimpleUploadedFile

    fake = SimpleUploadedFile("evil.png", b"<?php echo 1; ?>", content_type="image/png")
    response = client.post("/", {**form_data(category=outage_id()), "photo": fake})
    assert response.status_code == 200
    assert Ticket.objects.count() == 0


def test_pages_have_a_phone_viewport_and_no_inline_script(client, ulp):
    page = client.get("/").content.decode()
    assert 'name="viewport"' in page
    assert "<script>" not in page and "onclick=" not in page


def test_health_reports_database_and_broker(client, db):
    body = client.get("/healthz").json()
    assert body["db"] == "up"
    assert body["broker"] in {"in-process", "up"}


def test_tracking_lookups_on_the_page_are_throttled(client, ulp, monkeypatch):
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "5/minute", "public_tracking": "2/minute"}
    )
    codes = [
        client.post("/lacak/", {"number": "261125-000001-7", "phone": "081234567890"}).status_code for _ in range(3)
    ]
    assert codes == [404, 404, 429]
    assert "Terlalu banyak percobaan" in client.post("/lacak/", {}).content.decode()


def test_pages_stay_indonesian_for_a_browser_in_english(client, ulp):
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "Laporkan gangguan listrik" in page
