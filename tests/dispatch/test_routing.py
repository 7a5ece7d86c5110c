"""Routing: the nearest free technician gets the offer; offers expire or are declined and move on;
nobody free leaves the tickets waiting for the sweeper; routing twice books once; steps move tickets."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ApplicationError, ConflictError
from dispatch import services, tasks
from dispatch.models import Assignment, Incident, Technician
from tickets.models import Notification, Ticket


def _step(assignment, step, **kwargs):
    return services.take_step(
        assignment=assignment, technician=assignment.technician, step=step, client_id=uuid.uuid4(), **kwargs
    )


def test_route_ticket_offers_the_job_to_the_nearest_free_technician(place_technician, report_outage):
    # given
    place_technician("far", 3000)
    near = place_technician("near", 300)
    ticket = report_outage(0)
    # when
    assignment = services.route_ticket(ticket_id=ticket.pk)
    # then
    assert assignment.technician == near
    assert assignment.state == Assignment.State.OFFERED
    assert assignment.expires_at == assignment.offered_at + timedelta(seconds=180)
    assert assignment.distance_m == pytest.approx(300, abs=5)
    near.refresh_from_db()
    assert near.active_jobs == 1 and near.state == Technician.State.BUSY
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED


def test_running_route_ticket_twice_makes_one_assignment(place_technician, report_outage):
    # given
    place_technician("one", 100)
    place_technician("two", 200)
    ticket = report_outage(0)
    # when
    first = tasks.route_ticket(ticket.pk)
    second = tasks.route_ticket(ticket.pk)
    # then
    assert first == second
    assert Assignment.objects.count() == 1
    assert Incident.objects.get().report_count == 1


def test_a_second_report_of_the_same_outage_does_not_send_another_crew(place_technician, report_outage):
    # given
    place_technician("one", 100)
    place_technician("two", 200)
    first = services.route_ticket(ticket_id=report_outage(0).pk)
    # when
    second = services.route_ticket(ticket_id=report_outage(150).pk)
    # then
    assert second.pk == first.pk
    assert Assignment.objects.count() == 1


def test_a_technician_at_the_job_limit_is_not_offered_another_incident(place_technician, report_outage):
    # given: one technician with limit 1, two separate outages
    place_technician("solo", 100)
    services.route_ticket(ticket_id=report_outage(0).pk)
    # when
    second = report_outage(5000)
    result = services.route_ticket(ticket_id=second.pk)
    # then
    assert result is None
    second.refresh_from_db()
    assert second.dispatch_state == Ticket.DispatchState.UNASSIGNABLE


def test_no_candidate_leaves_the_ticket_waiting_and_the_sweeper_routes_it_once_someone_is_free(
    place_technician, report_outage
):
    # given
    ticket = report_outage(0)
    assert services.route_ticket(ticket_id=ticket.pk) is None
    Incident.objects.update(last_routed_at=timezone.now() - timedelta(minutes=5))
    tech = place_technician("late", 500)
    # when
    counts = services.sweep_dispatch()
    # then
    assert counts["incidents"] == 1
    assert Assignment.objects.get().technician == tech
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED


def test_the_sweeper_routes_a_ticket_whose_message_was_lost(place_technician, report_outage):
    # given: the ticket was never routed (broker down at commit)
    tech = place_technician("tono", 100)
    ticket = report_outage(0)
    Ticket.objects.filter(pk=ticket.pk).update(dispatch_requested_at=timezone.now() - timedelta(minutes=2))
    # when
    counts = services.sweep_dispatch()
    # then
    assert counts["tickets"] == 1
    assert Assignment.objects.get().technician == tech


def test_an_unanswered_offer_expires_and_goes_to_the_next_candidate(place_technician, report_outage):
    # given
    first = place_technician("first", 100)
    second = place_technician("second", 900)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    assert offer.technician == first
    # when
    counts = services.sweep_dispatch(now=offer.expires_at + timedelta(seconds=1))
    # then
    assert counts["expired"] == 1
    offer.refresh_from_db()
    assert offer.state == Assignment.State.EXPIRED
    live = Assignment.objects.get(state=Assignment.State.OFFERED)
    assert live.technician == second
    first.refresh_from_db()
    assert first.active_jobs == 0 and first.state == Technician.State.AVAILABLE


def test_the_expiry_task_does_nothing_before_the_offer_is_due(place_technician, report_outage):
    # given
    place_technician("first", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    # when
    result = tasks.expire_offer(offer.pk)
    # then
    assert result == 0
    offer.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED


def test_one_expiry_task_at_a_time_expires_every_offer_due_and_the_others_return_at_once(
    place_technician, report_outage
):
    """A burst of offers expires in a burst: one task takes them all, so the wave holds one worker process."""
    import time_machine
    from django.core.cache import cache

    # given two incidents far apart, each offered to its nearest technician, a second technician near each
    place_technician("north-1", 100)
    place_technician("north-2", 300)
    place_technician("south-1", -20_100)
    place_technician("south-2", -20_300)
    offers = [services.route_ticket(ticket_id=report_outage(m).pk) for m in (0, -20_000)]
    assert {o.technician.user.username for o in offers} == {"north-1", "south-1"}
    due = max(o.expires_at for o in offers) + timedelta(seconds=1)
    with time_machine.travel(due, tick=False):
        # when another task is expiring offers, this one returns without touching them
        cache.add(tasks.EXPIRING_KEY, 0, 60)
        try:
            assert tasks.expire_offer(offers[0].pk) == 0
        finally:
            cache.delete(tasks.EXPIRING_KEY)
        assert Assignment.objects.filter(state=Assignment.State.OFFERED).count() == 2
        # when it is free, the first offer's task expires both offers due and offers each incident on
        assert tasks.expire_offer(offers[0].pk) == 2
        assert tasks.expire_offer(offers[1].pk) == 0  # nothing left for the second offer's own task
    # then
    assert set(Assignment.objects.filter(pk__in=[o.pk for o in offers]).values_list("state", flat=True)) == {
        Assignment.State.EXPIRED
    }
    live = Assignment.objects.filter(state=Assignment.State.OFFERED).select_related("technician__user")
    assert {a.technician.user.username for a in live} == {"north-2", "south-2"}
    assert cache.get(tasks.EXPIRING_KEY) is None  # released


def test_a_declined_offer_goes_to_the_next_candidate(
    place_technician, report_outage, django_capture_on_commit_callbacks
):
    # given
    place_technician("first", 100)
    second = place_technician("second", 900)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        _step(offer, "decline", notes="flat tyre")
    services.route_incident(incident_id=offer.incident_id)  # what the enqueued task does
    # then
    assert len(callbacks) == 1
    offer.refresh_from_db()
    assert offer.state == Assignment.State.DECLINED and offer.reason == "flat tyre"
    assert Assignment.objects.get(state=Assignment.State.OFFERED).technician == second


def test_technician_steps_walk_every_member_ticket_through_the_outage_statuses(place_technician, report_outage):
    # given: two reports of one outage
    place_technician("tono", 1000)
    tickets = [report_outage(0), report_outage(100)]
    offer = None
    for ticket in tickets:
        offer = services.route_ticket(ticket_id=ticket.pk)
    seen = []
    # when
    for step in ["accept", "depart", "arrive", "restore_partly"]:
        _step(offer, step, lat=-1.2, lng=116.87)
        seen.append({t.status for t in Ticket.objects.filter(pk__in=[t.pk for t in tickets])})
        offer.refresh_from_db()
    _step(offer, "restore", cause="fuse", notes="FCO replaced")
    # then
    assert seen == [
        {Ticket.Status.ASSIGNED},
        {Ticket.Status.ON_THE_WAY},
        {Ticket.Status.IN_PROGRESS},
        {Ticket.Status.TEMPORARILY_RESTORED},
    ]
    assert set(Ticket.objects.values_list("status", flat=True)) == {Ticket.Status.RESTORED}
    incident = Incident.objects.get()
    assert incident.status == Incident.Status.RESTORED and incident.cause == "fuse"
    offer.refresh_from_db()
    assert offer.state == Assignment.State.RESTORED and offer.technician.active_jobs == 0
    on_the_way = tickets[0].events.get(to_status=Ticket.Status.ON_THE_WAY)
    assert on_the_way.data["technician_first_name"] == "Tono" and on_the_way.data["eta_minutes"] >= 1
    assert Notification.objects.filter(ticket=tickets[1], event__to_status=Ticket.Status.RESTORED).exists()


def test_a_report_joining_an_incident_under_way_catches_up_with_its_status(place_technician, report_outage):
    # given
    place_technician("tono", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    _step(offer, "accept")
    _step(offer, "depart")
    # when
    late = report_outage(200)
    services.route_ticket(ticket_id=late.pk)
    # then
    late.refresh_from_db()
    assert late.status == Ticket.Status.ON_THE_WAY
    assert late.dispatch_state == Ticket.DispatchState.ASSIGNED


def test_steps_out_of_order_are_refused_and_change_nothing(place_technician, report_outage):
    # given
    place_technician("tono", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    # when / then
    with pytest.raises(ConflictError):
        _step(offer, "restore", cause="tree")
    with pytest.raises(ConflictError):
        _step(offer, "arrive")
    offer.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED and not offer.steps.exists()


def test_accepting_an_expired_offer_is_refused(place_technician, report_outage):
    # given
    place_technician("tono", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    Assignment.objects.filter(pk=offer.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    # when / then
    with pytest.raises(ConflictError):
        _step(offer, "accept")
    offer.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED


def test_the_same_step_sent_twice_counts_once(place_technician, report_outage):
    # given
    place_technician("tono", 100)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    client_id = uuid.uuid4()
    services.take_step(assignment=offer, technician=offer.technician, step="accept", client_id=client_id)
    events = Ticket.objects.get().events.count()
    # when
    again = services.take_step(assignment=offer, technician=offer.technician, step="accept", client_id=client_id)
    # then
    assert again.state == Assignment.State.ACCEPTED
    assert offer.steps.count() == 1
    assert Ticket.objects.get().events.count() == events


def test_another_technicians_job_is_refused(place_technician, report_outage):
    # given
    place_technician("tono", 100)
    other = place_technician("other", 5000)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    # when / then
    with pytest.raises(ApplicationError) as refused:
        services.take_step(assignment=offer, technician=other, step="accept", client_id=uuid.uuid4())
    assert refused.value.status_code == 403


def test_a_dispatcher_reassigns_by_hand_with_a_reason_on_the_timeline(place_technician, report_outage, dispatcher):
    # given
    place_technician("first", 100)
    chosen = place_technician("chosen", 4000)
    offer = services.route_ticket(ticket_id=report_outage(0).pk)
    # when
    manual = services.manual_assign(incident=offer.incident, technician=chosen, reason="knows the area", by=dispatcher)
    # then
    offer.refresh_from_db()
    assert offer.state == Assignment.State.WITHDRAWN and offer.technician.active_jobs == 0
    assert manual.state == Assignment.State.ACCEPTED and manual.manual and manual.assigned_by == dispatcher
    ticket = Ticket.objects.get()
    assert ticket.status == Ticket.Status.ASSIGNED
    assert ticket.events.filter(kind="note", message__contains="knows the area").exists()


def test_opening_an_outage_ticket_enqueues_routing_only_after_commit(
    place_technician, report_outage, django_capture_on_commit_callbacks, monkeypatch
):
    # given
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    tech = place_technician("tono", 100)
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        ticket = report_outage(0)
        assert not Assignment.objects.exists()
    for callback in callbacks:
        callback()
    # then
    assert Assignment.objects.get().technician == tech
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED


def test_a_back_office_ticket_is_not_routed(report_outage, place_technician):
    # given
    place_technician("tono", 100)
    ticket = report_outage(0, code="TG-LONJAK")
    # when
    result = services.route_ticket(ticket_id=ticket.pk)
    # then
    assert result is None and not Incident.objects.exists()


def test_a_position_with_impossible_coordinates_is_refused(technician):
    # when / then
    with pytest.raises(ApplicationError):
        services.record_position(technician=technician, lat=91.0, lng=116.0)
    technician.refresh_from_db()
    assert technician.last_lat != 91.0


def test_cancelling_the_only_report_stands_the_incident_down_and_frees_the_technician(
    place_technician, report_outage, dispatcher, django_capture_on_commit_callbacks
):
    # given
    tech = place_technician("tono", 100)
    ticket = report_outage(0)
    offer = services.route_ticket(ticket_id=ticket.pk)
    # when
    from tickets import services as ticket_services

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.CANCELLED, actor=dispatcher)
    # then
    offer.refresh_from_db()
    tech.refresh_from_db()
    assert offer.state == Assignment.State.WITHDRAWN
    assert offer.incident.status == Incident.Status.CANCELLED
    assert tech.active_jobs == 0 and tech.state == Technician.State.AVAILABLE


def test_cancelling_one_of_two_reports_keeps_the_incident(
    place_technician, report_outage, dispatcher, django_capture_on_commit_callbacks
):
    # given
    place_technician("tono", 100)
    first, second = report_outage(0), report_outage(100)
    services.route_ticket(ticket_id=first.pk)
    offer = services.route_ticket(ticket_id=second.pk)
    # when
    from tickets import services as ticket_services

    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.change_status(ticket=first, to_status=Ticket.Status.CANCELLED, actor=dispatcher)
    # then
    offer.refresh_from_db()
    assert offer.state == Assignment.State.OFFERED
    assert offer.incident.status == Incident.Status.OPEN


def test_incident_changes_are_announced_for_other_apps(place_technician, report_outage, dispatcher):
    # given
    from dispatch.signals import incident_changed

    heard = []

    def listener(sender, incident, change, **kwargs):
        heard.append(change)

    incident_changed.connect(listener)
    try:
        place_technician("tono", 100)
        offer = services.route_ticket(ticket_id=report_outage(0).pk)
        services.route_ticket(ticket_id=report_outage(100).pk)
        # when
        _step(offer, "accept")
        services.set_estimate(
            incident=offer.incident, estimated_restoration_at=timezone.now() + timedelta(hours=1), by=dispatcher
        )
        offer.refresh_from_db()
        _step(offer, "depart")
        offer.refresh_from_db()
        _step(offer, "arrive")
        offer.refresh_from_db()
        _step(offer, "restore", cause="tree")
    finally:
        incident_changed.disconnect(listener)
    # then
    assert heard == ["opened", "joined", "assigned", "estimate", "status", "status", "restored"]
