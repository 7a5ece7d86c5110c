"""Dispatch never goes quiet: a locked phone keeps its technician in the running, and when nobody at all can be
offered an outage the board and the ULP supervisor know at once."""

from datetime import timedelta

from django.core import mail
from django.utils import timezone

from core import roles
from dispatch import selectors, services
from dispatch.models import Assignment, Incident, Technician
from tests.factories import make_staff
from tickets.models import Ticket
from tickets.sla.models import Escalation


def test_fifteen_minutes_after_start_a_new_report_still_goes_to_a_technician_with_an_old_position(
    place_technician, report_outage
):
    # given: the only technician's phone locked its screen 40 minutes ago
    tech = place_technician("tono", 800, last_position_at=timezone.now() - timedelta(minutes=40))
    ticket = report_outage(0)
    # when
    assignment = services.route_ticket(ticket_id=ticket.pk)
    # then
    assert assignment is not None and assignment.technician == tech
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.ASSIGNED
    assert Incident.objects.get().unassignable_since is None


def test_nobody_to_offer_is_on_the_board_and_escalated_to_the_ulp_supervisor_once(
    report_outage, ulp, settings, django_capture_on_commit_callbacks
):
    # given: the ULP's supervisor; no technician on duty
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    boss = make_staff(role=roles.SUPERVISOR, unit=ulp, username="wulan")
    boss.email = "wulan@example.com"
    boss.save(update_fields=["email"])
    ticket = report_outage(0)
    # when: routed, and routed again by the sweeper
    with django_capture_on_commit_callbacks(execute=True):
        assert services.route_ticket(ticket_id=ticket.pk) is None
        Incident.objects.update(last_routed_at=timezone.now() - timedelta(minutes=5))
        services.sweep_dispatch()
    # then: the incident says since when nobody could be offered; one escalation, one mail
    incident = Incident.objects.get()
    assert incident.unassignable_since is not None
    escalation = Escalation.objects.get(ticket=ticket)
    assert escalation.level == Escalation.Level.ULP
    assert boss.email in escalation.recipients
    assert [m.to for m in mail.outbox] == [[boss.email]]
    board = selectors.board_for(boss)
    assert [i.pk for i in board["incidents"] if i.unassignable_since] == [incident.pk]


def test_an_offer_clears_the_nobody_to_offer_mark(place_technician, report_outage):
    # given: nobody was free, then a technician comes on duty
    ticket = report_outage(0)
    services.route_ticket(ticket_id=ticket.pk)
    assert Incident.objects.get().unassignable_since is not None
    tech = place_technician("late", 500)
    Incident.objects.update(last_routed_at=timezone.now() - timedelta(minutes=5))
    # when
    services.sweep_dispatch()
    # then
    assert Assignment.objects.get().technician == tech
    assert Incident.objects.get().unassignable_since is None
    assert Technician.objects.get(pk=tech.pk).active_jobs == 1
