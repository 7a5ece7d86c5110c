"""The dispatch sweeper is on the beat schedule and runs in-process through run_sweepers."""

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
    from hotline.celery import app

    # then
    assert app.amqp.router.route({}, "dispatch.route_ticket")["queue"].name == "dispatch"
    assert app.amqp.router.route({}, "tickets.send_notification")["queue"].name == "celery"
    assert [q.name for q in settings.CELERY_TASK_QUEUES] == ["dispatch", "celery"]
    # neither a routing backlog nor a notification backlog starves the other queue
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["queue_order_strategy"] == "round_robin"
