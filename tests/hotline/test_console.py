"""The operator console's JSON endpoints and pages, and the supervisor's KPI page."""

import csv
import io
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.utils import timezone

from hotline import selectors
from hotline.models import Call, OperatorSeat, Violation
from tests.factories import CustomerFactory, TicketFactory, category
from tests.hotline.conftest import event
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_operator_sets_themself_ready(operator):
    # when
    response = logged_in(operator).post(
        "/api/v1/calls/operator-state/", {"state": "ready"}, content_type="application/json"
    )
    # then
    assert response.status_code == 200
    assert OperatorSeat.objects.get(user=operator).state == OperatorSeat.State.READY


def test_an_unknown_state_is_a_400(operator):
    response = logged_in(operator).post(
        "/api/v1/calls/operator-state/", {"state": "asleep"}, content_type="application/json"
    )
    assert response.status_code == 400
    assert "state" in response.json()["extra"]["fields"]


def test_a_ringing_call_pops_up_with_the_callers_customer_record_and_tickets(send, seat, operator, ulp):
    # given
    customer = CustomerFactory(unit=ulp, phone="+6281234567890", name="Siti Rahma")
    open_ticket = TicketFactory(unit=ulp, customer=customer, reporter_phone="+6281234567890")
    closed = TicketFactory(unit=ulp, customer=customer, status=Ticket.Status.CLOSED)
    send(event("ring", "pop-1", operator="2001", caller_number="0812 3456 7890"))
    # when
    response = logged_in(operator).get("/api/v1/calls/current/")
    # then
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    call = response.json()["call"]
    assert call["call_id"] == "pop-1"
    assert call["status"] == "ringing"
    assert [c["name"] for c in call["customers"]] == ["Siti Rahma"]
    assert [t["number"] for t in call["open_tickets"]] == [open_ticket.number]
    assert [t["number"] for t in call["recent_tickets"]] == [closed.number]


def test_no_call_pops_up_for_another_operator(send, seat, other_operator):
    # given
    send(event("ring", "pop-1", operator="2001", caller_number="081234567890"))
    # when
    response = logged_in(other_operator).get("/api/v1/calls/current/")
    # then
    assert response.json()["call"] is None


def test_an_ended_call_no_longer_pops_up(send, seat, operator):
    # given
    send(event("ring", "pop-1", operator="2001"))
    send(event("hangup", "pop-1", ended_by="caller"))
    # when
    response = logged_in(operator).get("/api/v1/calls/current/")
    # then
    assert response.json()["call"] is None


def test_the_console_endpoints_are_for_call_centre_staff_only(outsider, technician_user):
    # then
    assert logged_in(outsider).get("/api/v1/calls/current/").status_code == 403
    assert logged_in(technician_user).get("/api/v1/calls/customers/?q=Siti").status_code == 403
    assert Client().get("/api/v1/calls/current/").status_code in {401, 403}


@pytest.mark.parametrize(
    "query",
    ["530000000042", "14000000077", "Rahma", "0812 3456 7890", "+6281234567890"],
)
def test_search_finds_the_customer_by_id_pelanggan_meter_name_or_phone(operator, ulp, query):
    # given
    CustomerFactory(
        unit=ulp, id_pelanggan="530000000042", meter_number="14000000077", name="Siti Rahma", phone="+6281234567890"
    )
    CustomerFactory(unit=ulp, name="Budi Santoso")
    # when
    response = logged_in(operator).get("/api/v1/calls/customers/", {"q": query})
    # then
    assert response.status_code == 200
    assert [c["id_pelanggan"] for c in response.json()["customers"]] == ["530000000042"]


def test_an_operator_logs_a_ticket_linked_to_the_call(send, seat, operator, ulp):
    # given
    customer = CustomerFactory(unit=ulp, phone="+6281234567890")
    send(event("ring", "t-1", operator="2001", caller_number="081234567890"))
    call = Call.objects.get()
    # when
    response = logged_in(operator).post(
        "/api/v1/calls/tickets/",
        {
            "call": call.pk,
            "category": "GG-PADAM-1",
            "description": "Listrik padam satu rumah",
            "id_pelanggan": customer.id_pelanggan,
        },
        content_type="application/json",
        headers={"Idempotency-Key": "console-1"},
    )
    # then
    assert response.status_code == 201, response.json()
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.channel == Ticket.Channel.PHONE
    assert ticket.created_by == operator
    assert ticket.customer == customer
    assert ticket.reporter_phone == "+6281234567890"
    assert list(call.tickets.all()) == [ticket]


def test_logging_the_same_ticket_twice_with_one_key_opens_one_ticket(operator, ulp):
    # given
    CustomerFactory(unit=ulp, id_pelanggan="530000000042")
    body = {
        "category": "TG-LONJAK",
        "description": "Tagihan naik",
        "id_pelanggan": "530000000042",
        "reporter_phone": "081234567890",
    }
    client = logged_in(operator)
    # when
    first = client.post(
        "/api/v1/calls/tickets/", body, content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    second = client.post(
        "/api/v1/calls/tickets/", body, content_type="application/json", headers={"Idempotency-Key": "k"}
    )
    # then
    assert (first.status_code, second.status_code) == (201, 200)
    assert Ticket.objects.count() == 1


def test_a_ticket_without_description_or_phone_is_a_400_with_fields(operator):
    # when
    response = logged_in(operator).post(
        "/api/v1/calls/tickets/", {"category": "GG-PADAM-1"}, content_type="application/json"
    )
    # then
    assert response.status_code == 400
    assert "description" in response.json()["extra"]["fields"]
    assert not Ticket.objects.exists()


def test_an_operator_cannot_link_a_ticket_to_another_operators_call(send, seat, other_operator):
    # given
    send(event("ring", "t-1", operator="2001", caller_number="081234567890"))
    call = Call.objects.get()
    # when
    response = logged_in(other_operator).post(
        "/api/v1/calls/tickets/",
        {"call": call.pk, "category": "GG-PADAM-1", "description": "x", "reporter_phone": "081234567890"},
        content_type="application/json",
    )
    # then
    assert response.status_code == 404
    assert not Ticket.objects.exists()


def test_the_incident_wrapper_returns_nothing_where_no_incident_is_open(db):
    # then
    assert selectors.incidents_near(lat=-1.2, lng=116.8) == []


def test_the_incident_wrapper_passes_on_what_outages_finds_near_the_caller(monkeypatch):
    # given: outages answers with an incident (the real look-up is tested in tests/dispatch/test_incidents.py)
    from outages import selectors as outage_selectors

    monkeypatch.setattr(
        outage_selectors,
        "incidents_near",
        lambda *, lat, lng, radius_m: [{"id": 7, "title": "Gardu GD-01 padam", "status": "open", "eta": None}],
    )
    # when
    found = [selectors.incident_summary(i) for i in selectors.incidents_near(lat=-1.2, lng=116.8)]
    # then
    assert found == [{"id": 7, "title": "Gardu GD-01 padam", "status": "open", "estimated_restore_at": None}]


def test_the_console_still_pops_up_when_the_incident_look_up_fails(monkeypatch):
    # given
    from outages import selectors as outage_selectors

    def broken(**kwargs):
        raise RuntimeError("look-up failed")

    monkeypatch.setattr(outage_selectors, "incidents_near", broken)
    # then
    assert selectors.incidents_near(lat=-1.2, lng=116.8) == []


def test_the_console_page_renders_for_an_operator_and_not_for_an_outsider(operator, outsider):
    # then
    response = logged_in(operator).get("/console/")
    assert response.status_code == 200
    assert b'id="call-pop"' in response.content
    assert logged_in(outsider).get("/console/").status_code == 403


def answered(operator, *, at, answer_after: float, talk: float = 60, ended_by="caller", tickets=0, ulp=None):
    call = Call.objects.create(
        pbx_call_id=f"k-{at.timestamp()}-{answer_after}",
        operator=operator,
        unit=ulp,
        rang_at=at,
        answered_at=at + timedelta(seconds=answer_after),
        ended_at=at + timedelta(seconds=answer_after + talk),
        ended_by=ended_by,
        status=Call.Status.ENDED,
    )
    for _ in range(tickets):
        call.tickets.add(TicketFactory(unit=ulp, category=category("GG-PADAM-1")))
    return call


def test_kpis_per_operator_count_offered_answered_abandoned_asa_aht_and_hang_ups(operator, supervisor, ulp):
    # given
    at = timezone.now() - timedelta(hours=1)
    answered(operator, at=at, answer_after=5, talk=100, tickets=1, ulp=ulp)
    answered(operator, at=at, answer_after=20, talk=200, ended_by="operator", ulp=ulp)
    Call.objects.create(
        pbx_call_id="abandoned",
        operator=operator,
        unit=ulp,
        rang_at=at,
        ended_at=at + timedelta(seconds=30),
        ended_by="caller",
        status=Call.Status.ABANDONED,
    )
    Call.objects.create(
        pbx_call_id="short",
        operator=operator,
        unit=ulp,
        rang_at=at,
        ended_at=at + timedelta(seconds=2),
        ended_by="caller",
        status=Call.Status.ABANDONED,
    )
    start, end = at - timedelta(hours=1), at + timedelta(hours=1)
    # when
    groups = selectors.call_kpis(viewer=supervisor, start=start, end=end)
    # then
    row = groups["operator"][0]
    assert (row.offered, row.answered, row.abandoned, row.hang_ups) == (4, 2, 1, 1)
    assert row.share_in_time == 0.5
    assert row.asa == 12.5
    assert row.aht == 150
    assert row.tickets_per_call == 0.5
    assert groups["unit"][0].offered == 4


def test_kpis_are_limited_to_the_supervisors_units(operator, far_supervisor, ulp):
    # given
    answered(operator, at=timezone.now() - timedelta(hours=1), answer_after=5, ulp=ulp)
    # when
    groups = selectors.call_kpis(viewer=far_supervisor, start=timezone.now() - timedelta(days=1), end=timezone.now())
    # then
    assert groups["operator"] == []


def test_the_kpi_page_filters_by_date_and_exports_csv(operator, supervisor, ulp):
    # given
    rang = timezone.now() - timedelta(minutes=30)
    # the call's own date where the supervisor is (the page's zone is their unit's: WITA here, an hour ahead of the
    # server's WIB), also in the half hour after midnight
    today = timezone.localdate(rang, ZoneInfo(supervisor.staff_profile.unit.time_zone))
    answered(operator, at=rang, answer_after=5, ulp=ulp)
    client = logged_in(supervisor)
    # when
    page = client.get("/console/kpi/", {"date_from": today, "date_to": today})
    export = client.get("/console/kpi/", {"date_from": today, "date_to": today, "format": "csv"})
    empty = client.get("/console/kpi/", {"date_from": today - timedelta(days=9), "date_to": today - timedelta(days=8)})
    # then
    assert page.status_code == 200
    assert b"bar-fill" in page.content
    rows = list(csv.DictReader(io.StringIO(export.content.decode())))
    operator_rows = [r for r in rows if r["group"] == "operator"]
    assert operator_rows[0]["offered"] == "1"
    assert operator_rows[0]["share_in_time"] == "1.0"
    assert b"bar-fill" not in empty.content


def test_the_kpi_page_refuses_a_reversed_range_and_operators(operator, supervisor):
    # then
    today = timezone.localdate()
    bad = logged_in(supervisor).get("/console/kpi/", {"date_from": today, "date_to": today - timedelta(days=2)})
    assert bad.status_code == 400
    assert logged_in(operator).get("/console/kpi/").status_code == 403


def test_a_supervisor_reviews_a_hang_up_on_the_violations_page(send, seat, operator, supervisor):
    # given
    rang = timezone.now() - timedelta(minutes=5)
    send(event("ring", "h", operator="2001", at=rang))
    send(event("answer", "h", operator="2001", at=rang + timedelta(seconds=3)))
    send(event("hangup", "h", ended_by="operator", at=rang + timedelta(seconds=30)))
    violation = Violation.objects.get()
    client = logged_in(supervisor)
    # when
    page = client.get("/console/violations/")
    response = client.post(f"/console/violations/{violation.pk}/review/", {"decision": "dismiss", "note": "ok"})
    # then
    assert f'id="violation-{violation.pk}"'.encode() in page.content
    assert response.status_code == 302
    violation.refresh_from_db()
    assert violation.status == Violation.Status.DISMISSED


def test_the_review_api_refuses_a_supervisor_of_another_unit(send, seat, far_supervisor):
    # given
    send(event("ring", "h", operator="2001"))
    send(event("answer", "h", operator="2001"))
    send(event("hangup", "h", ended_by="operator"))
    violation = Violation.objects.get()
    # when
    response = logged_in(far_supervisor).post(
        f"/api/v1/calls/violations/{violation.pk}/review/", {"decision": "confirm"}, content_type="application/json"
    )
    # then
    assert response.status_code == 404
    violation.refresh_from_db()
    assert violation.status == Violation.Status.SUSPECTED


def test_the_console_speaks_indonesian_by_default_and_english_on_request(operator):
    # given
    client = logged_in(operator)
    # when
    indonesian = client.get("/console/").content.decode()
    client.cookies["sigap_language"] = "en"
    english = client.get("/console/").content.decode()
    # then
    assert "Konsol operator" in indonesian
    assert "Catat tiket" in indonesian
    assert "Operator console" in english


def test_a_warning_letter_prints_for_its_supervisor_and_operator_but_not_another_unit(
    operator, supervisor, far_supervisor
):
    # given
    from hotline import services
    from hotline.models import WarningLetterRule

    WarningLetterRule.objects.filter(level=0).update(active=False)  # straight to SP1 for this test
    WarningLetterRule.objects.filter(level=1).update(violations=1)
    call = Call.objects.create(pbx_call_id="p", operator=operator, rang_at=timezone.now())
    Violation.objects.create(
        call=call, operator=operator, kind="hang_up", status="confirmed", occurred_at=timezone.now()
    )
    letter = services.issue_warning_letter_if_due(operator=operator)
    url = f"/console/letters/{letter.pk}/"
    # when
    page = logged_in(supervisor).get(url)
    # then
    assert page.status_code == 200
    assert "SURAT PERINGATAN SP1" in page.content.decode()
    assert logged_in(operator).get(url).status_code == 200
    assert logged_in(far_supervisor).get(url).status_code == 404


def test_polling_for_the_current_call_stays_cheap(send, seat, operator, ulp, django_assert_max_num_queries):
    # given a ringing call from a customer with tickets
    customer = CustomerFactory(unit=ulp, phone="+6281234567890")
    for _ in range(3):
        TicketFactory(unit=ulp, customer=customer, reporter_phone="+6281234567890")
    send(event("ring", "cheap", operator="2001", caller_number="081234567890"))
    client = logged_in(operator)
    # when / then: session, user, roles, seat, call, customers, open and recent tickets, linked tickets,
    # open outage incidents near the customer, the area's wide-area and planned outages (3 when cold, then
    # served from the cache per unit)
    with django_assert_max_num_queries(13):
        response = client.get("/api/v1/calls/current/")
    assert len(response.json()["call"]["open_tickets"]) == 3
