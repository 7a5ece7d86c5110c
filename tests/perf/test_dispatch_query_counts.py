"""Routing and the dispatch lists cost the same number of queries for a few technicians and incidents as for many."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dispatch import services
from dispatch.models import Assignment
from tests.dispatch.conftest import make_technician, open_outage
from tests.perf.test_query_counts import fresh, queries

pytestmark = pytest.mark.django_db
BASE = "/api/v1/dispatch"


def count(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def crew(unit, prefix: str, n: int, start_m: float) -> None:
    for index in range(n):
        make_technician(unit, f"{prefix}{index}", start_m + 50 * index, job_limit=1)


def test_routing_a_new_outage_costs_the_same_with_5_or_50_technicians_near(ulp):
    crew(ulp, "near", 5, 100)
    ticket = open_outage(ulp, 0)
    first = count(lambda: services.route_ticket(ticket_id=ticket.pk))
    crew(ulp, "more", 45, 400)
    # a new incident far enough not to join the first one
    ticket = open_outage(ulp, 20_000)
    second = count(lambda: services.route_ticket(ticket_id=ticket.pk))
    assert first == second <= 22
    assert Assignment.objects.count() == 2


def test_joining_an_incident_costs_the_same_with_2_or_40_reports_in_it(ulp):
    crew(ulp, "tech", 3, 100)
    services.route_ticket(ticket_id=open_outage(ulp, 0).pk)
    ticket = open_outage(ulp, 20)
    first = count(lambda: services.route_ticket(ticket_id=ticket.pk))
    for index in range(38):
        services.route_ticket(ticket_id=open_outage(ulp, 30 + index).pk)
    ticket = open_outage(ulp, 10)
    second = count(lambda: services.route_ticket(ticket_id=ticket.pk))
    assert first == second <= 11


def test_routing_skips_technicians_far_away_before_measuring_them(ulp, far_ulp):
    """Only technicians of the ULP or inside the search box are read at all (the box is indexed)."""
    from dispatch.models import Technician
    from dispatch.selectors import candidate_technicians

    crew(ulp, "here", 2, 100)
    for index in range(20):
        make_technician(far_ulp, f"far{index}", 0)
    Technician.objects.filter(user__username__startswith="far").update(last_lat=-6.98, last_lng=110.41)
    here = set(Technician.objects.filter(user__username__startswith="here").values_list("pk", flat=True))

    ticket = open_outage(ulp, 0)
    incident = services.attach_to_incident(ticket=ticket)
    assert {t.pk for t in candidate_technicians(incident=incident)} == here


def grow_dispatch(ulp, n: int, offset: int) -> None:
    crew(ulp, f"g{offset}-", n, 0)
    for index in range(n):
        services.route_ticket(ticket_id=open_outage(ulp, 2_000 * (offset + index + 1)).pk)
        open_outage(ulp, 2_000 * (offset + index + 1) + 10)  # waiting, not yet routed


def flat(measure, grow, *, at_most: int, name: str) -> None:
    measure()
    few = measure()[0]
    grow()
    many = measure()[0]
    assert many == few, f"{name}: {few} queries with few rows, {many} with many"
    assert many <= at_most, f"{name}: {many} queries, at most {at_most}"


def test_dispatcher_board(dispatcher, ulp):
    grow_dispatch(ulp, 2, 0)
    flat(
        lambda: queries(lambda: fresh(dispatcher).get(f"{BASE}/board/")),
        lambda: grow_dispatch(ulp, 12, 100),
        at_most=8,
        name="board",
    )


@pytest.mark.parametrize("params", [{}, {"open": "1"}, {"status": ["open", "assigned"]}])
def test_incident_list(dispatcher, ulp, params):
    grow_dispatch(ulp, 2, 0)
    flat(
        lambda: queries(lambda: fresh(dispatcher).get(f"{BASE}/incidents/", params)),
        lambda: grow_dispatch(ulp, 12, 100),
        at_most=7,
        name=f"incidents {params}",
    )


def test_technician_jobs(ulp):
    technician = make_technician(ulp, "solo", 0, job_limit=5)

    def give(n: int, offset: int):
        for index in range(n):
            services.route_ticket(ticket_id=open_outage(ulp, 3_000 * (offset + index)).pk)

    give(1, 0)
    flat(
        lambda: queries(lambda: fresh(technician.user).get(f"{BASE}/jobs/")),
        lambda: give(3, 10),
        at_most=8,
        name="jobs",
    )
    assert technician.assignments.count() == 4


def test_a_swept_backlog_costs_a_few_queries_per_ticket_and_one_routing_per_incident(ulp):
    """After a broker outage the sweeper routes the waiting reports in batches: each extra report of the same
    outage costs its own look-up and insert only, not a routing of its own."""
    crew(ulp, "tech", 3, 100)

    def backlog(n: int, offset_m: float) -> list[int]:
        return [open_outage(ulp, offset_m + 2 * index).pk for index in range(n)]

    few, many = backlog(10, 0), backlog(40, 20_000)
    ten = count(lambda: services.route_tickets(ticket_ids=few))
    forty = count(lambda: services.route_tickets(ticket_ids=many))
    per_ticket = (forty - ten) / 30
    assert per_ticket <= 4, f"{per_ticket:.1f} queries per extra report"
    assert Assignment.objects.count() == 2  # one per incident


def test_grouping_a_report_reads_the_nearest_few_reports_not_the_whole_incident(ulp, monkeypatch):
    """A storm's incident holds thousands of reports; the next report must not fetch and measure every one."""
    from dispatch import selectors
    from tests.dispatch.conftest import HERE, north_of

    crew(ulp, "tech", 1, 100)
    services.route_tickets(ticket_ids=[open_outage(ulp, 3 * index).pk for index in range(60)])
    measured = []
    exact = selectors.distance_m
    monkeypatch.setattr(selectors, "distance_m", lambda a, b: measured.append(b) or exact(a, b))
    lat, lng = north_of(HERE, 100)
    # when
    incident, distance = selectors.incident_to_join(lat=lat, lng=lng)
    # then the incident is found at the distance of its nearest report, from a handful of rows
    assert incident is not None and incident.report_count == 60
    assert 0 <= distance < 3
    assert len(measured) <= selectors.JOIN_CANDIDATE_POINTS


@pytest.mark.parametrize("crewed", [False, True], ids=["waiting for a crew", "crew on it"])
def test_a_report_joining_an_incident_sets_its_own_dispatch_state_not_every_members(ulp, crewed):
    """In a storm every report joins an incident of thousands: setting each member's dispatch state again read
    all of them for every report. Only the new report's state is set while the incident's does not change."""
    from tickets.models import Ticket

    if crewed:
        crew(ulp, "tech", 1, 100)
    first = open_outage(ulp, 0)
    services.route_ticket(ticket_id=first.pk)
    state = Ticket.DispatchState.ASSIGNED if crewed else Ticket.DispatchState.UNASSIGNABLE
    assert Ticket.objects.get(pk=first.pk).dispatch_state == state
    # a marker on the earlier member: whatever rewrites every member's state would overwrite it
    Ticket.objects.filter(pk=first.pk).update(dispatch_state=Ticket.DispatchState.ENQUEUED)
    second = open_outage(ulp, 20)
    # when
    services.route_ticket(ticket_id=second.pk)
    # then
    assert Ticket.objects.get(pk=second.pk).dispatch_state == state
    assert Ticket.objects.get(pk=first.pk).dispatch_state == Ticket.DispatchState.ENQUEUED
    assert Assignment.objects.count() == (1 if crewed else 0)


def test_the_written_out_incident_row_is_what_the_generic_serializer_gives(ulp, dispatcher):
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework import serializers as drf

    from dispatch import selectors
    from dispatch.api.serializers import IncidentSerializer
    from dispatch.models import Incident

    class Generic(IncidentSerializer):
        pass

    crew(ulp, "tech", 1, 100)
    services.route_ticket(ticket_id=open_outage(ulp, 0).pk)  # crewed
    services.route_ticket(ticket_id=open_outage(ulp, 30).pk)  # joins it
    services.route_ticket(ticket_id=open_outage(ulp, 20_000).pk)  # nobody free
    Incident.objects.filter(pk=Incident.objects.order_by("pk").last().pk).update(
        estimated_restoration_at=timezone.now() + timedelta(hours=2), cause="tree"
    )
    incidents = selectors.with_ticket_numbers(list(selectors.incidents_visible_to(dispatcher).order_by("pk")))
    assert len(incidents) == 2
    for incident in incidents:
        assert IncidentSerializer(incident).data == Generic(incident).data
        assert isinstance(Generic(incident), drf.ModelSerializer)
    assert IncidentSerializer(incidents[0]).data["assignment"] is not None
    assert len(IncidentSerializer(incidents[0]).data["tickets"]) == 2


def test_the_written_out_board_rows_are_what_the_generic_serializers_give(ulp, dispatcher):
    """The board's technicians and waiting tickets are written out by hand; the generic ModelSerializer path of
    the same class gives the same rows (with and without a position, a full name, skills)."""
    from datetime import timedelta

    from django.utils import timezone
    from rest_framework import serializers as drf

    from dispatch import selectors
    from dispatch.api.serializers import BoardTechnicianSerializer, WaitingTicketSerializer
    from dispatch.models import Technician

    class GenericTechnician(BoardTechnicianSerializer):
        pass

    class GenericWaiting(WaitingTicketSerializer):
        pass

    crew(ulp, "tech", 2, 100)
    Technician.objects.filter(user__username="tech0").update(
        last_lat=None, last_lng=None, last_position_at=None, skills=["jtm", "jtr"]
    )
    Technician.objects.filter(user__username="tech1").update(
        last_position_at=timezone.now() - timedelta(minutes=3), state="busy", active_jobs=1
    )
    Technician.objects.get(user__username="tech1").user.__class__.objects.filter(username="tech1").update(
        first_name="", last_name=""
    )
    open_outage(ulp, 0)  # waiting, not routed
    open_outage(ulp, 40, address="")  # another, no address
    board = selectors.board_for(dispatcher)
    assert len(board["technicians"]) == 2
    assert len(board["unassigned"]) == 2
    for technician in board["technicians"]:
        assert isinstance(GenericTechnician(technician), drf.ModelSerializer)
        assert BoardTechnicianSerializer(technician).data == GenericTechnician(technician).data
    for ticket in board["unassigned"]:
        assert WaitingTicketSerializer(ticket).data == GenericWaiting(ticket).data
    names = [BoardTechnicianSerializer(t).data["name"] for t in board["technicians"]]
    assert names == ["Tech0", "tech1"]


@pytest.mark.parametrize("language", ["id", "en"])
def test_the_board_written_from_plain_rows_is_byte_for_byte_what_the_generic_serializers_give(
    ulp, dispatcher, language
):
    """The board API writes plain rows (``selectors.board_rows`` and ``board_data``); the generic ModelSerializer
    path over model rows (``selectors.board_for``) renders to the same bytes: keys, values, order, labels."""
    from datetime import timedelta

    from django.utils import timezone, translation
    from rest_framework import serializers as drf
    from rest_framework.renderers import JSONRenderer

    from dispatch import selectors
    from dispatch.api.serializers import (
        BoardTechnicianSerializer,
        IncidentSerializer,
        WaitingTicketSerializer,
        board_data,
    )
    from dispatch.models import Incident, Technician

    class GenericIncident(IncidentSerializer):
        pass

    class GenericTechnician(BoardTechnicianSerializer):
        pass

    class GenericWaiting(WaitingTicketSerializer):
        pass

    class GenericBoard(drf.Serializer):
        incidents = GenericIncident(many=True)
        unassigned = GenericWaiting(many=True)
        technicians = GenericTechnician(many=True)

    crew(ulp, "tech", 3, 100)
    services.route_ticket(ticket_id=open_outage(ulp, 0).pk)  # crewed
    services.route_ticket(ticket_id=open_outage(ulp, 30).pk)  # joins it
    services.route_ticket(ticket_id=open_outage(ulp, 20_000).pk)  # crewed by another
    services.route_ticket(ticket_id=open_outage(ulp, 40_000).pk)  # crewed by the third
    services.route_ticket(ticket_id=open_outage(ulp, 60_000).pk)  # nobody free
    first, second, third, fourth = Incident.objects.order_by("pk")
    Incident.objects.filter(pk=second.pk).update(
        status=Incident.Status.ON_THE_WAY,
        estimated_restoration_at=timezone.now() + timedelta(hours=2),
        cause="tree",
        feeder_code="PNY-1",
    )
    Incident.objects.filter(pk=third.pk).update(status=Incident.Status.PARTLY_RESTORED, lat=None, lng=None)
    Technician.objects.filter(user__username="tech0").update(
        last_lat=None, last_lng=None, last_position_at=None, skills=["jtm", "jtr"]
    )
    Technician.objects.filter(user__username="tech1").update(last_position_at=timezone.now() - timedelta(minutes=3))
    Technician.objects.get(user__username="tech1").user.__class__.objects.filter(username="tech1").update(
        first_name="", last_name="Surya"
    )
    open_outage(ulp, 80_000)  # waiting, not routed
    open_outage(ulp, 80_040, address="", lat=None, lng=None)  # another, no address, no position

    with translation.override(language):
        written = JSONRenderer().render(board_data(selectors.board_rows(dispatcher)))
        generic = JSONRenderer().render(GenericBoard(selectors.board_for(dispatcher)).data)
    assert written == generic
    # the fixture covers what it claims to
    data = board_data(selectors.board_rows(dispatcher))
    assert [i["status"] for i in data["incidents"]] == ["open", "on_the_way", "partly_restored", "open"]
    assert [i["assignment"] is None for i in data["incidents"]] == [False, False, False, True]
    assert data["incidents"][1]["estimated_restoration_at"] and data["incidents"][2]["lat"] is None
    assert len(data["unassigned"]) == 3 and len(data["technicians"]) == 3
    assert [t["name"] for t in data["technicians"]] == ["Tech0", "Surya", "Tech2"]


def statements(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries]


def writes(sqls: list[str], verb: str, table: str) -> int:
    """Statements ``verb`` (INSERT, UPDATE) on ``table`` (quoted by the ORM or not, in plain SQL)."""
    import re

    on_table = re.compile(rf'^{verb}\s+(INTO\s+)?"?{table}"?\s', re.IGNORECASE)
    return sum(1 for sql in sqls if on_table.match(sql.lstrip()))


def technician_reads(sqls: list[str]) -> int:
    """Candidate searches: reads of the technicians table ranked by the distance estimate."""
    return sum(1 for sql in sqls if 'FROM "dispatch_technician"' in sql and "SQRT" in sql.upper())


@pytest.mark.parametrize("by", ["transformer", "position"])
def test_reports_joining_a_crewed_incident_cost_one_insert_and_one_update_whatever_their_number(ulp, by):
    """A storm's reports mostly join an incident that has its crew: a batch of them is filed with one insert of
    the reports and one update of the incident, no candidate search, and each extra report costs no statement
    when its transformer groups it (one look-up of the nearest reports when its position does)."""
    from dispatch.models import Incident, IncidentReport
    from tests.factories import CustomerFactory
    from tickets.models import Ticket

    crew(ulp, "tech", 2, 100)
    fields = {"customer": CustomerFactory(unit=ulp, transformer_code="GD-9")} if by == "transformer" else {}
    services.route_ticket(ticket_id=open_outage(ulp, 0, **fields).pk)
    incident = Incident.objects.get()
    assert Assignment.objects.filter(incident=incident).count() == 1

    def batch(n: int, offset: int) -> list[int]:
        return [open_outage(ulp, offset + 3 * index, **fields).pk for index in range(n)]

    few, many = batch(2, 10), batch(12, 40)
    # when
    two = statements(lambda: services.route_tickets(ticket_ids=few))
    twelve = statements(lambda: services.route_tickets(ticket_ids=many))
    # then
    for sqls in (two, twelve):
        assert writes(sqls, "INSERT", IncidentReport._meta.db_table) == 1
        assert writes(sqls, "UPDATE", Incident._meta.db_table) == 1
        assert writes(sqls, "INSERT", Incident._meta.db_table) == 0
        assert technician_reads(sqls) == 0
    per_report = (len(twelve) - len(two)) / 10
    assert per_report <= (0 if by == "transformer" else 1), f"{per_report:.1f} statements per extra report"
    assert len(twelve) <= 11 + (0 if by == "transformer" else 11), "\n".join(twelve)
    incident.refresh_from_db()
    assert incident.report_count == 15
    assert Assignment.objects.count() == 1
    assert set(Ticket.objects.values_list("dispatch_state", flat=True)) == {Ticket.DispatchState.ASSIGNED}


def test_a_batch_searches_for_a_crew_once_per_new_incident_only(ulp):
    """New reports grouped into new incidents: one candidate search per new incident, none for the reports
    that join them or an incident already crewed."""
    from dispatch.models import Incident

    crew(ulp, "tech", 4, 100)
    services.route_ticket(ticket_id=open_outage(ulp, 0).pk)  # crewed
    joiners = [open_outage(ulp, 5 + index).pk for index in range(5)]
    first_new = [open_outage(ulp, 10_000 + 3 * index).pk for index in range(5)]
    second_new = [open_outage(ulp, 20_000 + 3 * index).pk for index in range(5)]
    # when
    sqls = statements(lambda: services.route_tickets(ticket_ids=joiners + first_new + second_new))
    # then
    assert Incident.objects.count() == 3
    assert writes(sqls, "INSERT", Incident._meta.db_table) == 2
    assert technician_reads(sqls) == 2  # the candidate pools
    assert Assignment.objects.count() == 3


def test_the_tasks_of_reports_a_batch_took_along_cost_one_read(ulp):
    """A routing task takes along its ULP's other handed-over reports; their own tasks then find them attached
    and crewed in one read, with no lock."""
    from tickets.models import Ticket

    crew(ulp, "tech", 2, 100)
    ids = [open_outage(ulp, 3 * index).pk for index in range(6)]
    Ticket.objects.filter(pk__in=ids).update(dispatch_state=Ticket.DispatchState.ENQUEUED)
    services.route_ticket(ticket_id=ids[0])
    for ticket_id in ids[1:]:
        sqls = statements(lambda ticket_id=ticket_id: services.route_ticket(ticket_id=ticket_id))
        assert len(sqls) == 1, sqls
        assert not any("FOR UPDATE" in sql.upper() for sql in sqls)
    assert Assignment.objects.count() == 1
    offer = services.route_ticket(ticket_id=ids[-1])
    assert offer.state == Assignment.State.OFFERED and offer.technician.user.username.startswith("tech")


def test_the_wide_area_check_of_an_incident_opened_or_joined_below_its_threshold_is_one_read(ulp):
    """Each incident a batch files into is announced, and the wide-area mode checked: below the threshold (and the
    mode off), one read of the threshold and the wide-area row — no count of its reports, no staged restorations."""
    crew(ulp, "tech", 1, 100)
    first, second = open_outage(ulp, 0), open_outage(ulp, 20)
    # when
    opened = statements(lambda: services.route_ticket(ticket_id=first.pk))
    joined = statements(lambda: services.route_ticket(ticket_id=second.pk))
    # then
    for sqls in (opened, joined):
        outages = [sql for sql in sqls if "outages_" in sql]
        assert len(outages) == 1, outages
        assert "outages_massoutagethreshold" in outages[0] and "outages_wideareaoutage" in outages[0]
        assert not any("COUNT(" in sql.upper() and "dispatch_incidentreport" in sql for sql in sqls)
    assert Assignment.objects.count() == 1


def test_a_routing_task_takes_its_ulps_handed_over_reports_along_in_nine_statements_whatever_their_number(ulp):
    """The task reads its state, locks the ULP, reads its report with the others handed over (one statement), the
    transformer's incident, and files them all into the crewed incident: one update, one insert, one read of the
    live crews, one update of the dispatch states, one wide-area check."""
    from dispatch.models import Incident
    from tests.factories import CustomerFactory
    from tickets.models import Ticket

    crew(ulp, "tech", 2, 100)
    customer = CustomerFactory(unit=ulp, transformer_code="GD-7")
    services.route_ticket(ticket_id=open_outage(ulp, 0, customer=customer).pk)

    def handed_over(n: int, offset: int) -> list[int]:
        ids = [open_outage(ulp, offset + 3 * index, customer=customer).pk for index in range(n)]
        Ticket.objects.filter(pk__in=ids).update(dispatch_state=Ticket.DispatchState.ENQUEUED)
        return ids

    few = handed_over(2, 10)
    two = statements(lambda: services.route_ticket(ticket_id=few[0]))
    many = handed_over(8, 40)
    eight = statements(lambda: services.route_ticket(ticket_id=many[0]))
    # then (the test's own transaction makes the task's a savepoint)
    two, eight = ([sql for sql in sqls if "SAVEPOINT" not in sql.upper()] for sqls in (two, eight))
    assert len(two) == len(eight) == 9, "\n".join(eight)
    assert Incident.objects.get().report_count == 11
    assert set(Ticket.objects.values_list("dispatch_state", flat=True)) == {Ticket.DispatchState.ASSIGNED}
