import pytest

from tests.factories import TicketFactory
from tickets import services

pytestmark = pytest.mark.django_db


def test_tracking_by_number_and_phone_shows_the_public_timeline_only(api_client, ulp, operator):
    # given
    ticket = TicketFactory(unit=ulp, reporter_phone="+6281234567890")
    services.add_note(ticket=ticket, author=operator, message="SECRET internal remark")
    services.add_note(ticket=ticket, author=operator, message="Regu menuju lokasi", public=True)
    # when
    response = api_client.post("/api/v1/track/", {"number": ticket.number, "phone": "0812-3456-7890"}, format="json")
    # then
    assert response.status_code == 200
    body = response.content.decode()
    assert "Regu menuju lokasi" in body
    assert "SECRET" not in body
    assert "6281234567890" not in body and "reporter" not in body


@pytest.mark.parametrize("which", ["number", "phone", "both"])
def test_wrong_number_or_phone_answers_the_same_not_found(api_client, ulp, which):
    ticket = TicketFactory(unit=ulp, reporter_phone="+6281234567890")
    other = TicketFactory(unit=ulp)
    number = other.number if which in ("number", "both") else ticket.number
    phone = "081299999999" if which in ("phone", "both") else "081234567890"
    response = api_client.post("/api/v1/track/", {"number": number, "phone": phone}, format="json")
    assert response.status_code == 404
    assert response.json()["message"] == "No ticket matches this number and phone number."


def test_token_link_opens_the_ticket_and_a_guess_does_not(api_client, client, ulp):
    ticket = TicketFactory(unit=ulp)
    assert api_client.get(f"/api/v1/track/{ticket.tracking_token}/").json()["number"] == ticket.number
    assert api_client.get("/api/v1/track/guessed-token/").status_code == 404
    assert client.get(f"/t/{ticket.tracking_token}/").status_code == 200
    assert client.get("/t/guessed-token/").status_code == 404


def test_tracking_page_hides_internal_notes(client, ulp, operator):
    ticket = TicketFactory(unit=ulp)
    services.add_note(ticket=ticket, author=operator, message="SECRET internal remark")
    page = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert ticket.number in page
    assert "SECRET" not in page


def test_tracking_lookup_page_redirects_to_the_ticket(client, ulp):
    ticket = TicketFactory(unit=ulp, reporter_phone="+6281234567890")
    response = client.post("/lacak/", {"number": ticket.number, "phone": "081234567890"})
    assert response.status_code == 302 and response["Location"] == f"/t/{ticket.tracking_token}/"
    miss = client.post("/lacak/", {"number": ticket.number, "phone": "081200000000"})
    assert miss.status_code == 404
    assert "Tidak ada laporan dengan nomor dan nomor telepon ini." in miss.content.decode()
