"""Outage communication racing on PostgreSQL: answers and thresholds under concurrent requests."""

import pytest

from dispatch import services as dispatch_services
from dispatch.models import Incident
from outages import services
from outages.models import MassOutageThreshold, RestorationCheck, WideAreaOutage
from tests.factories import CustomerFactory, category
from tests.integration.conftest import run_at_once
from tickets import services as ticket_services
from tickets.models import Ticket

pytestmark = pytest.mark.integration


def outage(customer) -> Ticket:
    ticket = ticket_services.open_ticket(
        category=category("GG-PADAM-1"),
        channel=Ticket.Channel.WEB,
        description="Listrik padam",
        reporter_phone=customer.phone,
        customer=customer,
    )
    dispatch_services.attach_to_incident(ticket=ticket)
    return ticket


def test_four_simultaneous_not_fixed_answers_open_one_linked_ticket(transactional_db, ulp, dispatcher):
    ticket = outage(CustomerFactory(unit=ulp, transformer_code="GD-R"))
    dispatch_services.restore_incident(incident=Incident.objects.get(), by=dispatcher)
    token = RestorationCheck.objects.get(ticket=ticket).token

    errors = run_at_once([lambda: services.answer_confirmation(token=token, answer="no") for _ in range(4)])

    assert errors == []
    assert Ticket.objects.filter(parent=ticket).count() == 1
    assert RestorationCheck.objects.get(ticket=ticket).answer == "no"


def test_reports_arriving_together_cross_the_threshold_once(transactional_db, ulp):
    MassOutageThreshold.objects.create(unit=ulp, min_reports=3, min_customers=10_000)
    crowd = [CustomerFactory(unit=ulp, transformer_code="GD-S", lat=-1.21, lng=116.87) for _ in range(6)]
    outage(crowd[0])

    errors = run_at_once([lambda c=c: outage(c) for c in crowd[1:]])

    assert errors == []
    assert Incident.objects.count() == 1
    wide = WideAreaOutage.objects.get()
    assert wide.active and wide.reports == 6
