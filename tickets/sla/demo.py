"""Demo data for service levels: an unanswered outage, back-office requests, a referral, restored outages.

Safe to run again: tickets are found by their idempotency keys. Ends with one service-level sweep so the
escalations page and the reports have something to show at once.
"""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from core import roles
from tickets import services
from tickets.models import (
    Category,
    Customer,
    Feedback,
    ServiceUnit,
    StaffProfile,
    Ticket,
    TicketEvent,
    TicketServiceLevel,
)

from . import services as sla_services

DEMO_PASSWORD = "sigap-demo-123"


def _backdate(ticket: Ticket, delta: timedelta) -> Ticket:
    """Move a fresh demo ticket into the past and restart its clock from there."""
    opened = ticket.created_at - delta
    Ticket.objects.filter(pk=ticket.pk).update(created_at=opened, first_informed_at=opened)
    TicketEvent.objects.filter(ticket=ticket).update(created_at=opened)
    Feedback.objects.filter(ticket=ticket).update(created_at=opened)  # an SP-* ticket's feedback row
    TicketServiceLevel.objects.filter(ticket=ticket).delete()
    ticket.refresh_from_db()
    sla_services.start_clock(ticket=ticket)
    return ticket


def _open(key: str, code: str, unit: ServiceUnit, description: str, *, age: timedelta, customer=None):
    existing = Ticket.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing, False
    ticket = services.open_ticket(
        category=Category.objects.get(code=code),
        channel=Ticket.Channel.PHONE,
        description=description,
        reporter_phone=customer.phone if customer else "081200000123",
        customer=customer,
        unit=unit,
        idempotency_key=key,
    )
    return _backdate(ticket, age), True


def seed() -> dict:
    unit = ServiceUnit.objects.filter(code="ULP-BPP-UTARA").first()
    if unit is None:
        return {"tickets": 0}
    user, created = get_user_model().objects.get_or_create(
        username="supervisor_ulp", defaults={"first_name": "Wulan", "is_staff": True, "email": "wulan@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    user.groups.add(Group.objects.get_or_create(name=roles.SUPERVISOR)[0])
    StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit})
    customers = list(Customer.objects.filter(unit=unit).order_by("id_pelanggan")[:6])
    made = 0
    _ticket, new = _open(
        "demo-sla-outage-late", "GG-PADAM-1", unit, "Padam sejak pagi, belum ada petugas", age=timedelta(hours=3)
    )
    made += new
    for index, customer in enumerate(customers[:4]):
        ticket, new = _open(
            f"demo-sla-restored-{index}",
            "GG-PADAM-1",
            unit,
            "Listrik padam",
            age=timedelta(days=2 + index, hours=index * 3),
            customer=customer,
        )
        if new:
            made += 1
            restored = ticket.created_at + timedelta(minutes=[40, 95, 3, 300][index])
            services.change_status(ticket=ticket, to_status=Ticket.Status.RESTORED, at=restored)
    pb, new = _open("demo-sla-new-connection", "LY-PB", unit, "Mohon pasang baru 2200 VA", age=timedelta(days=1))
    made += new
    # A bill question the back office asked the customer about: the tracking page shows the question and a form.
    asked, new = _open(
        "demo-sla-waiting-customer", "TG-KOREKSI", unit, "Tagihan bulan ini dua kali lipat", age=timedelta(hours=5)
    )
    if new:
        made += 1
        sla_services.claim_ticket(ticket=asked, user=user)
        sla_services.ask_customer(ticket=asked, user=user, message="Mohon kirim foto rekening bulan lalu.")
    complaint, new = _open(
        "demo-sla-referral", "PE-SIKAP", unit, "Operator 123 menutup telepon saat saya bicara", age=timedelta(days=2)
    )
    if new:
        made += 1
        today = timezone.localdate()
        sla_services.record_referral(
            ticket=complaint,
            body="ombudsman",
            reference="ORI-KT/0042/2026",
            raised_on=today,
            deadline=today + timedelta(days=14),
        )
    _open("demo-sla-kritik", "SP-KRITIK", unit, "Antrean di kantor ULP terlalu lama", age=timedelta(days=1))
    sla_services.check_service_levels()
    return {"tickets": made}
