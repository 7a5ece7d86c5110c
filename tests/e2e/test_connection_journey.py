"""A new connection on a phone (360 px): applied for on the public form without an ID pelanggan, quoted with the
running programme, taken by the back office and a technician through survey, payment, installation and
energising; the tracking page shows each stage and the new ID pelanggan."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from connections import catalogue, services
from connections.models import Application, FeeRule, FeeSchedule, Programme
from core import roles
from dispatch import services as dispatch_services
from dispatch.models import FieldJob
from tests.factories import ServiceUnitFactory, make_staff

from .test_dispatch_journeys import technician


@pytest.fixture
def balikpapan(transactional_db):
    return ServiceUnitFactory(
        code="ULP-BPP-SELATAN", name="ULP Balikpapan Selatan", center_lat=-1.2650, center_lng=116.8890
    )


def test_a_new_connection_from_the_public_form_to_its_new_id_pelanggan(balikpapan, phone_page, tmp_path):
    catalogue.load(FeeSchedule, FeeRule, Programme)  # the data migration's rows (emptied by earlier live tests)
    today = timezone.localdate()
    Programme.objects.create(
        code="akhir-tahun",
        name_id="Diskon Akhir Tahun",
        name_en="Year-end discount",
        applies_to="both",
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=5),
        discount="percent",
        discount_value=50,
    )
    staff = make_staff(role=roles.BACK_OFFICE, unit=balikpapan, username="bella")
    tech = technician(balikpapan, "budi", lat=-1.2651, lng=116.8891)
    tech.skills = ["lv", "meter"]
    tech.save(update_fields=["skills"])
    ktp = tmp_path / "ktp.png"
    buffer = io.BytesIO()
    Image.new("RGB", (64, 40), "white").save(buffer, "PNG")
    ktp.write_bytes(buffer.getvalue())

    page = phone_page
    page.goto("/sambung/")
    expect(page.locator("#running-programmes")).to_contain_text("Diskon Akhir Tahun")
    page.check("input[name=kind][value=new_connection]")
    expect(page.locator("#idpel-field")).to_be_hidden()  # no ID pelanggan for a new connection
    page.fill("#id_applicant_name", "Siti Aminah")
    page.fill("#id_nik", "6471054507900003")
    page.fill("#id_phone", "081234567890")
    page.fill("#id_address", "Jl. Melati 7, Balikpapan")
    page.click("#use-location")  # the phone's position (granted by the fixture)
    expect(page.locator("#id_lat")).not_to_have_value("")
    page.select_option("#id_requested_va", "2200")
    page.select_option("#id_tariff", "R-1/TR")
    page.set_input_files("#id_ktp", str(ktp))
    page.click("#submit-application")
    expect(page.locator("#connection")).to_have_attribute("data-stage", "permohonan")
    expect(page.locator("#connection-quote")).to_contain_text("Rp 1.031.000")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    tracking = page.url

    application = Application.objects.get()
    assert application.unit == balikpapan and application.customer is None
    start = timezone.now() + timedelta(hours=2)
    services.order_survey(application=application, window_start=start, window_end=start + timedelta(hours=2), by=staff)
    survey = FieldJob.objects.get(kind="survey")
    dispatch_services.offer_field_job(job_id=survey.pk)
    for step in ("accept", "depart", "arrive"):
        survey = dispatch_services.take_field_job_step(job=survey, technician=tech, step=step)
    dispatch_services.take_field_job_step(job=survey, technician=tech, step="finish", result={"outcome": "feasible"})
    page.goto(tracking)
    expect(page.locator("#connection")).to_have_attribute("data-stage", "penetapan_biaya")
    services.set_fee(application=Application.objects.get(), by=staff)
    page.goto(tracking)
    expect(page.locator("#connection-needs")).to_contain_text("Rp 1.031.000")
    services.record_payment(application=Application.objects.get(), by=staff, amount=1_031_000)
    services.record_slo_contract(
        application=Application.objects.get(), by=staff, slo_number="SLO-1", contract_number="SPJ-1"
    )
    services.order_installation(
        application=Application.objects.get(),
        window_start=start + timedelta(hours=3),
        window_end=start + timedelta(hours=5),
        by=staff,
    )
    installation = FieldJob.objects.get(kind="installation")
    dispatch_services.offer_field_job(job_id=installation.pk)
    for step in ("accept", "depart", "arrive"):
        installation = dispatch_services.take_field_job_step(job=installation, technician=tech, step=step)
    from django.core.files.uploadedfile import SimpleUploadedFile

    dispatch_services.take_field_job_step(
        job=installation,
        technician=tech,
        step="finish",
        result={
            "meter_number": "45012345678",
            "seal_numbers": "S-1",
            "reading_kwh": "0",
            "photo": SimpleUploadedFile("r.png", buffer.getvalue()),
        },
    )
    idpel = Application.objects.get().new_customer.id_pelanggan
    page.goto(tracking)
    expect(page.locator("#connection")).to_have_attribute("data-stage", "nyala")
    expect(page.locator("#new-idpel")).to_contain_text(idpel)
    expect(page.locator("#stage-steps li.stage-done")).to_have_count(6)
    expect(page.locator("#timeline")).to_contain_text("Tahap: Pembayaran")
