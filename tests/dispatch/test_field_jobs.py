"""Scheduled field jobs: ordered for a ticket, offered to a qualified technician of its ULP, worked on the
phone, closed with a typed result that the ordering app hears about."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from core.errors import ApplicationError, ConflictError
from dispatch import services, signals
from dispatch.models import FieldJob
from tests.factories import category
from tickets import services as ticket_services
from tickets.models import TicketEvent

from .conftest import make_technician

BASE = "/api/v1/dispatch"


def png(name="register.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def application_ticket(unit, code="LY-PB"):
    return ticket_services.open_ticket(
        category=category(code),
        channel="web",
        description="Pasang baru 2200 VA",
        reporter_phone="081234567890",
        reporter_name="Budi",
        unit=unit,
        lat=-1.2125,
        lng=116.8722,
        address="Jl. Mawar 3",
    )


def tomorrow(hour: int) -> timezone.datetime:
    base = (timezone.now() + timedelta(days=1)).replace(minute=0, second=0, microsecond=0)
    return base.replace(hour=hour)


def order(ticket, kind="survey", **extra):
    return services.order_field_job(kind=kind, ticket=ticket, window_start=tomorrow(1), window_end=tomorrow(4), **extra)


@pytest.fixture
def finished():
    """Collect field_job_finished announcements."""
    heard = []

    def receiver(sender, job, result, **kwargs):
        heard.append((job.pk, result))

    signals.field_job_finished.connect(receiver, dispatch_uid="test-finished")
    yield heard
    signals.field_job_finished.disconnect(dispatch_uid="test-finished")


def test_a_job_is_offered_to_the_qualified_on_duty_technician_of_its_ulp(
    ulp, other_ulp, django_capture_on_commit_callbacks
):
    # given: one without the skill, one off duty, one of another ULP, and the right one
    make_technician(ulp, "linda", 0, skills=["mv"])
    make_technician(ulp, "okta", 0, skills=["lv"], on_duty=False, state="off")
    make_technician(other_ulp, "farid", 0, skills=["lv"])
    right = make_technician(ulp, "rudi", 900, skills=["lv"])
    ticket = application_ticket(ulp)
    # when
    with django_capture_on_commit_callbacks(execute=True):
        job = order(ticket, notes="Bring the ladder")
    # then
    job.refresh_from_db()
    assert (job.status, job.technician_id, job.skill) == ("offered", right.pk, "lv")
    assert ticket.events.filter(kind=TicketEvent.Kind.PUBLIC_UPDATE, is_public=True).exists()


def test_nobody_qualified_leaves_the_job_scheduled_until_the_sweeper_finds_someone(
    ulp, django_capture_on_commit_callbacks
):
    ticket = application_ticket(ulp)
    with django_capture_on_commit_callbacks(execute=True):
        job = order(ticket, kind="installation")
    job.refresh_from_db()
    assert job.status == "scheduled" and job.technician_id is None
    # when: a meter technician comes on duty and the sweeper runs
    tech = make_technician(ulp, "mira", 0, skills=["meter"])
    counts = services.sweep_dispatch()
    # then
    job.refresh_from_db()
    assert counts["field_jobs"] == 1
    assert (job.status, job.technician_id) == ("offered", tech.pk)


@pytest.mark.parametrize(
    "start, end, field",
    [(4, 1, "window_end"), (1, 1, "window_end")],
)
def test_a_window_that_ends_before_it_starts_is_refused(ulp, start, end, field):
    ticket = application_ticket(ulp)
    with pytest.raises(ApplicationError) as caught:
        services.order_field_job(kind="survey", ticket=ticket, window_start=tomorrow(start), window_end=tomorrow(end))
    assert field in caught.value.extra["fields"]
    assert not FieldJob.objects.exists()


def test_a_second_open_job_of_the_same_kind_is_a_conflict(ulp):
    ticket = application_ticket(ulp)
    order(ticket)
    with pytest.raises(ConflictError):
        order(ticket)
    assert FieldJob.objects.count() == 1


def test_a_survey_walks_to_done_and_the_ordering_app_hears_the_result(
    ulp, finished, django_capture_on_commit_callbacks
):
    tech = make_technician(ulp, "rudi", 0, skills=["lv"])
    with django_capture_on_commit_callbacks(execute=True):
        job = order(application_ticket(ulp))
    for step in ("accept", "depart", "arrive"):
        job = services.take_field_job_step(job=job, technician=tech, step=step)
    # when
    job = services.take_field_job_step(
        job=job, technician=tech, step="finish", result={"outcome": "extension", "notes": "Tiang 40 m", "photo": png()}
    )
    # then
    assert job.status == "done" and job.survey_outcome == "extension"
    assert finished == [(job.pk, job.result)]
    assert finished[0][1]["outcome"] == "extension" and finished[0][1]["status"] == "done"
    assert len(finished[0][1]["photos"]) == 1


def test_an_installation_needs_meter_seals_reading_and_photo_and_nothing_changes_without(ulp, finished):
    tech = make_technician(ulp, "mira", 0, skills=["meter"])
    job = order(application_ticket(ulp), kind="installation")
    services.offer_field_job(job_id=job.pk)
    for step in ("accept", "depart", "arrive"):
        job = services.take_field_job_step(job=job, technician=tech, step=step)
    # when
    with pytest.raises(ApplicationError) as caught:
        services.take_field_job_step(
            job=job, technician=tech, step="finish", result={"meter_number": "123", "reading_kwh": "-1"}
        )
    # then
    assert set(caught.value.extra["fields"]) == {"meter_number", "seal_numbers", "reading_kwh", "photo"}
    job.refresh_from_db()
    assert job.status == "on_site" and finished == []
    # and with everything
    job = services.take_field_job_step(
        job=job,
        technician=tech,
        step="finish",
        result={"meter_number": "45012345678", "seal_numbers": "S-1, S-2", "reading_kwh": "0,0", "photo": png()},
    )
    assert finished[0][1]["meter_number"] == "45012345678"
    assert finished[0][1]["reading_kwh"] == "0.0"


def test_steps_out_of_order_or_on_another_technicians_job_are_refused(ulp):
    tech = make_technician(ulp, "rudi", 0, skills=["lv"])
    other = make_technician(ulp, "sita", 0, skills=["lv"])
    job = order(application_ticket(ulp))
    services.offer_field_job(job_id=job.pk)
    job.refresh_from_db()
    holder, stranger = (tech, other) if job.technician_id == tech.pk else (other, tech)
    with pytest.raises(ConflictError):
        services.take_field_job_step(job=job, technician=holder, step="arrive")
    with pytest.raises(ApplicationError) as caught:
        services.take_field_job_step(job=job, technician=stranger, step="accept")
    assert caught.value.status_code == 403
    job.refresh_from_db()
    assert job.status == "offered"


def test_a_declined_job_goes_to_the_next_technician(ulp, django_capture_on_commit_callbacks):
    first = make_technician(ulp, "rudi", 0, skills=["lv"])
    second = make_technician(ulp, "sita", 5000, skills=["lv"])
    with django_capture_on_commit_callbacks(execute=True):
        job = order(application_ticket(ulp))
    job.refresh_from_db()
    assert job.technician_id == first.pk
    with django_capture_on_commit_callbacks(execute=True):
        services.take_field_job_step(job=job, technician=first, step="decline", reason="Sakit")
    job.refresh_from_db()
    assert (job.status, job.technician_id, job.declined_by) == ("offered", second.pk, [first.pk])


def test_a_failed_visit_is_announced_with_its_reason(ulp, finished):
    tech = make_technician(ulp, "rudi", 0, skills=["lv"])
    job = order(application_ticket(ulp))
    services.offer_field_job(job_id=job.pk)
    services.take_field_job_step(job=job, technician=tech, step="accept")
    with pytest.raises(ApplicationError):
        services.take_field_job_step(job=job, technician=tech, step="fail")
    job = services.take_field_job_step(job=job, technician=tech, step="fail", reason="Rumah kosong")
    assert finished[0][1]["status"] == "failed" and finished[0][1]["reason"] == "Rumah kosong"


def test_the_dispatcher_assigns_by_hand_only_to_a_qualified_technician_of_the_ulp(ulp, other_ulp):
    job = order(application_ticket(ulp))
    mv_only = make_technician(ulp, "linda", 0, skills=["mv"])
    elsewhere = make_technician(other_ulp, "farid", 0, skills=["lv"])
    good = make_technician(ulp, "rudi", 0, skills=["lv"], on_duty=False)
    for wrong in (mv_only, elsewhere):
        with pytest.raises(ApplicationError) as caught:
            services.assign_field_job(job=job, technician=wrong, by=None)
        assert "technician" in caught.value.extra["fields"]
    job = services.assign_field_job(job=job, technician=good, by=None, reason="Knows the street")
    assert (job.status, job.technician_id) == ("assigned", good.pk)
    assert services.take_field_job_step(job=job, technician=good, step="accept").status == "accepted"


def test_the_api_lists_my_visits_and_takes_the_steps_with_the_result(ulp, client_for, finished):
    tech = make_technician(ulp, "mira", 0, skills=["meter"])
    job = order(application_ticket(ulp), kind="meter_check")
    services.offer_field_job(job_id=job.pk)
    client = client_for(tech.user)
    listed = client.get(f"{BASE}/field-jobs/").json()
    assert [row["id"] for row in listed] == [job.pk] and listed[0]["status"] == "offered"
    for step in ("accept", "depart", "arrive"):
        assert client.post(f"{BASE}/field-jobs/{job.pk}/steps/", {"step": step}, format="json").status_code == 200
    bad = client.post(f"{BASE}/field-jobs/{job.pk}/steps/", {"step": "finish", "reading_kwh": "x"}, format="multipart")
    assert bad.status_code == 400 and "reading_kwh" in bad.json()["extra"]["fields"]
    done = client.post(
        f"{BASE}/field-jobs/{job.pk}/steps/",
        {"step": "finish", "reading_kwh": "1234.5", "photo": png(), "notes": "Segel utuh"},
        format="multipart",
    )
    assert done.status_code == 200 and done.json()["result"]["reading_kwh"] == "1234.5"
    assert finished[0][1]["register_photo"]
    again = client.post(f"{BASE}/field-jobs/{job.pk}/steps/", {"step": "arrive"}, format="json")
    assert again.status_code == 409


def test_the_technician_page_lists_and_works_a_visit(ulp, client):
    tech = make_technician(ulp, "rudi", 0, skills=["lv"])
    job = order(application_ticket(ulp))
    services.offer_field_job(job_id=job.pk)
    client.force_login(tech.user)
    page = client.get("/tech/field-jobs/")
    assert page.status_code == 200 and job.ticket.number in page.content.decode()
    assert client.post(f"/tech/field-jobs/{job.pk}/", {"step": "accept"}).status_code == 302
    refused = client.post(f"/tech/field-jobs/{job.pk}/", {"step": "finish"})
    assert refused.status_code == 409
    job.refresh_from_db()
    assert job.status == "accepted"


def test_the_dispatcher_list_shows_the_visits_of_their_units(ulp, dispatcher, client):
    job = order(application_ticket(ulp))
    client.force_login(dispatcher)
    page = client.get("/dispatch/field-jobs/")
    assert page.status_code == 200 and job.ticket.number in page.content.decode()
