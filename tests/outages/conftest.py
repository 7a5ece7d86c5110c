"""Outage fixtures: customers on two transformers of one ULP, and helpers to report outages into incidents."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import services as dispatch_services
from tests.factories import CustomerFactory, category
from tickets import services as ticket_services
from tickets.models import Ticket

POLYGON = {
    "type": "Polygon",
    "coordinates": [[[116.86, -1.22], [116.88, -1.22], [116.88, -1.20], [116.86, -1.20], [116.86, -1.22]]],
}
INSIDE = (-1.21, 116.87)
OUTSIDE = (-1.25, 116.90)


@pytest.fixture
def customers(ulp):
    """Three customers on GD-A (inside the polygon), two on GD-B (outside it)."""
    made = {}
    for i in range(3):
        made[f"a{i}"] = CustomerFactory(unit=ulp, transformer_code="GD-A", feeder_code="PY-1", lat=-1.21, lng=116.87)
    for i in range(2):
        made[f"b{i}"] = CustomerFactory(unit=ulp, transformer_code="GD-B", feeder_code="PY-2", lat=-1.25, lng=116.90)
    return made


@pytest.fixture
def report():
    """``report(customer, attach=True)`` opens an outage ticket for the customer and puts it into its incident."""

    def make(customer=None, *, attach=True, channel=Ticket.Channel.WEB, phone="", **kwargs):
        ticket = ticket_services.open_ticket(
            category=category("GG-PADAM-1"),
            channel=channel,
            description="Listrik padam",
            reporter_phone=phone or customer.phone,
            customer=customer,
            **kwargs,
        )
        if attach:
            dispatch_services.attach_to_incident(ticket=ticket)
        return ticket

    return make


@pytest.fixture
def window():
    now = timezone.now()
    return now - timedelta(minutes=1), now + timedelta(hours=4)
