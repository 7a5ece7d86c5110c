"""Each wrong number gets its own clear message: a letter in an ID pelanggan, a wrong length, a report number whose
check digit does not match — on the form, in the API and on the tracking lookup, in both languages."""

import pytest

from tests.factories import category
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def _form(client, number: str, lang: str = "en"):
    client.cookies["sigap_language"] = lang  # pages follow the language switch, not Accept-Language
    return client.post(
        "/",
        {
            "category": category("GG-PADAM-1").pk,
            "customer_number": number,
            "description": "Listrik padam",
            "reporter_phone": "081234567890",
        },
    )


def _errors(response) -> list[str]:
    return [str(e) for e in response.context["form"].errors.get("customer_number", [])]


def test_a_letter_inside_an_id_pelanggan_is_named_not_dropped(client, ulp):
    response = _form(client, "53990001234A")
    assert response.status_code == 200 and not Ticket.objects.exists()
    assert _errors(response) == ["An ID pelanggan or meter number has digits only; remove “A”."]


def test_a_ten_digit_number_gets_one_message_about_its_length(client, ulp):
    response = _form(client, "5399000123")
    assert _errors(response) == ["You typed 10 digits; an ID pelanggan has 12 and a meter number 11."]
    assert list(response.context["form"].errors) == ["customer_number"]  # no unrelated second error


def test_the_indonesian_form_says_it_in_indonesian(client, ulp):
    response = _form(client, "53990001234A", lang="id")
    (message,) = _errors(response)
    assert "hanya angka" in message and "A" in message


def test_the_api_names_the_letter_and_the_length(api_client, ulp):
    body = {"category": "GG-PADAM-1", "description": "x", "reporter_phone": "081234567890", "unit": ulp.code}
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    letter = api_client.post("/api/v1/tickets/", {**body, "id_pelanggan": "53990001234A"}, format="json", **en)
    short = api_client.post("/api/v1/tickets/", {**body, "id_pelanggan": "5399000123"}, format="json", **en)
    assert letter.status_code == 400 and short.status_code == 400
    assert "“A”" in letter.json()["extra"]["fields"]["id_pelanggan"][0]
    assert "10" in short.json()["extra"]["fields"]["id_pelanggan"][0]


def test_a_wrong_check_digit_asks_to_check_the_number_on_the_page_and_the_api(client, api_client, ulp):
    ticket = services.open_ticket(
        category=category("GG-PADAM-1"), channel="web", description="x", reporter_phone="081234567890", unit=ulp
    )
    wrong = ticket.number[:-1] + str((int(ticket.number[-1]) + 1) % 10)
    page = client.post("/lacak/", {"number": wrong, "phone": "081234567890"})
    assert page.status_code == 200 and "periksa kembali nomor laporan" in page.content.decode().lower()
    api = api_client.post(
        "/api/v1/track/", {"number": wrong, "phone": "081234567890"}, format="json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert api.status_code == 400 and "check the report number" in api.json()["extra"]["fields"]["number"][0]
    right = client.post("/lacak/", {"number": ticket.number, "phone": "081234567890"})
    assert right.status_code == 302
