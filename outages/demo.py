"""Demo outage communication: a low wide-area threshold in Balikpapan Utara, a planned outage tomorrow in
Balikpapan Selatan, and a few customers there who asked for planned-outage notices."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from tickets.models import Customer, ServiceUnit

from . import services
from .models import MassOutageThreshold, PlannedOutage

DEMO_TITLE = "Pemeliharaan jaringan (demo)"


@transaction.atomic
def seed() -> dict:
    result = {"threshold": None, "planned": None, "opted_in": 0}
    north = ServiceUnit.objects.filter(code="ULP-BPP-UTARA").first()
    if north is not None:
        MassOutageThreshold.objects.update_or_create(unit=north, defaults={"min_reports": 5, "min_customers": 20})
        result["threshold"] = north.code
    south = ServiceUnit.objects.filter(code="ULP-BPP-SELATAN").first()
    if south is None:
        return result
    customers = list(Customer.objects.filter(unit=south).exclude(transformer_code="").order_by("id_pelanggan"))
    if not customers:
        return result
    gardu = customers[0].transformer_code
    for customer in [c for c in customers if c.transformer_code == gardu][:5]:
        services.opt_in(customer=customer)
        result["opted_in"] += 1
    now = timezone.now()
    plan = PlannedOutage.objects.filter(
        unit=south, title=DEMO_TITLE, ends_at__gt=now, cancelled_at__isnull=True
    ).first()
    if plan is None:
        zone = ZoneInfo(south.time_zone)
        tomorrow = timezone.localtime(now, zone).date() + timedelta(days=1)
        starts = datetime.combine(tomorrow, time(9, 0), tzinfo=zone)
        plan = services.create_planned_outage(
            unit=south,
            title=DEMO_TITLE,
            starts_at=starts,
            ends_at=starts + timedelta(hours=4),
            transformer_codes=[gardu],
        )
    result["planned"] = plan.pk
    return result
