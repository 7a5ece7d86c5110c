"""The service-level sweep on the real stack: Celery worker on Redis, PostgreSQL, run twice."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from tests.factories import ServiceUnitFactory, category
from tests.integration.conftest import tasks_succeeded, wait_for
from tickets import services
from tickets.models import Escalation, Ticket, TicketEvent
from tickets.sla.tasks import check_service_levels

pytestmark = pytest.mark.integration


def test_the_worker_breaches_and_escalates_an_unanswered_outage_once(celery_worker, transactional_db):
    # given an outage report opened two and a half hours ago that nobody answered
    up3 = ServiceUnitFactory(code="UP3-INT", name="UP3 Int", level="UP3")
    ulp = ServiceUnitFactory(code="ULP-INT", name="ULP Int", parent=up3)
    with time_machine.travel(timezone.now() - timedelta(hours=2, minutes=30), tick=False):
        ticket = services.open_ticket(
            category=category("GG-PADAM-1"),
            channel=Ticket.Channel.PHONE,
            description="Padam",
            reporter_phone="081234567890",
            unit=ulp,
        )
    # when the beat task is sent twice
    check_service_levels.delay()
    check_service_levels.delay()
    # then the worker records the breach and both escalation levels, each once
    escalated = wait_for(lambda: Escalation.objects.filter(ticket=ticket, level=Escalation.Level.UP3).exists())
    assert escalated, celery_worker()
    # and once both runs have finished (the worker's log says so), nothing was recorded twice
    both = wait_for(lambda: tasks_succeeded(celery_worker, "tickets.check_service_levels") >= 2, timeout=30)
    assert both, celery_worker()
    assert ticket.events.filter(kind=TicketEvent.Kind.BREACH).count() == 1
    assert sorted(Escalation.objects.filter(ticket=ticket).values_list("level", flat=True)) == ["ulp", "up3"]
