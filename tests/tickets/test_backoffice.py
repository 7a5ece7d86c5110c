"""Back-office pages: the ULP queue, claiming, asking the customer, resolving, request details, referrals."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.factories import category
from tickets import selectors, services
from tickets.models import Escalation, Ticket, TicketEvent
from tickets.sla import services as sla_services

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")


def open_ticket(code: str, unit) -> Ticket:
    return services.open_ticket(
        category=category(code),
        channel=Ticket.Channel.PHONE,
        description="Tagihan bulan ini naik dua kali lipat",
        reporter_phone="081234567890",
        unit=unit,
    )


def test_the_queue_shows_non_outage_tickets_of_my_ulp_only(client, back_office, ulp, other_ulp):
    # given
    mine = open_ticket("TG-LONJAK", ulp)
    outage = open_ticket("GG-PADAM-1", ulp)
    elsewhere = open_ticket("TG-LONJAK", other_ulp)
    client.force_login(back_office)
    # when
    page = client.get("/backoffice/").content.decode()
    # then
    assert mine.number in page
    assert outage.number not in page
    assert elsewhere.number not in page
    assert client.get(f"/backoffice/t/{elsewhere.number}/").status_code == 404


def test_an_operator_cannot_open_the_back_office(client, operator):
    client.force_login(operator)
    assert client.get("/backoffice/").status_code == 403


def test_claim_ask_resume_and_resolve_with_a_public_answer(client, back_office, ulp):
    # given
    ticket = open_ticket("TG-LONJAK", ulp)
    client.force_login(back_office)
    url = f"/backoffice/t/{ticket.number}/"
    # when
    client.post(url, {"action": "claim"})
    client.post(url, {"action": "ask", "ask-message": "Mohon kirim foto angka meter"})
    ticket.refresh_from_db()
    waiting = ticket.status
    client.post(url, {"action": "resume"})
    response = client.post(url, {"action": "resolve", "resolve-answer": "Tagihan dikoreksi, selisih dikembalikan"})
    # then
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert waiting == Ticket.Status.WAITING_CUSTOMER
    assert ticket.status == Ticket.Status.RESOLVED
    assert ticket.service_level.owner == back_office
    public = [e.message for e in selectors.public_events(ticket)]
    assert "Mohon kirim foto angka meter" in public
    assert "Tagihan dikoreksi, selisih dikembalikan" in public
    assert len(ticket.service_level.pauses) == 1


def test_asking_the_customer_without_a_message_is_refused_with_a_field_message(client, back_office, ulp):
    ticket = open_ticket("TG-LONJAK", ulp)
    client.force_login(back_office)
    client.post(f"/backoffice/t/{ticket.number}/", {"action": "claim"})
    response = client.post(f"/backoffice/t/{ticket.number}/", {"action": "ask", "ask-message": ""})
    assert response.status_code == 400
    assert 'id="field-message"' in response.content.decode()
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS


def test_a_power_change_request_carries_its_fields_and_document_checklist(client, back_office, ulp):
    ticket = open_ticket("LY-PD", ulp)
    client.force_login(back_office)
    url = f"/backoffice/t/{ticket.number}/"
    page = client.get(url).content.decode()
    assert 'name="request-documents_received"' in page
    response = client.post(
        url,
        {
            "action": "request",
            "request-requested_power_va": "2200",
            "request-tariff": "R-1/TR",
            "request-programme_code": "superwow",
            "request-network_work": "none",
            "request-documents_received": ["ktp", "slo"],
        },
    )
    assert response.status_code == 302
    detail = ticket.service_request
    assert (detail.requested_power_va, detail.programme_code, detail.documents_received) == (
        2200,
        "SUPERWOW",
        ["ktp", "slo"],
    )
    bad = client.post(url, {"action": "request", "request-requested_power_va": "1000", "request-tariff": "R-1/TR"})
    assert bad.status_code == 400


def test_a_referral_to_the_ombudsman_makes_the_ticket_urgent_and_lists_it(client, back_office, ulp):
    ticket = open_ticket("PE-SIKAP", ulp)
    client.force_login(back_office)
    response = client.post(
        f"/backoffice/t/{ticket.number}/",
        {
            "action": "referral",
            "referral-body": "ombudsman",
            "referral-reference": "ORI-KT/0123/2026",
            "referral-raised_on": "2026-11-20",
            "referral-deadline": "2026-12-04",
        },
    )
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.priority == Ticket.Priority.URGENT
    assert ticket.number in client.get("/backoffice/", {"queue": "referred"}).content.decode()
    again = client.post(
        f"/backoffice/t/{ticket.number}/",
        {
            "action": "referral",
            "referral-body": "ombudsman",
            "referral-reference": "X",
            "referral-raised_on": "2026-11-20",
            "referral-deadline": "2026-11-01",
        },
    )
    assert again.status_code == 400
    assert ticket.referrals.count() == 1


def test_escalations_appear_on_the_supervisors_page_and_can_be_acknowledged(client, ulp, ulp_supervisor):
    # given an outage report nobody answered for over an hour
    opened = datetime(2026, 11, 25, 9, 0, tzinfo=WITA)
    with time_machine.travel(opened, tick=False):
        ticket = open_ticket("GG-PADAM-1", ulp)
    sla_services.check_service_levels(now=opened + timedelta(minutes=65))
    client.force_login(ulp_supervisor)
    # when
    page = client.get("/backoffice/escalations/").content.decode()
    escalation = Escalation.objects.get(ticket=ticket, level=Escalation.Level.ULP)
    client.post(f"/backoffice/escalations/{escalation.pk}/acknowledge/")
    # then
    assert ticket.number in page
    escalation.refresh_from_db()
    assert escalation.acknowledged_by == ulp_supervisor
    assert ticket.events.filter(kind=TicketEvent.Kind.ESCALATION, is_public=False).exists()


def test_a_ticket_in_the_other_ulp_cannot_be_worked(client, back_office, other_ulp):
    ticket = open_ticket("TG-LONJAK", other_ulp)
    client.force_login(back_office)
    assert client.post(f"/backoffice/t/{ticket.number}/", {"action": "claim"}).status_code == 404
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.RECEIVED
