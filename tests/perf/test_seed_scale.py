"""The benchmark data set builder (``manage.py seed_scale``), run tiny."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Max

from notifications.models import Notification
from tests.factories import category
from tickets import services, workflow
from tickets.models import Customer, ServiceUnit, Ticket, TicketEvent
from tickets.numbering import normalize_ticket_number
from tickets.sla.models import TicketServiceLevel

pytestmark = pytest.mark.django_db


def seed(**sizes) -> str:
    out = StringIO()
    options = {
        "tickets": 400,
        "customers": 60,
        "ulps": 5,
        "days": 30,
        "chunk": 150,
        "technicians": 20,
        "incidents": 40,
        **sizes,
    }
    call_command("seed_scale", *[f"--{k}={v}" for k, v in options.items()], stdout=out)
    return out.getvalue()


def test_it_builds_the_requested_sizes_with_a_realistic_shape():
    # when
    output = seed()
    # then
    assert "done" in output
    ulps = ServiceUnit.objects.filter(code__startswith="SC-ULP-")
    assert ulps.count() == 5
    assert ServiceUnit.objects.filter(code__startswith="SC-UP3-").count() == 1
    assert Customer.objects.filter(unit__in=ulps).count() == 60
    tickets = Ticket.objects.filter(unit__in=ulps)
    assert tickets.count() == 400
    assert set(tickets.values_list("kind", flat=True)) == {"technical", "back_office", "feedback"}
    statuses = set(tickets.values_list("status", flat=True))
    assert {"closed", "received"} <= statuses and len(statuses) >= 5
    assert 0.5 < tickets.filter(customer__isnull=False).count() / 400 < 0.9
    assert tickets.filter(restored_at__isnull=False, kind="technical").exists()


def test_every_ticket_has_a_consistent_timeline_and_outbox():
    seed()
    tickets = Ticket.objects.filter(unit__code__startswith="SC-")
    for ticket in Ticket.objects.filter(unit__code__startswith="SC-").prefetch_related("events"):
        events = list(ticket.events.all())
        assert events[0].kind == TicketEvent.Kind.OPENED
        last = events[-1]
        assert (last.to_status or "received") == ticket.status
        # every step is one the status table allows
        for event in events[1:]:
            assert workflow.can_transition(ticket.kind, event.from_status, event.to_status)
        stamp = workflow.STATUS_TIMESTAMP.get(ticket.status)
        if stamp:
            assert getattr(ticket, stamp) is not None
        assert normalize_ticket_number(ticket.number) == ticket.number
    assert tickets.count() == 400
    outbox = Notification.objects.filter(ticket__unit__code__startswith="SC-")
    assert outbox.values("ticket_id").distinct().count() == 400
    assert not outbox.exclude(status="sent").exists()
    open_back_office = Ticket.objects.filter(
        unit__code__startswith="SC-", kind="back_office", status__in=["received", "in_progress", "waiting_customer"]
    )
    assert TicketServiceLevel.objects.filter(ticket__in=open_back_office).count() == open_back_office.count()


def test_new_rows_after_seeding_do_not_collide_and_a_second_run_adds_nothing():
    seed(tickets=200)
    before = Ticket.objects.aggregate(Max("id"))["id__max"]
    # when: the product opens a ticket through the normal path
    ticket = services.open_ticket(
        category=category("GG-PADAM-1"),
        channel=Ticket.Channel.API,
        description="Padam",
        reporter_phone="081234567890",
        unit=ServiceUnit.objects.get(code="SC-ULP-001"),
    )
    # then
    assert ticket.pk > before
    assert not Ticket.objects.exclude(pk=ticket.pk).filter(number=ticket.number).exists()
    assert "already seeded" in seed(tickets=200)
    assert Ticket.objects.count() == 201


def test_outage_reports_are_grouped_into_incidents_with_crews():
    from dispatch.models import Assignment, Incident, IncidentReport, Technician

    seed()
    technicians = Technician.objects.filter(unit__code__startswith="SC-")
    assert technicians.count() == 20
    assert technicians.filter(on_duty=True).exists() and technicians.filter(user__groups__name="technician").exists()
    routed = Ticket.objects.filter(unit__code__startswith="SC-", category__dispatches=True).exclude(status="cancelled")
    # every routed outage ticket has exactly one report, in an incident of its own ULP
    assert IncidentReport.objects.filter(ticket__in=routed).count() == routed.count() > 0
    assert not IncidentReport.objects.exclude(incident__unit=F("ticket__unit")).exists()
    incidents = Incident.objects.filter(unit__code__startswith="SC-")
    assert 10 <= incidents.count() <= 80
    for incident in incidents.annotate(reports_n=Count("reports")):
        assert incident.report_count == incident.reports_n
        assert (incident.restored_at is not None) == (incident.status == "restored")
    live = Assignment.objects.filter(state__in=Assignment.LIVE_STATES)
    assert not live.values("incident").annotate(n=Count("id")).filter(n__gt=1).exists()
    for technician in technicians:
        assert technician.active_jobs == live.filter(technician=technician).count() <= technician.job_limit
