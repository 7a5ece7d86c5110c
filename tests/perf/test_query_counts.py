"""Every staff list page and list endpoint costs the same number of queries for 3 rows as for 30.

Each case is measured twice over the real views: once with a few rows, once after many more rows (with
their events, owners, referrals, outbox rows) were added. An N+1 makes the second count larger; the bound
keeps the first honest. Big lists never count their rows (no ``COUNT(*)`` over the tickets).
"""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from hotline.models import Call, Violation
from notifications.models import Feedback, SurveyResponse
from tests.factories import CustomerFactory, category
from tickets import numbering, services
from tickets.models import Escalation, Ticket
from tickets.sla import services as sla_services

pytestmark = pytest.mark.django_db


def fresh(user):
    """An API client for a fresh copy of ``user``: what each real request pays (roles, units) is counted."""
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(get_user_model().objects.get(pk=user.pk))
    return client


def queries(fetch) -> tuple[int, list[str]]:
    with CaptureQueriesContext(connection) as captured:
        response = fetch()
    assert response.status_code == 200, response.content[:500]
    return len(captured), [q["sql"] for q in captured.captured_queries]


def open_back_office(unit, n: int, *, worker=None, customer=None) -> list[Ticket]:
    """Back-office tickets in every queue state: new, claimed, waiting, referred, with an escalation."""
    made = []
    for index in range(n):
        ticket = services.open_ticket(
            category=category("TG-LONJAK" if index % 2 else "LY-PB"),
            channel=Ticket.Channel.PHONE,
            description="Tagihan naik",
            reporter_phone=f"0812555{index:05d}",
            unit=unit,
            customer=customer,
        )
        if worker is not None and index % 3:
            ticket = sla_services.claim_ticket(ticket=ticket, user=worker)
            if index % 3 == 2:
                ticket = sla_services.ask_customer(ticket=ticket, user=worker, message="Mohon kirim foto meter")
        if index % 4 == 0:
            sla_services.record_referral(
                ticket=ticket,
                body="ombudsman",
                reference=f"OMB-{ticket.pk}",
                raised_on=date.today(),
                deadline=date.today() + timedelta(days=14),
            )
        if index % 5 == 0:
            Escalation.objects.create(
                ticket=ticket, level="ulp", deadline="resolution", unit=unit, due_at=timezone.now()
            )
        made.append(ticket)
    return made


def open_outages(unit, n: int, *, customer=None) -> list[Ticket]:
    return [
        services.open_ticket(
            category=category("GG-PADAM-1"),
            channel=Ticket.Channel.WEB,
            description="Padam",
            reporter_phone="081234567890",
            unit=unit,
            customer=customer,
        )
        for _ in range(n)
    ]


def assert_flat(measure, grow, *, at_most: int, name: str) -> None:
    measure()  # a running server has its caches warm (the unit tree)
    few, _ = measure()
    grow()
    many, sql = measure()
    assert many == few, f"{name}: {few} queries with few rows, {many} with many (N+1?)"
    assert many <= at_most, f"{name}: {many} queries, at most {at_most} allowed"
    counted = [q for q in sql if "COUNT(" in q.upper() and "tickets_ticket" in q]
    assert not counted, f"{name} counts the tickets: {counted}"


@pytest.mark.parametrize("queue", ["open", "unclaimed", "mine", "waiting", "referred"])
def test_back_office_queue_pages(client, back_office, ulp, queue):
    open_back_office(ulp, 3, worker=back_office)
    client.force_login(back_office)
    assert_flat(
        lambda: queries(lambda: client.get("/backoffice/", {"queue": queue})),
        lambda: open_back_office(ulp, 30, worker=back_office),
        at_most=7,
        name=f"back-office queue {queue}",
    )


def test_back_office_queue_pages_on_without_counting(client, back_office, ulp):
    open_back_office(ulp, 55)
    client.force_login(back_office)
    first = client.get("/backoffice/").content.decode()
    second = client.get("/backoffice/", {"page": 2}).content.decode()
    assert "page=2" in first and "page=1" in second
    assert second.count('class="priority-') == 5


def test_escalation_list(client, supervisor, ulp, back_office):
    open_back_office(ulp, 5)
    client.force_login(supervisor)
    assert_flat(
        lambda: queries(lambda: client.get("/backoffice/escalations/")),
        lambda: open_back_office(ulp, 30),
        at_most=5,
        name="escalations",
    )


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": ["received", "in_progress"]},
        {"kind": "technical", "unit": "ULP-TEST-A"},
        {"category": "TG-LONJAK", "channel": "phone"},
        {"phone": "081234567890"},
        {"created_after": "2000-01-01T00:00:00Z", "page_size": 10},
    ],
)
def test_ticket_list_api(supervisor, ulp, other_ulp, params):
    customer = CustomerFactory(unit=ulp)
    open_outages(ulp, 2, customer=customer)
    open_back_office(other_ulp, 2)
    assert_flat(
        lambda: queries(lambda: fresh(supervisor).get("/api/v1/tickets/", params)),
        lambda: (open_outages(ulp, 15, customer=customer), open_back_office(ulp, 15)),
        at_most=4,
        name=f"ticket list {params}",
    )


def test_ticket_list_api_next_page(supervisor, ulp):
    open_outages(ulp, 12)
    following = fresh(supervisor).get("/api/v1/tickets/", {"page_size": 5}).json()["next"]
    assert_flat(
        lambda: queries(lambda: fresh(supervisor).get(following)),
        lambda: open_outages(ulp, 20),
        at_most=4,
        name="ticket list, second page",
    )


def test_tracking_page_and_api_do_not_grow_with_the_timeline(client, api_client, ulp, dispatcher):
    ticket = open_outages(ulp, 1)[0]
    services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)

    def grow():
        for step in ("on_the_way", "in_progress"):
            services.change_status(ticket=ticket, to_status=step, actor=dispatcher)
        for index in range(10):
            services.add_note(ticket=ticket, author=dispatcher, message=f"Update {index}", public=True)

    def measure():
        return [
            queries(lambda: client.get(f"/t/{ticket.tracking_token}/"))[0],
            queries(lambda: api_client.get(f"/api/v1/track/{ticket.tracking_token}/"))[0],
            queries(lambda: client.get(f"/t/{ticket.tracking_token}/status.json"))[0],
        ]

    few = measure()
    grow()
    many = measure()
    # when the work is done the page also asks whether the survey was answered: one more, still flat
    services.change_status(ticket=ticket, to_status="restored", actor=dispatcher)
    done = measure()
    assert many == few
    assert many[0] <= 2 and many[1] <= 2 and many[2] <= 3
    assert done[0] <= 3 and done[2] <= 4


def test_caller_search(operator, ulp):
    customer = CustomerFactory(unit=ulp, phone="+6281299990000")
    open_outages(ulp, 2, customer=customer)
    assert_flat(
        lambda: queries(lambda: fresh(operator).get("/api/v1/calls/customers/", {"q": customer.id_pelanggan})),
        lambda: (open_outages(ulp, 15, customer=customer), open_back_office(ulp, 10, customer=customer)),
        at_most=6,
        name="caller search",
    )


def test_violation_list(client, supervisor, operator, ulp):
    def violations(n: int, offset: int):
        for index in range(n):
            occurred = timezone.now() - timedelta(days=index % 20)
            call = Call.objects.create(
                pbx_call_id=f"perf-{offset + index}",
                operator=operator,
                unit=ulp,
                rang_at=occurred,
                answered_at=occurred,
            )
            Violation.objects.create(
                call=call,
                operator=operator,
                kind=Violation.Kind.HANG_UP,
                status=Violation.Status.SUSPECTED if index % 2 else Violation.Status.CONFIRMED,
                occurred_at=occurred,
                confirmed_at=occurred,
            )

    violations(2, 0)
    client.force_login(supervisor)
    assert_flat(
        lambda: queries(lambda: client.get("/console/violations/")),
        lambda: violations(20, 100),
        at_most=6,
        name="violations",
    )


def test_feedback_report(client, supervisor, ulp):
    def rows(n: int):
        for ticket in open_outages(ulp, n):
            SurveyResponse.objects.create(ticket=ticket, unit=ulp, rating=4, comment="Cepat")
            Feedback.objects.create(ticket=ticket, unit=ulp, kind="saran", message="Info lebih cepat")

    rows(2)
    client.force_login(supervisor)
    assert_flat(
        lambda: queries(lambda: client.get("/reports/feedback/")),
        lambda: rows(15),
        at_most=8,
        name="feedback report",
    )


def test_the_written_out_list_row_is_what_the_generic_serializer_gives(ulp, dispatcher):
    from rest_framework import serializers as drf

    from tickets.api.serializers import TicketSummarySerializer

    class Generic(TicketSummarySerializer):
        pass

    tickets = open_outages(ulp, 2) + open_back_office(ulp, 1)
    services.change_status(ticket=tickets[0], to_status="assigned", actor=dispatcher)
    for ticket in Ticket.objects.filter(pk__in=[t.pk for t in tickets]):
        assert TicketSummarySerializer(ticket).data == Generic(ticket).data
        assert isinstance(Generic(ticket), drf.ModelSerializer)


REFERENCE_TABLES = ("tickets_category", "tickets_serviceunit", "tickets_serviceleveltarget", "tickets_publicholiday")


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        # PostgreSQL: the customer, the contact choices, one statement writing the ticket, its "opened" event,
        # its service-level clock and its outbox row (core/sql.py), the ticket's audit entry (the public's
        # "opened" event has none of its own, config/audit.py). SQLite writes those four rows one by one.
        # The number comes from the block of the sequence the process holds (tickets/numbering.py).
        ("TG-LONJAK", {"postgresql": 4, "sqlite": 7}),
        # ... plus the planned-outage check; nothing after the commit (the relay publishes the routing)
        ("GG-PADAM-1", {"postgresql": 5, "sqlite": 8}),
    ],
)
def test_public_intake_costs_a_fixed_handful_of_statements(
    api_client, ulp, code, expected, settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_RELAY = True
    customer = CustomerFactory(unit=ulp)

    def report(key: str):
        body = {
            "category": code,
            "description": "Listrik padam sejak sore",
            "reporter_phone": "081234567890",
            "id_pelanggan": customer.id_pelanggan,
        }
        response = api_client.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY=key)
        assert response.status_code == 201, response.content[:500]

    numbering._drawn.clear()  # the warm-up draws a fresh block of numbers: the measured report takes the next
    report("warm-up")  # a running server holds the reference tables (tickets/reference.py) and numbers
    with CaptureQueriesContext(connection) as captured, django_capture_on_commit_callbacks() as callbacks:
        report("measured")
    after_commit = [getattr(callback, "__qualname__", repr(callback)) for callback in callbacks]
    sql = [q["sql"] for q in captured.captured_queries if not q["sql"].upper().startswith(("SAVEPOINT", "RELEASE"))]
    # SQLite numbers tickets with a counter row (update, read) where PostgreSQL draws blocks of a sequence
    allowed = expected[connection.vendor] + (2 if connection.vendor == "sqlite" else 0)
    assert len(sql) == allowed, "\n".join(sql)
    assert after_commit == [], "with the relay the request publishes nothing after its commit"
    read_again = [q for q in sql if any(f'FROM "{table}"' in q for table in REFERENCE_TABLES)]
    assert not read_again, read_again
    assert not [q for q in sql if q.startswith("SELECT") and '"idempotency_key"' in q.split("WHERE")[-1]]
