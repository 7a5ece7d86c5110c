"""Demo applications in the Balikpapan ULPs at different stages, and a programme running now, so that the back
office (backoffice, ULP Balikpapan Utara), tech1 and tech2 see connection work after ``./sigap run``."""

import io
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from dispatch import services as dispatch_services
from dispatch.models import FieldJob, Technician
from tickets.models import Customer, ServiceUnit

from . import services
from .models import Application, Programme

DEMO_NIK = "6471054507900003"
PROGRAMME_CODE = "demo-akhir-tahun"


def _ktp() -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (320, 200), (210, 225, 240)).save(buffer, "PNG")
    return SimpleUploadedFile("ktp.png", buffer.getvalue(), content_type="image/png")


def _programme() -> Programme:
    today = timezone.localdate()
    programme, _created = Programme.objects.update_or_create(
        code=PROGRAMME_CODE,
        defaults={
            "name_id": "Diskon Akhir Tahun (demo)",
            "name_en": "Year-end discount (demo)",
            "description_id": "Contoh program berjalan: diskon 50% biaya penyambungan sampai 7.700 VA satu fasa.",
            "description_en": "A sample running programme: 50% off the connection fee up to 7,700 VA single-phase.",
            "applies_to": Programme.AppliesTo.BOTH,
            "to_va_max": 7700,
            "phases": Programme.Phases.SINGLE,
            "starts_on": today - timedelta(days=7),
            "ends_on": today + timedelta(days=21),
            "once_per_customer": True,
            "requires_bills_paid": True,
            "discount": Programme.Discount.PERCENT,
            "discount_value": 50,
            "source": "demo",
        },
    )
    return programme


def _window(hours_from_now: int) -> tuple:
    start = (timezone.now() + timedelta(hours=hours_from_now)).replace(minute=0, second=0, microsecond=0)
    return start, start + timedelta(hours=3)


def _apply(name: str, unit: ServiceUnit, **values) -> Application | None:
    existing = Application.objects.filter(applicant_name=name).first()
    if existing is not None:
        return None
    return services.create_application(
        applicant_name=name, nik=DEMO_NIK, channel="web", documents={"ktp": _ktp()}, **values
    )


def _give(job: FieldJob, username: str, staff) -> None:
    """The demo's visits go to a known technician (tech1, tech2) to accept on the phone."""
    technician = Technician.objects.filter(user__username=username).first()
    if technician is not None and job.skill in (technician.skills or []):
        dispatch_services.assign_field_job(job=job, technician=technician, by=staff, reason="demo")
    else:
        dispatch_services.offer_field_job(job_id=job.pk)


def seed() -> dict:
    """Create the demo programme and (once) four applications; returns how many were created."""
    _programme()
    units = {u.code: u for u in ServiceUnit.objects.filter(code__in=["ULP-BPP-UTARA", "ULP-BPP-SELATAN"])}
    if len(units) < 2:
        return {"applications": 0}
    staff = get_user_model().objects.filter(username="backoffice").first()
    created = 0
    utara, selatan = units["ULP-BPP-UTARA"], units["ULP-BPP-SELATAN"]

    # 1. Just applied (Permohonan): the back office books the survey.
    if _apply(
        "Rina Wulandari (demo)",
        utara,
        kind="new_connection",
        phone="081255500101",
        address="Jl. Soekarno-Hatta Km 5",
        lat=utara.center_lat + 0.004,
        lng=utara.center_lng + 0.003,
        requested_va=2200,
        tariff="R-1/TR",
        payment_type="prepaid",
    ):
        created += 1

    # 2. Survey booked for this afternoon: on tech1's visit list.
    app = _apply(
        "Hendra Saputra (demo)",
        utara,
        kind="new_connection",
        phone="081255500102",
        address="Jl. Mulawarman 12",
        lat=utara.center_lat - 0.003,
        lng=utara.center_lng + 0.002,
        requested_va=1300,
        tariff="R-1/TR",
        payment_type="prepaid",
    )
    if app is not None:
        start, end = _window(3)
        services.order_survey(application=app, window_start=start, window_end=end, by=staff, notes="Rumah cat hijau")
        for job in FieldJob.objects.filter(ticket=app.ticket):
            _give(job, "tech1", staff)
        created += 1

    # 3. A power change waiting for payment, with the running programme (ULP Balikpapan Selatan).
    customer = (
        Customer.objects.filter(unit=selatan, power_va=900, payment_type="prepaid").order_by("id_pelanggan").first()
    )
    if customer is not None and not Application.objects.filter(customer=customer).exists():
        app = _apply(
            "Siti Rahmawati (demo)",
            selatan,
            kind="power_change",
            phone="081255500103",
            id_pelanggan=customer.id_pelanggan,
            requested_va=2200,
            tariff="R-1/TR",
            payment_type="prepaid",
        )
        if app is not None:
            # The demo's survey was done on paper: the application starts at the fee.
            Application.objects.filter(pk=app.pk).update(stage="penetapan_biaya")
            services.set_fee(application=Application.objects.get(pk=app.pk), by=staff)
            created += 1

    # 4. Paid, SLO and contract in: installation for tech2 tomorrow morning (ULP Balikpapan Selatan).
    app = _apply(
        "Agus Pratama (demo)",
        selatan,
        kind="new_connection",
        phone="081255500104",
        address="Jl. Jend. Sudirman 88",
        lat=selatan.center_lat + 0.002,
        lng=selatan.center_lng - 0.002,
        requested_va=3500,
        tariff="R-2/TR",
        payment_type="prepaid",
    )
    if app is not None:
        Application.objects.filter(pk=app.pk).update(stage="penetapan_biaya")
        services.set_fee(application=Application.objects.get(pk=app.pk), by=staff)
        paid = Application.objects.get(pk=app.pk)
        services.record_payment(application=paid, by=staff, amount=paid.price, reference="DEMO-PAY")
        services.record_slo_contract(
            application=Application.objects.get(pk=app.pk), by=staff, slo_number="SLO-DEMO-4", contract_number="SPJ-4"
        )
        start, end = _window(18)
        services.order_installation(
            application=Application.objects.get(pk=app.pk), window_start=start, window_end=end, by=staff
        )
        for job in FieldJob.objects.filter(ticket=app.ticket, kind="installation"):
            _give(job, "tech2", staff)
        created += 1
    return {"applications": created}
