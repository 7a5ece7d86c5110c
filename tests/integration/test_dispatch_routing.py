"""Routing on the real stack: PostgreSQL, Redis and a live Celery worker with two processes."""

import pytest
from django.db import transaction

from dispatch import tasks
from dispatch.models import Assignment, Incident, IncidentReport, Technician
from tests.dispatch.conftest import make_technician, open_outage
from tests.integration.conftest import tasks_succeeded, wait_for
from tickets.models import Ticket

pytestmark = pytest.mark.integration


@pytest.fixture
def place_technician(ulp):
    return lambda username, metres=0.0, **fields: make_technician(fields.pop("unit", ulp), username, metres, **fields)


@pytest.fixture
def report_outage(ulp):
    return lambda metres=0.0, **fields: open_outage(ulp, metres, **fields)


def test_the_worker_offers_a_new_outage_to_the_nearest_technician(
    transactional_db, celery_worker, place_technician, report_outage
):
    # given
    place_technician("far", 4000)
    near = place_technician("near", 250)
    place_technician("middle", 1200)
    # when: the ticket commits, its routing is enqueued on commit
    ticket = report_outage(0)
    # then
    assignment = wait_for(lambda: Assignment.objects.filter(incident__reports__ticket=ticket).first())
    assert assignment is not None, celery_worker()
    assert assignment.technician_id == near.pk
    assert assignment.state == Assignment.State.OFFERED
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED


def test_tickets_routed_at_the_same_moment_never_book_a_technician_past_the_limit(
    transactional_db, celery_worker, place_technician, report_outage
):
    # given: three technicians (limits 1, 1, 2) and eight separate outages (2 km apart), all committed at once
    crew = [place_technician("a", 0), place_technician("b", 300), place_technician("c", 600, job_limit=2)]
    with transaction.atomic():
        tickets = [report_outage(2000 * i) for i in range(8)]
    # when both worker processes route them (each ticket's task is enqueued when the block commits)
    done = wait_for(lambda: tasks_succeeded(celery_worker, "dispatch.route_ticket") >= len(tickets), timeout=30)
    # then
    assert done, celery_worker()
    for tech in crew:
        tech.refresh_from_db()
        live = Assignment.objects.filter(technician=tech, state__in=Assignment.LIVE_STATES).count()
        assert live <= tech.job_limit
        assert tech.active_jobs == live
    assert Assignment.objects.count() == 4  # every seat taken once, nobody twice
    states = Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("dispatch_state", flat=True)
    assert sorted(states) == ["assigned"] * 4 + ["unassignable"] * 4


def test_the_same_ticket_routed_three_times_at_once_makes_one_assignment(
    transactional_db, celery_worker, place_technician, report_outage
):
    # given
    place_technician("a", 100)
    place_technician("b", 200)
    ticket = report_outage(0)  # enqueued once on commit
    # when it is sent twice more at the same moment
    tasks.route_ticket.delay(ticket.pk)
    tasks.route_ticket.delay(ticket.pk)
    # then
    done = wait_for(lambda: tasks_succeeded(celery_worker, "dispatch.route_ticket") >= 3, timeout=30)
    assert done, celery_worker()
    assert Assignment.objects.count() == 1
    assert IncidentReport.objects.filter(ticket=ticket).count() == 1
    assert Incident.objects.get().report_count == 1


@pytest.fixture
def short_offers(monkeypatch):
    """Offers expire after 2 s in the worker started next (its settings come from the environment)."""
    monkeypatch.setenv("DISPATCH_OFFER_SECONDS", "2")


def test_an_offer_nobody_answers_expires_and_moves_to_the_next_technician(
    transactional_db, short_offers, celery_worker, place_technician, report_outage
):
    # given
    first = place_technician("first", 100)
    second = place_technician("second", 900)
    ticket = report_outage(0)
    offer = wait_for(lambda: Assignment.objects.filter(technician=first).first())
    assert offer is not None, celery_worker()
    # when nobody answers for 2 s, the expiry task scheduled with the offer runs
    moved = wait_for(lambda: Assignment.objects.filter(technician=second, state="offered").first(), timeout=20)
    # then
    assert moved is not None, celery_worker()
    offer.refresh_from_db()
    assert offer.state == Assignment.State.EXPIRED
    first.refresh_from_db()
    assert first.active_jobs == 0 and first.state == Technician.State.AVAILABLE
    assert moved.incident.reports.get().ticket_id == ticket.pk


def test_the_sweeper_racing_the_worker_books_nobody_twice(
    transactional_db, celery_worker, place_technician, report_outage
):
    # given: twelve separate outages for three seats, already "late" so the sweeper takes them too
    from datetime import timedelta

    from django.utils import timezone

    from dispatch import services

    crew = [place_technician("a", 0), place_technician("b", 300), place_technician("c", 600)]
    with transaction.atomic():
        tickets = [report_outage(2000 * i) for i in range(12)]
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
            dispatch_requested_at=timezone.now() - timedelta(minutes=5)
        )
    # when the sweeper runs here while the worker's two processes route the same tickets
    services.sweep_dispatch()
    done = wait_for(lambda: tasks_succeeded(celery_worker, "dispatch.route_ticket") >= len(tickets), timeout=30)
    # then
    assert done, celery_worker()
    assert "IntegrityError" not in celery_worker() and "deadlock" not in celery_worker().lower()
    for tech in crew:
        tech.refresh_from_db()
        assert Assignment.objects.filter(technician=tech, state__in=Assignment.LIVE_STATES).count() == 1
        assert tech.active_jobs == 1
    assert Assignment.objects.count() == 3
    assert IncidentReport.objects.count() == 12


def test_the_beat_sweeper_hands_a_backlog_to_the_worker_in_batches(
    transactional_db, celery_worker, place_technician, report_outage, settings
):
    # given: twelve reports of one outage whose routing messages Redis lost, and one crew
    from datetime import timedelta

    from django.utils import timezone

    from dispatch import services

    settings.DISPATCH_ROUTE_BATCH = 5
    tech = place_technician("a", 100)
    with transaction.atomic():
        tickets = [report_outage(10 * i) for i in range(12)]
        Ticket.objects.filter(pk__in=[t.pk for t in tickets]).update(
            dispatch_state=Ticket.DispatchState.ENQUEUED, dispatch_requested_at=timezone.now() - timedelta(minutes=5)
        )  # marked as handed over already: nothing is published for them when the block commits
    # when the beat task's sweep publishes them (fan-out) to the live worker
    counts = services.sweep_dispatch(fan_out=True)
    done = wait_for(lambda: tasks_succeeded(celery_worker, "dispatch.route_tickets") >= 3, timeout=30)
    # then: three batch tasks (5 + 5 + 2), one incident, one offer, every ticket routed once
    assert done, celery_worker()
    wait_for(lambda: not Ticket.objects.filter(pk__in=[t.pk for t in tickets]).exclude(dispatch_state="assigned"))
    assert counts["tickets"] == 12
    assert IncidentReport.objects.count() == 12
    assert Incident.objects.get().report_count == 12
    assert list(Assignment.objects.values_list("technician_id", flat=True)) == [tech.pk]
    states = set(Ticket.objects.filter(pk__in=[t.pk for t in tickets]).values_list("dispatch_state", flat=True))
    assert states == {Ticket.DispatchState.ASSIGNED}
