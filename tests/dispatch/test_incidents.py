"""Incidents: reports join the open outage they belong to; restoring it restores every member ticket."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import selectors, services
from dispatch.models import Incident, IncidentReport
from tests.factories import CustomerFactory
from tickets.models import Notification, Ticket, TicketEvent

from .conftest import HERE, north_of


def test_a_report_within_500_m_of_an_open_incident_joins_it(report_outage):
    # given
    first = services.attach_to_incident(ticket=report_outage(0))
    # when
    second = services.attach_to_incident(ticket=report_outage(400))
    # then
    assert second.pk == first.pk
    assert Incident.objects.get().report_count == 2
    assert IncidentReport.objects.get(incident=first, distance_m__gt=0).distance_m == pytest.approx(400, abs=5)


def test_a_report_farther_than_500_m_opens_its_own_incident(report_outage):
    # given
    first = services.attach_to_incident(ticket=report_outage(0))
    # when
    second = services.attach_to_incident(ticket=report_outage(650))
    # then
    assert second.pk != first.pk
    assert Incident.objects.count() == 2


def test_a_report_joins_through_any_member_report_not_only_the_first(report_outage):
    # given: a chain of reports 400 m apart
    first = services.attach_to_incident(ticket=report_outage(0))
    services.attach_to_incident(ticket=report_outage(400))
    # when: 800 m from the first report, 400 m from the second
    third = services.attach_to_incident(ticket=report_outage(800))
    # then
    assert third.pk == first.pk


def test_a_chain_is_followed_only_within_the_spread_of_the_incident(report_outage, settings):
    # given: a chain of reports 400 m apart reaching 800 m from where the incident was opened
    settings.INCIDENT_SPREAD_M = 1_000
    first = services.attach_to_incident(ticket=report_outage(0))
    for metres in (400, 800):
        assert services.attach_to_incident(ticket=report_outage(metres)).pk == first.pk
    # when: 400 m beyond the last report, 1.2 km from the incident's first point
    farther = services.attach_to_incident(ticket=report_outage(1_200))
    # then it opens its own incident: only incidents opened within INCIDENT_SPREAD_M are searched
    assert farther.pk != first.pk


def test_an_incident_without_a_report_for_two_hours_is_not_joined(report_outage):
    # given
    old = services.attach_to_incident(ticket=report_outage(0))
    Incident.objects.filter(pk=old.pk).update(last_report_at=timezone.now() - timedelta(hours=2, minutes=1))
    # when
    new = services.attach_to_incident(ticket=report_outage(100))
    # then
    assert new.pk != old.pk


def test_a_restored_incident_is_not_joined(report_outage, dispatcher):
    # given
    old = services.attach_to_incident(ticket=report_outage(0))
    services.restore_incident(incident=old, by=dispatcher)
    # when
    new = services.attach_to_incident(ticket=report_outage(50))
    # then
    assert new.pk != old.pk


def test_the_same_transformer_is_joined_first_even_when_another_incident_is_nearer(report_outage, ulp):
    # given: an incident on gardu GD-7 1.5 km away and another incident 100 m away
    gd7 = CustomerFactory(unit=ulp, transformer_code="GD-7", lat=north_of(HERE, 1500)[0], lng=HERE[1])
    on_gd7 = services.attach_to_incident(ticket=report_outage(1500, customer=gd7))
    services.attach_to_incident(ticket=report_outage(100))
    neighbour = CustomerFactory(unit=ulp, transformer_code="GD-7", lat=HERE[0], lng=HERE[1])
    # when
    joined = services.attach_to_incident(ticket=report_outage(0, customer=neighbour))
    # then
    assert joined.pk == on_gd7.pk
    assert joined.transformer_code == "GD-7"


def test_attaching_the_same_ticket_twice_keeps_one_membership(report_outage):
    # given
    ticket = report_outage(0)
    # when
    first = services.attach_to_incident(ticket=ticket)
    again = services.attach_to_incident(ticket=ticket)
    # then
    assert first.pk == again.pk
    assert IncidentReport.objects.filter(ticket=ticket).count() == 1
    assert Incident.objects.get().report_count == 1


def test_restoring_an_incident_restores_every_member_ticket_with_a_public_event_and_a_notification(
    report_outage, dispatcher
):
    # given
    tickets = [report_outage(0), report_outage(100), report_outage(200)]
    incident = None
    for ticket in tickets:
        incident = services.attach_to_incident(ticket=ticket)
    # when
    services.restore_incident(incident=incident, by=dispatcher, cause="tree")
    # then
    incident.refresh_from_db()
    assert incident.status == Incident.Status.RESTORED and incident.restored_at is not None
    assert incident.customers_affected == 3
    for ticket in tickets:
        ticket.refresh_from_db()
        assert ticket.status == Ticket.Status.RESTORED
        event = ticket.events.get(kind=TicketEvent.Kind.STATUS, to_status=Ticket.Status.RESTORED)
        assert event.is_public and event.data["cause"]
        assert Notification.objects.filter(ticket=ticket, event=event).exists()


def test_restoring_twice_changes_nothing_the_second_time(report_outage, dispatcher):
    # given
    incident = services.attach_to_incident(ticket=report_outage(0))
    services.restore_incident(incident=incident, by=dispatcher)
    events = TicketEvent.objects.count()
    # when
    services.restore_incident(incident=incident, by=dispatcher)
    # then
    assert TicketEvent.objects.count() == events


def test_open_incidents_near_finds_the_incident_of_a_report_nearby_and_not_a_far_one(report_outage):
    # given
    incident = services.attach_to_incident(ticket=report_outage(0))
    # when
    near = selectors.open_incidents_near(lat=north_of(HERE, 300)[0], lng=HERE[1], radius_m=500)
    far = selectors.open_incidents_near(lat=north_of(HERE, 900)[0], lng=HERE[1], radius_m=500)
    # then
    assert [i.pk for i in near] == [incident.pk]
    assert far == []


def test_the_console_sees_open_incidents_through_its_wrapper(report_outage):
    # given
    from hotline import selectors as hotline_selectors

    incident = services.attach_to_incident(ticket=report_outage(0))
    # when
    found = [hotline_selectors.incident_summary(i) for i in hotline_selectors.incidents_near(lat=HERE[0], lng=HERE[1])]
    # then
    assert [f["id"] for f in found] == [incident.pk]
    assert found[0]["status"] == str(Incident.Status.OPEN.label)


def test_a_transformer_report_joining_an_unheld_incident_asks_for_a_medium_voltage_crew(report_outage):
    # given
    incident = services.attach_to_incident(ticket=report_outage(0))
    assert incident.skill == "lv"
    # when
    joined = services.attach_to_incident(ticket=report_outage(100, code="GG-GARDU"))
    # then
    assert joined.pk == incident.pk
    assert Incident.objects.get().skill == "mv"
