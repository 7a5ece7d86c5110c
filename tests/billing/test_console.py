"""The console's bill screen-pop and the one-click "information given" record (first-contact resolution)."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Bill
from hotline import selectors as hotline_selectors
from hotline.models import Call
from tests.factories import CustomerFactory
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def caller(ulp):
    customer = CustomerFactory(unit=ulp, id_pelanggan="532100000042", phone="+6281234500001", payment_type="postpaid")
    Bill.objects.create(
        customer=customer, period="2026-11-01", reading_start=1, reading_end=271, kwh=270,
        amount=Decimal("390069"), due_date="2026-12-20",
    )  # fmt: skip
    return customer


@pytest.fixture
def live_call(operator, ulp):
    now = timezone.now()
    return Call.objects.create(
        pbx_call_id="pbx-bill-1", caller_number="+6281234500001", operator=operator, unit=ulp,
        status="answered", rang_at=now - timedelta(seconds=40), answered_at=now - timedelta(seconds=35),
    )  # fmt: skip


def test_screen_pop_bills_for_agents_only(caller, operator, outsider):
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get("/api/v1/calls/bills/?id_pelanggan=532100000042").status_code == 403
    client.force_authenticate(operator)
    body = client.get("/api/v1/calls/bills/?id_pelanggan=532100000042").json()
    assert body["bills"][0]["kwh"] == 270 and body["amount_due"] == "390069"
    assert client.get("/api/v1/calls/bills/?id_pelanggan=5321000000x2").status_code == 400


def test_information_given_is_closed_at_first_contact_and_counts_in_the_kpis(caller, operator, live_call, supervisor):
    client = APIClient()
    client.force_authenticate(operator)
    payload = {"call": live_call.pk, "id_pelanggan": "532100000042"}
    first = client.post("/api/v1/calls/info-given/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == 201, first.content
    again = client.post("/api/v1/calls/info-given/", payload, format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    assert again.json()["number"] == first.json()["number"]
    ticket = Ticket.objects.get(number=first.json()["number"])
    assert ticket.category.code == "IF-TAGIHAN" and ticket.status == Ticket.Status.CLOSED
    assert ticket.customer == caller and list(live_call.tickets.all()) == [ticket]
    assert Ticket.objects.filter(category__code="IF-TAGIHAN").count() == 1

    Call.objects.filter(pk=live_call.pk).update(ended_at=timezone.now(), status="ended")
    other = Call.objects.create(
        pbx_call_id="pbx-bill-2", caller_number="+6281234500002", operator=operator, unit=live_call.unit,
        status="ended", rang_at=timezone.now() - timedelta(seconds=20),
        answered_at=timezone.now() - timedelta(seconds=15), ended_at=timezone.now(),
    )  # fmt: skip
    assert other.pk
    kpis = hotline_selectors.call_kpis(
        viewer=supervisor, start=timezone.now() - timedelta(hours=1), end=timezone.now() + timedelta(minutes=1)
    )
    total = kpis["total"][0]
    assert (total.answered, total.first_contact, total.first_contact_share) == (2, 1, 0.5)


def test_information_given_refuses_unknown_customers(operator, live_call):
    client = APIClient()
    client.force_authenticate(operator)
    response = client.post(
        "/api/v1/calls/info-given/", {"call": live_call.pk, "id_pelanggan": "532199999999"}, format="json"
    )
    assert response.status_code == 400 and "id_pelanggan" in response.json()["extra"]["fields"]
    assert not Ticket.objects.exists()
