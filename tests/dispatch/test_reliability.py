"""SAIDI / SAIFI records: a restored incident counts its customers affected; its tickets are not counted again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from dispatch import services
from dispatch.models import Incident
from reports import selectors as report_selectors
from tests.factories import CustomerFactory
from tickets import services as ticket_services
from tickets.models import Ticket

WITA = ZoneInfo("Asia/Makassar")
START = datetime(2026, 11, 3, 8, 0, tzinfo=WITA)


def test_a_restored_incident_is_one_record_with_its_customers_and_lone_tickets_still_count(
    ulp, report_outage, dispatcher
):
    # given: 40 customers on gardu GD-9; two of them report, the incident is restored after 90 min
    customers = [CustomerFactory(unit=ulp, transformer_code="GD-9") for _ in range(40)]
    with time_machine.travel(START, tick=False):
        incident = None
        for customer in customers[:2]:
            incident = services.attach_to_incident(ticket=report_outage(0, customer=customer))
    with time_machine.travel(START + timedelta(minutes=90), tick=False):
        services.restore_incident(incident=incident, by=dispatcher, cause="fuse")
    # and an outage ticket that never became an incident, 30 min long
    lone = CustomerFactory(unit=ulp, transformer_code="GD-10")
    with time_machine.travel(START + timedelta(days=1), tick=False):
        ticket = report_outage(5000, customer=lone)
    with time_machine.travel(START + timedelta(days=1, minutes=30), tick=False):
        ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.RESTORED)
    # when
    records = report_selectors.interruption_records(
        unit_ids=[ulp.pk], start_at=START - timedelta(days=1), end_at=START + timedelta(days=5)
    )
    # then
    assert Incident.objects.get().customers_affected == 40
    assert sorted((r.customers_interrupted, r.minutes) for r in records) == [(1, 30), (40, 90)]


def test_without_incidents_the_records_come_from_tickets(ulp, report_outage):
    # given
    customer = CustomerFactory(unit=ulp)
    with time_machine.travel(START, tick=False):
        ticket = report_outage(0, customer=customer)
    with time_machine.travel(START + timedelta(minutes=45), tick=False):
        ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.RESTORED)
    # when
    records = report_selectors.interruption_records(
        unit_ids=[ulp.pk], start_at=START - timedelta(days=1), end_at=START + timedelta(days=1)
    )
    # then
    assert [(r.customers_interrupted, r.minutes) for r in records] == [(1, pytest.approx(45))]
