"""Bill-spike complaint to a corrected bill (with a meter check job) and a token complaint to solved."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from billing import services
from billing.models import Bill, BillCorrection, MeterCheck, TokenPurchase, TokenRemedy
from core.errors import ConflictError
from dispatch import services as dispatch_services
from tests.dispatch.conftest import make_technician
from tests.dispatch.test_field_jobs import png
from tests.factories import CustomerFactory, category
from tickets import services as ticket_services
from tickets.models import Notification, Ticket, TicketServiceLevel
from tickets.sla import selectors as sla_selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def spiking(ulp):
    customer = CustomerFactory(unit=ulp, id_pelanggan="532100000042", payment_type="postpaid", lat=-1.21, lng=116.87)
    reading = 1000
    for month, kwh in zip(range(5, 12), [120, 130, 125, 118, 140, 135, 410], strict=True):
        Bill.objects.create(
            customer=customer, period=date(2026, month, 1), reading_start=reading, reading_end=reading + kwh,
            kwh=kwh, amount=Decimal(kwh) * Decimal("1444.70"), due_date=date(2026, month + 1, 20),
        )  # fmt: skip
        reading += kwh
    return customer


def _complaint(customer, code="TG-LONJAK"):
    return ticket_services.open_ticket(
        category=category(code), channel="web", description="Tagihan naik tiga kali lipat",
        reporter_phone="081234567890", id_pelanggan=customer.id_pelanggan,
    )  # fmt: skip


def test_bill_spike_to_meter_check_to_corrected_bill(spiking, ulp, back_office, client):
    ticket = _complaint(spiking)
    from tickets.sla import services as sla_services

    ticket = sla_services.claim_ticket(ticket=ticket, user=back_office)
    client.force_login(back_office)
    page = client.get(f"/backoffice/t/{ticket.number}/").content.decode()
    assert (
        'id="disputed-bill"' in page and "128,0 kWh" in page and "× 3,20" in page
    )  # 410 vs 128 average (Indonesian decimals)

    tech = make_technician(ulp, "mira", 0, skills=["meter"])
    start = timezone.localtime() + timedelta(hours=1)
    response = client.post(
        f"/billing/t/{ticket.number}/",
        {"billing_action": "meter_check", "meter-window_start": start.strftime("%Y-%m-%dT%H:%M"),
         "meter-window_end": (start + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M")},
    )  # fmt: skip
    assert response.status_code == 302
    check = MeterCheck.objects.get(ticket=ticket)
    job = dispatch_services.offer_field_job(job_id=check.job_id)
    for step in ("accept", "depart", "arrive"):
        dispatch_services.take_field_job_step(job=job, technician=tech, step=step)
    dispatch_services.take_field_job_step(
        job=job, technician=tech, step="finish", result={"reading_kwh": "1988.0", "photo": png()}
    )
    check.refresh_from_db()
    assert check.reading_kwh == Decimal("1988.0") and check.outcome == "done" and check.register_photo
    assert ticket.events.filter(message__contains="1988.0").exists()

    # The meter says 1988, the bill assumed 2178: correct November to 220 kWh.
    november = Bill.objects.get(customer=spiking, period=date(2026, 11, 1))
    response = client.post(
        f"/billing/t/{ticket.number}/",
        {"billing_action": "correction", "correction-period": "2026-11", "correction-new_amount": "317834",
         "correction-reason": "Salah catat: angka meter 1988 (foto petugas)."},
    )  # fmt: skip
    assert response.status_code == 302
    correction = BillCorrection.objects.get(ticket=ticket)
    assert (correction.old_amount, correction.new_amount) == (november.amount, Decimal("317834"))
    assert correction.cis_reference == f"LOCAL-KR-{correction.pk}" and correction.within_target is True
    assert Bill.objects.get(pk=november.pk).amount == Decimal("317834")
    sms = Notification.objects.get(kind="bill_correction")
    assert sms.address == "+6281234567890" and sms.payload["new"] == "317.834"
    tracking = client.get(f"/t/{ticket.tracking_token}/").content.decode()
    assert "317.834" in tracking and "592.327" in tracking

    # The same correction twice is a conflict, not a second row.
    with pytest.raises(ConflictError, match="sudah diterbitkan"):  # Indonesian: the default language
        services.issue_correction(
            ticket=ticket, user=back_office, period=date(2026, 11, 1), new_amount=Decimal("1"), reason="x"
        )
    assert BillCorrection.objects.count() == 1


def test_correction_refused_when_the_cis_is_down_writes_nothing(spiking, back_office, settings):
    settings.BILLING_PROVIDER = "http"
    settings.BILLING_HTTP_URL = "http://127.0.0.1:9/none"
    settings.BILLING_HTTP_TIMEOUT = 0.2
    from billing.providers import cis_breaker

    cis_breaker.reset()
    from tickets.sla import services as sla_services

    ticket = sla_services.claim_ticket(ticket=_complaint(spiking, "TG-KOREKSI"), user=back_office)
    from core.errors import ApplicationError

    with pytest.raises(ApplicationError):
        services.issue_correction(
            ticket=ticket, user=back_office, period=date(2026, 11, 1), new_amount=Decimal("100"), reason="x"
        )
    cis_breaker.reset()
    assert not BillCorrection.objects.exists() and not Notification.objects.filter(kind="bill_correction").exists()
    assert Bill.objects.get(customer=spiking, period=date(2026, 11, 1)).amount != Decimal("100")


def test_token_complaint_is_in_the_back_office_queue_and_solved_with_steps(ulp, back_office, client):
    customer = CustomerFactory(unit=ulp, id_pelanggan="532100000077", payment_type="prepaid")
    purchase = TokenPurchase.objects.create(
        reference="TRX-9", customer=customer, meter_number=customer.meter_number, purchased_at=timezone.now(),
        kwh=Decimal("34.6"), amount=Decimal("50000"), token_last4="4321", token_digest="d",
    )  # fmt: skip
    ticket = _complaint(customer, "GG-TOKEN")
    assert ticket.kind == "back_office" and ticket.dispatch_state == "not_needed"
    queue = sla_selectors.back_office_queue(back_office, queue="unclaimed")
    assert ticket in list(queue)

    client.force_login(back_office)
    client.post(f"/backoffice/t/{ticket.number}/", {"action": "claim"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    page = client.get(f"/backoffice/t/{ticket.number}/").content.decode()
    assert "**** **** **** **** 4321" in page and 'id="token-step-form"' in page

    # Solving before any step is refused.
    client.post(f"/billing/t/{ticket.number}/", {"billing_action": "token_solve", "solve-answer": "Sudah"})
    ticket.refresh_from_db()
    assert ticket.status == Ticket.Status.IN_PROGRESS
    client.post(
        f"/billing/t/{ticket.number}/",
        {"billing_action": "token_step", "token-symptom": "REJECT", "token-kind": "resend",
         "token-purchase": purchase.pk},
    )  # fmt: skip
    remedy = TokenRemedy.objects.get(ticket=ticket)
    assert (remedy.kind, remedy.purchase, remedy.cis_reference) == ("resend", purchase, f"LOCAL-TK-{remedy.pk}")
    client.post(
        f"/billing/t/{ticket.number}/", {"billing_action": "token_solve", "solve-answer": "Token dikirim ulang."}
    )
    ticket.refresh_from_db()
    level = TicketServiceLevel.objects.get(ticket=ticket)
    assert ticket.status == Ticket.Status.RESOLVED and level.resolved_at is not None  # the clock stopped
