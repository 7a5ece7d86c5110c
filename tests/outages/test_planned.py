"""Planned outages: bad input refused with field messages, notices to opted-in customers of the area only,
reports inside the window recorded against the plan, never dispatched and off the regulator's clock."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from dispatch.models import IncidentReport
from dispatch.receivers import enqueue_routing
from notifications import messages
from outages import geometry, services
from outages.models import PlannedOutage, PlannedOutageReport
from tickets.models import Notification, Ticket, TicketServiceLevel
from tickets.sla import services as sla_services

from .conftest import INSIDE, OUTSIDE, POLYGON

pytestmark = pytest.mark.django_db


def plan_for(ulp, *, start=None, hours=4, **area):
    start = start or timezone.now() + timedelta(hours=2)
    area = area or {"transformer_codes": ["GD-A"]}
    return services.create_planned_outage(
        unit=ulp, title="Pemeliharaan gardu", starts_at=start, ends_at=start + timedelta(hours=hours), **area
    )


def test_point_in_polygon_with_shapely():
    assert geometry.contains(POLYGON, lat=INSIDE[0], lng=INSIDE[1])
    assert not geometry.contains(POLYGON, lat=OUTSIDE[0], lng=OUTSIDE[1])
    assert geometry.contains(POLYGON, lat=-1.22, lng=116.87)  # on the edge counts as inside


def test_staff_schedule_a_planned_outage_through_the_api(client_for, dispatcher, ulp, customers):
    start = timezone.now() + timedelta(hours=3)
    response = client_for(dispatcher).post(
        "/api/v1/outages/planned/",
        {
            "unit": ulp.code,
            "title": "Pemeliharaan jaringan",
            "area": POLYGON,
            "starts_at": start.isoformat(),
            "ends_at": (start + timedelta(hours=5)).isoformat(),
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["customers_affected"] == 3  # the three GD-A customers inside the polygon


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_at": -1}, "ends_at"),  # ends before it starts
        ({"starts_at": -48, "ends_at": -40}, "starts_at"),  # in the past
        ({"area": {"type": "Point", "coordinates": [116.8, -1.2]}}, "area"),  # not a polygon
        ({"area": None, "transformer_codes": []}, "area"),  # no area at all
    ],
)
def test_bad_windows_are_refused_with_field_messages(client_for, dispatcher, ulp, change, field):
    now = timezone.now()
    body = {
        "unit": ulp.code,
        "title": "Pemeliharaan",
        "transformer_codes": ["GD-A"],
        "starts_at": (now + timedelta(hours=2)).isoformat(),
        "ends_at": (now + timedelta(hours=6)).isoformat(),
    }
    for key, value in change.items():
        body[key] = (now + timedelta(hours=value)).isoformat() if key.endswith("_at") else value
    response = client_for(dispatcher).post("/api/v1/outages/planned/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]
    assert not PlannedOutage.objects.exists()


def test_an_identical_overlapping_window_is_refused_but_another_area_is_not(ulp, customers):
    first = plan_for(ulp)
    with pytest.raises(ValidationError) as refused:
        plan_for(ulp, start=first.starts_at + timedelta(hours=1))
    assert "starts_at" in refused.value.message_dict
    plan_for(ulp, start=first.starts_at + timedelta(hours=1), transformer_codes=["GD-B"])
    plan_for(ulp, start=first.ends_at)  # right after: no overlap
    assert PlannedOutage.objects.count() == 3


def test_opted_in_customers_of_the_area_are_told_before_and_at_the_end_once(ulp, customers, report):
    inside_opted, inside_silent = customers["a0"], customers["a1"]
    outside_opted = customers["b0"]
    services.opt_in(customer=inside_opted, language="en")
    services.opt_in(customer=outside_opted)
    plan = plan_for(ulp, start=timezone.now() + timedelta(hours=2), hours=3)

    assert services.send_planned_notices(now=timezone.now() - timedelta(hours=30)) == 0  # too early
    assert services.send_planned_notices() == 1
    assert services.send_planned_notices() == 0  # a second sweep sends nothing again
    notice = Notification.objects.get(kind=messages.PLANNED_OUTAGE_NOTICE)
    assert notice.address == inside_opted.phone and notice.ticket_id is None
    text = messages.compose(notice).text
    assert "planned maintenance outage" in text and "WITA" in text
    assert not Notification.objects.filter(address__in=[inside_silent.phone, outside_opted.phone]).exists()

    services.end_planned_outages(now=plan.ends_at + timedelta(minutes=1))
    services.end_planned_outages(now=plan.ends_at + timedelta(minutes=2))
    ended = Notification.objects.filter(kind=messages.PLANNED_OUTAGE_ENDED)
    assert [n.address for n in ended] == [inside_opted.phone]


def test_indonesian_notice_text(ulp, customers):
    services.opt_in(customer=customers["a0"], language="id")
    plan_for(ulp, start=timezone.now() + timedelta(hours=1))
    services.send_planned_notices()
    text = messages.compose(Notification.objects.get()).text
    assert "pemadaman terencana" in text.lower() or "pemeliharaan" in text.lower()


def test_a_report_inside_the_window_is_recorded_against_the_plan_not_dispatched_and_off_the_clock(
    ulp, customers, report, window, django_capture_on_commit_callbacks
):
    plan = plan_for(ulp, start=window[0] + timedelta(seconds=30), hours=4)
    PlannedOutage.objects.filter(pk=plan.pk).update(starts_at=window[0])  # already started
    with django_capture_on_commit_callbacks(execute=True):
        inside = report(customers["a0"], attach=False)
    inside.refresh_from_db()
    assert PlannedOutageReport.objects.get(ticket=inside).plan == plan
    assert inside.dispatch_state == Ticket.DispatchState.NOT_NEEDED
    enqueue_routing(inside.pk)  # even a late routing attempt does nothing
    assert not IncidentReport.objects.filter(ticket=inside).exists()
    clock = TicketServiceLevel.objects.get(ticket=inside)
    assert clock.exemption == "planned" and clock.target is None and clock.response_due_at is None
    assert inside.events.filter(is_public=True, kind="public_update").exists()  # told why no crew comes

    # Hours later the sweep records no breach for the exempt ticket, but does for an ordinary one.
    outside = report(customers["b0"], attach=False)
    assert not PlannedOutageReport.objects.filter(ticket=outside).exists()
    assert TicketServiceLevel.objects.get(ticket=outside).response_due_at is not None
    sla_services.check_service_levels(now=timezone.now() + timedelta(hours=3))
    assert TicketServiceLevel.objects.get(ticket=inside).response_breached_at is None
    assert TicketServiceLevel.objects.get(ticket=outside).response_breached_at is not None

    # When the window ends the plan's reports are restored.
    services.end_planned_outages(now=plan.ends_at + timedelta(minutes=1))
    inside.refresh_from_db()
    assert inside.status == Ticket.Status.RESTORED


def test_a_report_by_position_inside_a_polygon_plan(ulp, report, window):
    plan = services.create_planned_outage(
        unit=ulp, title="Pemeliharaan", starts_at=window[0] + timedelta(minutes=1), ends_at=window[1], area=POLYGON
    )
    PlannedOutage.objects.filter(pk=plan.pk).update(starts_at=window[0])
    ticket = report(phone="+6281299990000", attach=False, lat=INSIDE[0], lng=INSIDE[1], unit=ulp)
    assert PlannedOutageReport.objects.filter(ticket=ticket, plan=plan).exists()
    away = report(phone="+6281299990000", attach=False, lat=OUTSIDE[0], lng=OUTSIDE[1], unit=ulp)
    assert not PlannedOutageReport.objects.filter(ticket=away).exists()


def test_the_console_shows_planned_work_to_callers_of_the_area_only(ulp, customers):
    from hotline.api.views import caller_context

    plan_for(ulp, start=timezone.now() + timedelta(hours=1))
    inside = caller_context(customers=[customers["a0"]], phone=customers["a0"].phone)["incidents"]
    outside = caller_context(customers=[customers["b0"]], phone=customers["b0"].phone)["incidents"]
    assert [n["kind"] for n in inside] == ["planned"] and "Pemeliharaan gardu" in inside[0]["title"]
    assert outside == []
