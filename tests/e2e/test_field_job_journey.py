"""A scheduled visit on a phone (360 px): offered to the technician, accepted, worked and closed with the
result form, and the ordering app hears the result."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from dispatch import services, signals
from dispatch.models import FieldJob
from tests.factories import ServiceUnitFactory, category
from tickets import services as ticket_services

from .test_dispatch_journeys import PASSWORD, log_in, technician


@pytest.fixture
def balikpapan_ulp(transactional_db):
    return ServiceUnitFactory(code="ULP-E2E", name="ULP Balikpapan Selatan", center_lat=-1.27, center_lng=116.88)


def test_a_technician_accepts_works_and_closes_an_installation_on_a_phone(balikpapan_ulp, phone_page, tmp_path):
    heard = []
    signals.field_job_finished.connect(
        lambda sender, job, result, **kw: heard.append(result), weak=False, dispatch_uid="e2e-heard"
    )
    try:
        tech = technician(balikpapan_ulp, "mira")
        tech.skills = ["lv", "meter"]
        tech.save(update_fields=["skills"])
        ticket = ticket_services.open_ticket(
            category=category("LY-PB"),
            channel="web",
            description="Pasang baru 2200 VA",
            reporter_phone="081234567890",
            reporter_name="Budi",
            unit=balikpapan_ulp,
            lat=-1.27,
            lng=116.88,
            address="Jl. Mawar 3, Balikpapan",
        )
        start = timezone.now() + timedelta(hours=2)
        job = services.order_field_job(
            kind="installation", ticket=ticket, window_start=start, window_end=start + timedelta(hours=3)
        )
        services.offer_field_job(job_id=job.pk)
        photo = tmp_path / "register.png"
        buffer = io.BytesIO()
        Image.new("RGB", (32, 32), "white").save(buffer, "PNG")
        photo.write_bytes(buffer.getvalue())
        page = phone_page
        assert PASSWORD
        log_in(page, "mira", "/tech/field-jobs/")
        page.get_by_role("link", name=ticket.number, exact=False).click()
        expect(page.locator("#field-job")).to_have_attribute("data-status", "offered")
        page.get_by_role("button", name="Terima").click()
        expect(page.locator("#field-job")).to_have_attribute("data-status", "accepted")
        page.get_by_role("button", name="Berangkat").click()
        expect(page.locator("#field-job")).to_have_attribute("data-status", "on_the_way")
        page.get_by_role("button", name="Di lokasi").click()
        expect(page.locator("#result-form")).to_be_visible()
        # The form fits the phone: no sideways scrolling.
        assert page.evaluate("document.documentElement.scrollWidth") <= 360
        page.fill("#id_meter_number", "45012345678")
        page.fill("#id_seal_numbers", "S-1, S-2")
        page.fill("#id_reading_kwh", "0")
        page.set_input_files("#id_photo", str(photo))
        page.get_by_role("button", name="Kirim hasil").click()
        expect(page.locator("#job-done")).to_be_visible()
        job.refresh_from_db()
        assert (job.status, job.meter_number) == (FieldJob.Status.DONE, "45012345678")
        assert heard and heard[0]["meter_number"] == "45012345678"
    finally:
        signals.field_job_finished.disconnect(dispatch_uid="e2e-heard")
