"""The console logs any caller: one without an ID pelanggan is placed by a map pin or a chosen ULP, and a
save with missing fields answers with plain field messages (never framework text)."""

import pytest
from django.test import Client
from django.utils import translation

from tests.factories import CustomerFactory, TicketFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db
URL = "/api/v1/calls/tickets/"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture(autouse=True)
def _no_default_unit(settings):
    settings.SIGAP_DEFAULT_UNIT_CODE = ""  # a caller who cannot be placed must not land anywhere silently


def test_a_passer_by_reporting_a_fallen_pole_is_placed_by_the_map_pin(operator, ulp, other_ulp):
    # when: no ID pelanggan, a pin near ULP Test B, an address and a landmark
    response = logged_in(operator).post(
        URL,
        {
            "category": "GG-BAHAYA",
            "description": "Tiang roboh di pinggir jalan",
            "reporter_phone": "081234567890",
            "address": "Jl. Sudirman",
            "landmark": "depan masjid",
            "lat": -1.2705,
            "lng": 116.8902,
        },
        content_type="application/json",
    )
    # then
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.customer is None
    assert (ticket.lat, ticket.lng) == (-1.2705, 116.8902)
    assert ticket.unit == other_ulp
    assert ticket.address == "Jl. Sudirman (depan masjid)"


def test_a_new_connection_applicant_is_placed_by_the_ulp_the_operator_chose(operator, ulp, other_ulp):
    # when
    response = logged_in(operator).post(
        URL,
        {
            "category": "LY-PB",
            "description": "Ingin pasang baru 1300 VA",
            "reporter_phone": "081234567891",
            "unit": other_ulp.code,
        },
        content_type="application/json",
    )
    # then
    assert response.status_code == 201, response.json()
    assert Ticket.objects.get().unit == other_ulp


def test_a_caller_who_cannot_be_placed_is_told_which_fields_to_fill(operator, ulp):
    # when
    response = logged_in(operator).post(
        URL,
        {"category": "LY-PB", "description": "Pasang baru", "reporter_phone": "081234567891"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 400
    assert "unit" in response.json()["extra"]["fields"]
    assert not Ticket.objects.exists()


def test_an_empty_save_answers_in_plain_indonesian_field_messages(operator):
    # when
    with translation.override("id"):
        response = logged_in(operator).post(
            URL,
            {"category": None, "description": "", "id_pelanggan": "12", "unit": "NOPE"},
            content_type="application/json",
            headers={"Accept-Language": "id"},
        )
    # then
    fields = response.json()["extra"]["fields"]
    assert response.status_code == 400
    text = " ".join(" ".join(v) for v in fields.values())
    assert "null" not in text and "Object with" not in text
    assert fields["category"] == ["Pilih kategori."]
    assert fields["description"] == ["Tulis apa yang disampaikan penelepon."]
    assert fields["id_pelanggan"] == ["ID pelanggan terdiri dari 12 angka."]
    assert fields["unit"] == ["Pilih ULP dari daftar."]


def test_half_a_pin_is_refused(operator, ulp):
    # when
    response = logged_in(operator).post(
        URL,
        {"category": "GG-BAHAYA", "description": "x", "reporter_phone": "081234567890", "lat": -1.2},
        content_type="application/json",
    )
    # then
    assert response.status_code == 400
    assert "lat" in response.json()["extra"]["fields"]


def test_an_operator_finds_a_ticket_by_number_phone_or_id_pelanggan(operator, ulp):
    # given
    customer = CustomerFactory(unit=ulp, id_pelanggan="530000000077")
    ticket = TicketFactory(unit=ulp, customer=customer, id_pelanggan="530000000077", reporter_phone="+6281299998888")
    TicketFactory(unit=ulp, reporter_phone="+6281200000000")
    client = logged_in(operator)
    # when / then
    for query in (ticket.number, "081299998888", "530000000077"):
        page = client.get("/console/tickets/", {"q": query})
        assert page.status_code == 200
        assert [t.number for t in page.context["tickets"]] == [ticket.number], query
    detail = client.get(f"/console/tickets/{ticket.number}/")
    assert detail.status_code == 200
    assert ticket.get_status_display() in detail.content.decode()
    assert client.get("/console/tickets/NOPE-1/").status_code == 404


def test_the_console_offers_every_ulp_and_a_map_centred_on_the_operators_unit(operator, ulp, other_ulp):
    # when
    page = logged_in(operator).get("/console/")
    # then
    html = page.content.decode()
    assert f'<option value="{other_ulp.code}">' in html
    assert 'id="ticket-map"' in html
    assert page.context["map_centre"] == "[-1.21, 116.87]"


def test_the_kpi_filter_renders_iso_dates_in_indonesian(supervisor):
    # when
    client = logged_in(supervisor)
    client.cookies["django_language"] = "id"
    page = client.get("/console/kpi/", {"date_from": "2026-12-01", "date_to": "2026-12-05"}, HTTP_ACCEPT_LANGUAGE="id")
    # then: a date input only takes yyyy-mm-dd
    html = page.content.decode()
    assert page.status_code == 200
    assert 'type="date" name="date_from" value="2026-12-01"' in html
    assert 'value="2026-12-05"' in html
