"""The dispatch sweeper is on the beat schedule and runs in-process through run_sweepers."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from dispatch.models import Assignment
from tickets.models import Ticket


def test_the_dispatch_sweeper_is_on_the_beat_schedule():
    # then
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-dispatch"]
    assert entry["task"] == "dispatch.sweep_dispatch"
    assert entry["schedule"] <= 15


def test_run_sweepers_routes_a_ticket_left_unrouted_in_process(place_technician, report_outage):
    # given: an outage ticket whose routing message never left (broker down)
    tech = place_technician("tono", 100)
    ticket = report_outage(0)
    Ticket.objects.filter(pk=ticket.pk).update(dispatch_requested_at=timezone.now() - timedelta(minutes=5))
    # when
    call_command("run_sweepers", "--once")
    # then
    assert Assignment.objects.get().technician == tech
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED


def test_dispatch_tasks_have_their_own_queue_read_in_turn_with_the_default():
    # given
    from config.celery import app

    # then
    assert app.amqp.router.route({}, "dispatch.route_ticket")["queue"].name == "dispatch"
    assert app.amqp.router.route({}, "tickets.send_notification")["queue"].name == "notifications"
    queues = [q.name for q in settings.CELERY_TASK_QUEUES]
    assert queues == ["dispatch", "notifications", "reports", "imports", "celery"]
    # neither a routing backlog nor a notification backlog starves the other queue
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "round_robin"


def test_the_sweeper_routes_a_backlog_once_per_incident(place_technician, report_outage, settings):
    # given: 30 reports left waiting by a broker outage: 20 of one outage, 10 of another 5 km away
    from dispatch import services
    from dispatch.models import Incident
    from dispatch.signals import incident_changed

    settings.DISPATCH_ROUTE_BATCH = 8
    place_technician("tono", 100)
    place_technician("budi", 5_100)
    tickets = [report_outage(10 * i) for i in range(20)] + [report_outage(5_000 + 10 * i) for i in range(10)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
        dispatch_requested_at=timezone.now() - timedelta(minutes=5)
    )
    heard = []

    def listener(sender, incident, change, **kwargs):
        heard.append(change)

    # when
    incident_changed.connect(listener)
    try:
        counts = services.sweep_dispatch()
    finally:
        incident_changed.disconnect(listener)
    # then
    assert counts["tickets"] == 30
    assert sorted(Incident.objects.values_list("report_count", flat=True)) == [10, 20]
    assert {a.incident.report_count: a.technician.user.username for a in Assignment.objects.all()} == {
        20: "tono",
        10: "budi",
    }
    states = set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("dispatch_state", flat=True))
    assert states == {Ticket.DispatchState.ASSIGNED}
    # each batch of 8 announces each incident it touched once, not each report
    assert len(heard) <= 30 / 8 + 2 and heard.count("opened") == 2


def test_a_backlog_report_joining_an_incident_with_a_crew_follows_it(place_technician, report_outage):
    # given: an incident whose crew is on the way, and three reports of it that waited out a broker outage
    from dispatch import services

    tech = place_technician("tono", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    for step in ("accept", "depart"):
        offer.refresh_from_db()
        services.take_step(assignment=offer, technician=tech, step=step, client_id=str(uuid.uuid4()))
    late = [report_outage(20 + 10 * i) for i in range(3)]
    # when
    services.route_tickets(ticket_ids=[t.pk for t in late])
    # then: they joined the incident and walked to "on the way", each with its own public events
    for ticket in late:
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.ON_THE_WAY
        assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED
        assert ticket.events.filter(to_status=Ticket.Status.ON_THE_WAY).count() == 1
    assert Assignment.objects.count() == 1
    offer.incident.refresh_from_db()
    assert offer.incident.report_count == 4


def test_a_routing_task_takes_along_the_reports_already_handed_to_the_worker(place_technician, report_outage):
    # given: a storm — five reports of one outage handed to the worker, their tasks not run yet
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dispatch import services

    place_technician("tono", 100)
    tickets = [report_outage(10 * i) for i in range(5)]
    Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(dispatch_state=Ticket.DispatchState.ENQUEUED)
    # when the first task runs
    offer = services.route_ticket(ticket_id=tickets[0].pk)
    # then all five are in its incident, with one offer
    assert offer is not None
    assert offer.incident.reports.count() == 5
    states = set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("dispatch_state", flat=True))
    assert states == {Ticket.DispatchState.ASSIGNED}
    # and the others' own tasks only check the crew: no lock of the ULP, nothing new
    with CaptureQueriesContext(connection) as captured:
        again = services.route_ticket(ticket_id=tickets[3].pk)
    assert again == offer
    assert not [q for q in captured if 'FROM "tickets_serviceunit"' in q["sql"]]
    assert not [q for q in captured if q["sql"].startswith(("UPDATE", "INSERT")) or "FOR UPDATE" in q["sql"]]
    assert Assignment.objects.count() == 1


def test_reports_waiting_for_the_sweeper_are_not_taken_along(place_technician, report_outage):
    # given: a report whose enqueue failed (pending, for the sweeper) beside a new one
    from dispatch import services

    place_technician("tono", 100)
    waiting = report_outage(10)
    # when
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    # then only its own report is in the incident; the waiting one keeps its turn with the sweeper
    assert offer.incident.reports.count() == 1
    waiting.refresh_from_db()
    assert waiting.dispatch_state == Ticket.DispatchState.PENDING


def test_a_batch_does_not_search_again_for_an_incident_nobody_was_free_for_moments_ago(report_outage):
    # given: an incident routed a moment ago with nobody on duty
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dispatch import services
    from dispatch.models import Incident

    assert services.route_ticket(ticket_id=report_outage(0).pk) is None
    late = [report_outage(10 * i) for i in range(1, 4)]
    # when three more reports of it come in a batch
    with CaptureQueriesContext(connection) as captured:
        services.route_tickets(ticket_ids=[t.pk for t in late])
    # then they wait with it, without another search for a crew (the sweeper searches again later)
    assert not [q for q in captured if 'FROM "dispatch_technician"' in q["sql"]]
    states = set(Ticket.objects.filter(pk__in=[t.pk for t in late]).values_list("dispatch_state", flat=True))
    assert states == {Ticket.DispatchState.UNASSIGNABLE}
    assert Incident.objects.get().report_count == 4
    # nor for one more report routed alone, nor for a task of a report already attached
    with CaptureQueriesContext(connection) as captured:
        assert services.route_ticket(ticket_id=report_outage(40).pk) is None
        assert services.route_ticket(ticket_id=late[0].pk) is None
    assert not [q for q in captured if 'FROM "dispatch_technician"' in q["sql"]]
    # and once DISPATCH_RETRY_SECONDS have passed, a batch searches again
    Incident.objects.update(last_routed_at=timezone.now() - timedelta(minutes=5))
    with CaptureQueriesContext(connection) as captured:
        services.route_tickets(ticket_ids=[report_outage(50).pk])
    assert [q for q in captured if 'FROM "dispatch_technician"' in q["sql"]]
