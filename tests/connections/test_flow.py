"""An application walked through its stages by staff and technicians: survey, fee, payment, SLO, installation,
energising; the customer record follows, the clock pauses while the customer acts, the billing export."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from connections import services
from connections.models import Application, CustomerChange, Programme
from core.errors import ApplicationError, ConflictError
from dispatch import services as dispatch_services
from dispatch.models import FieldJob
from tests.dispatch.conftest import make_technician
from tests.factories import make_staff
from tickets.models import CustomerHistory, Notification, TicketEvent

from .conftest import new_connection, png, power_change


@pytest.fixture
def staff(ulp):
    return make_staff(role="back_office", unit=ulp, username="bella-backoffice")


@pytest.fixture
def crew(ulp):
    return make_technician(ulp, "rudi", 0, skills=["lv", "meter"])


@pytest.fixture
def running_programme(db):
    today = timezone.localdate()
    return Programme.objects.create(
        code="akhir-tahun",
        name_id="Promo Akhir Tahun",
        name_en="Year-end offer",
        applies_to="both",
        starts_on=today - timedelta(days=3),
        ends_on=today + timedelta(days=10),
        discount="percent",
        discount_value=50,
    )


def window(days=1):
    start = (timezone.now() + timedelta(days=days)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=3)


def work(job, tech, result):
    dispatch_services.offer_field_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.technician_id == tech.pk
    for step in ("accept", "depart", "arrive"):
        job = dispatch_services.take_field_job_step(job=job, technician=tech, step=step)
    return dispatch_services.take_field_job_step(job=job, technician=tech, step="finish", result=result)


def reload(application):
    return Application.objects.select_related("ticket", "new_customer", "programme").get(pk=application.pk)


def test_a_new_connection_from_application_to_a_new_customer(ulp, staff, crew, running_programme):
    application = new_connection(requested_va=1300)
    start, end = window()
    services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    application = reload(application)
    assert application.stage == "survei" and application.ticket.status == "in_progress"
    survey = FieldJob.objects.get(ticket=application.ticket, kind="survey")
    work(survey, crew, {"outcome": "feasible", "notes": "Tiang dekat"})
    application = reload(application)
    assert application.stage == "penetapan_biaya"
    assert (application.normal_fee, application.price) == (1_218_000, 609_000)
    assert application.programme == running_programme
    services.set_fee(application=application, by=staff)
    application = reload(application)
    assert application.stage == "pembayaran" and application.ticket.status == "waiting_customer"
    assert application.ticket.service_level.paused_since is not None  # the clock waits for the customer
    with pytest.raises(ApplicationError) as caught:
        services.record_payment(application=application, by=staff, amount=100)
    assert "amount" in caught.value.extra["fields"]
    services.record_payment(application=application, by=staff, amount="609.000", reference="BANK-1")
    application = reload(application)
    assert application.stage == "slo_kontrak" and application.ticket.service_level.paused_since is not None
    services.add_document(application=application, kind="slo", upload=png("slo.png"))
    services.record_slo_contract(application=application, by=staff, slo_number="SLO-123", contract_number="SPJ-9")
    application = reload(application)
    level = application.ticket.service_level
    assert application.stage == "pemasangan" and level.paused_since is None and len(level.pauses) == 1
    services.order_installation(
        application=application, window_start=start + timedelta(days=2), window_end=end + timedelta(days=2), by=staff
    )
    job = FieldJob.objects.get(ticket=application.ticket, kind="installation")
    work(job, crew, {"meter_number": "45099887766", "seal_numbers": "A1", "reading_kwh": "0", "photo": png()})
    application = reload(application)
    customer = application.new_customer
    assert application.stage == "nyala" and application.ticket.status == "resolved"
    assert len(customer.id_pelanggan) == 12 and customer.id_pelanggan.startswith(f"5{ulp.pk:04d}")
    assert (customer.power_va, customer.tariff, customer.payment_type, customer.meter_number) == (
        1300,
        "R-1/TR",
        "prepaid",
        "45099887766",
    )
    assert CustomerHistory.objects.get(customer=customer).change == "opened"
    change = CustomerChange.objects.get()
    assert (change.change, change.id_pelanggan, change.first_reading_kwh) == (
        "new_account",
        customer.id_pelanggan,
        Decimal("0.0"),
    )
    assert application.ticket.service_level.resolution_met is True
    public = application.ticket.events.filter(is_public=True)
    assert public.filter(message__contains=customer.id_pelanggan).exists()
    assert Notification.objects.filter(ticket=application.ticket).count() >= 6
    services.move_stage(application=application, to_stage="selesai", by=staff)
    assert reload(application).ticket.status == "closed"


def test_a_power_change_updates_the_contract_and_its_history(ulp, staff, crew, customer, running_programme):
    application = power_change(customer, requested_va=2200, tariff="R-1/TR")
    start, end = window()
    services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    work(FieldJob.objects.get(kind="survey"), crew, {"outcome": "extension"})
    application = reload(application)
    assert application.network_work == "extension"
    assert application.ticket.service_level.target.network_work == "extension"  # 30 working days now
    services.set_fee(application=application, by=staff)
    application = reload(application)
    assert (application.normal_fee, application.price) == (1_218_100, 609_050)
    services.record_payment(application=application, by=staff, amount=609_050)
    services.record_slo_contract(application=application, by=staff, slo_number="S", contract_number="C")
    services.energise(application=reload(application), by=staff, meter_number="45011112222")
    customer.refresh_from_db()
    assert (customer.power_va, customer.tariff, customer.meter_number) == (2200, "R-1/TR", "45011112222")
    history = CustomerHistory.objects.get(customer=customer)
    assert (history.old_power_va, history.new_power_va, history.change) == (900, 2200, "power_change")
    out = io.StringIO()
    call_command("export_customer_changes", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().strip().splitlines()
    assert lines[0].startswith("id,change,id_pelanggan") and f",power_change,{customer.id_pelanggan}," in lines[1]
    assert CustomerChange.objects.get().exported_at is not None
    again = io.StringIO()
    call_command("export_customer_changes", stdout=again, stderr=io.StringIO())
    assert len(again.getvalue().strip().splitlines()) == 1  # the header only: exported once


def test_stages_cannot_be_skipped_or_done_twice(ulp, staff):
    application = new_connection()
    with pytest.raises(ConflictError):
        services.set_fee(application=application, by=staff)
    with pytest.raises(ConflictError):
        services.record_payment(application=application, by=staff, amount=1)
    start, end = window()
    services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    with pytest.raises(ConflictError):
        services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    assert FieldJob.objects.count() == 1 and reload(application).stage == "survei"


def test_a_move_from_a_stale_page_is_a_conflict_and_changes_nothing(ulp, staff):
    application = new_connection()
    services.move_stage(application=application, to_stage="ditolak", by=staff, reason="Alamat di luar wilayah")
    with pytest.raises(ConflictError) as caught:
        services.move_stage(
            application=application, to_stage="dibatalkan", by=staff, reason="x", expected_stage="permohonan"
        )
    assert caught.value.status_code == 409
    application = reload(application)
    assert application.stage == "ditolak" and application.reason == "Alamat di luar wilayah"
    assert application.ticket.status == "cancelled"


def test_rejecting_needs_a_reason(ulp, staff):
    application = new_connection()
    with pytest.raises(ApplicationError) as caught:
        services.move_stage(application=application, to_stage="ditolak", by=staff, reason=" ")
    assert "reason" in caught.value.extra["fields"] and reload(application).stage == "permohonan"


def test_paying_for_a_programme_that_has_ended_is_refused(ulp, staff, crew, running_programme):
    application = new_connection()
    start, end = window()
    services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    work(FieldJob.objects.get(kind="survey"), crew, {"outcome": "feasible"})
    services.set_fee(application=reload(application), by=staff)
    running_programme.ends_on = timezone.localdate() - timedelta(days=1)
    running_programme.save()
    application = reload(application)
    with pytest.raises(ApplicationError) as caught:
        services.record_payment(application=application, by=staff, amount=application.price)
    assert "amount" in caught.value.extra["fields"]
    assert reload(application).stage == "pembayaran" and reload(application).paid_at is None
    services.set_fee(application=application, by=staff)  # set again: the normal fee now
    application = reload(application)
    assert application.stage == "pembayaran" and application.price == application.normal_fee == 2_062_000


def test_a_not_feasible_survey_rejects_with_the_reason(ulp, staff, crew):
    application = new_connection()
    start, end = window()
    services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    work(FieldJob.objects.get(kind="survey"), crew, {"outcome": "not_feasible", "notes": "Tidak ada jaringan"})
    application = reload(application)
    assert application.stage == "ditolak" and "Tidak ada jaringan" in application.reason


def test_the_applicant_sends_a_missing_document_from_the_tracking_page(ulp, client):
    application = new_connection(tariff="B-1/TR", documents={"ktp": png(), "nib": png("nib.png")})
    application.documents.filter(kind="nib").delete()
    page = client.get(f"/t/{application.ticket.tracking_token}/")
    assert page.status_code == 200 and 'id="document-form"' in page.content.decode()
    token = application.ticket.tracking_token
    response = client.post(f"/sambung/dokumen/{token}/", {"kind": "nib", "file": png("nib.png")})
    assert response.status_code == 302
    assert application.documents.filter(kind="nib").exists()
    assert application.ticket.events.filter(kind=TicketEvent.Kind.PUBLIC_UPDATE).exists()
    bad = client.post(f"/sambung/dokumen/{token}/", {"kind": "ktp", "file": io.BytesIO(b"nope")})
    assert bad.status_code == 302 and application.documents.filter(kind="ktp").count() == 1


def test_staff_act_from_the_back_office_page_and_a_stale_second_move_gets_409(ulp, staff, client):
    application = new_connection()
    client.force_login(staff)
    page = client.get(f"/backoffice/t/{application.ticket.number}/")
    assert page.status_code == 200 and 'id="connection-staff"' in page.content.decode()
    day = (timezone.localdate() + timedelta(days=2)).isoformat()
    url = f"/backoffice/connections/{application.pk}/survey/"
    first = client.post(url, {"expected_stage": "permohonan", "day": day, "start": "09:00", "end": "12:00"})
    assert first.status_code == 302
    second = client.post(url, {"expected_stage": "permohonan", "day": day, "start": "09:00", "end": "12:00"})
    assert second.status_code == 409
    assert FieldJob.objects.count() == 1
    bad = client.post(f"/backoffice/connections/{application.pk}/reject/", {"expected_stage": "survei", "reason": ""})
    assert bad.status_code == 400 and reload(application).stage == "survei"


def test_what_the_applicant_reads_is_in_their_language_whoever_moves_it(ulp, staff):
    from django.utils import translation

    application = new_connection(language="id")
    start, end = window()
    with translation.override("en"):
        services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    texts = list(application.ticket.events.filter(is_public=True).values_list("message", flat=True))
    assert any(text.startswith("Tahap: Survei.") for text in texts)
    assert any(text.startswith("Kunjungan Survei dijadwalkan") for text in texts)


def test_the_applicant_is_told_each_stage_in_words(ulp, staff):
    from notifications import messages

    application = new_connection(language="id")
    start, end = window()
    services.order_survey(application=application, window_start=start, window_end=end, by=staff)
    stage_note = Notification.objects.filter(ticket=application.ticket, event__data__stage="survei").first()
    assert stage_note is not None
    text = messages.compose(stage_note).text
    assert text.startswith(f"PLN 123, laporan {application.ticket.number}: Tahap: Survei.")
