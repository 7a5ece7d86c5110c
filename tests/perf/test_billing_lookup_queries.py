"""The public bill look-up (API and page) reads the database once on PostgreSQL, whatever the history size.

The customer, its last bills and its last purchases come in one statement (billing.providers.ACCOUNT_SQL); the
ORM path used on SQLite (the embedded default) reads them in at most three. On PostgreSQL a customer with two
years of bills and purchases, one with a single bill, one with none and an unknown ID pelanggan cost the same.
"""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.test import APIClient

from billing.models import Bill, TokenPurchase
from tests.factories import CustomerFactory
from tickets import reference

pytestmark = pytest.mark.django_db
URL = "/api/v1/billing/lookup/"


def reads(ask) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = ask()
    assert response.status_code == 200, response.content[:300]
    return len(captured)


def test_one_read_per_lookup_whatever_the_history(ulp, client):
    # given: a customer with 24 months of bills and 30 purchases, one with a single bill, one with nothing
    rich = CustomerFactory(unit=ulp, id_pelanggan="532100000101", payment_type="prepaid")
    Bill.objects.bulk_create(
        Bill(customer=rich, period=date(2024 + m // 12, m % 12 + 1, 1), reading_start=0, reading_end=10, kwh=10,
             amount=Decimal("14447"), due_date=date(2026, 1, 20))
        for m in range(24)
    )  # fmt: skip
    now = timezone.now()
    TokenPurchase.objects.bulk_create(
        TokenPurchase(reference=f"R{n}", customer=rich, meter_number=rich.meter_number,
                      purchased_at=now - timedelta(days=n), kwh=Decimal("34.6"), amount=Decimal("50000"),
                      token_last4="7890", token_digest="x")
        for n in range(30)
    )  # fmt: skip
    poor = CustomerFactory(unit=ulp, id_pelanggan="532100000102", payment_type="postpaid")
    Bill.objects.create(customer=poor, period=date(2026, 11, 1), reading_start=0, reading_end=5, kwh=5,
                        amount=Decimal("7223"), due_date=date(2026, 12, 20))  # fmt: skip
    CustomerFactory(unit=ulp, id_pelanggan="532100000103")
    api = APIClient()
    reference.tables()  # the ULPs and categories each process holds after its first request (tickets.reference)

    def ask(idpel):
        return api.post(URL, {"id_pelanggan": idpel}, format="json")

    # when
    counts = {idpel: reads(lambda idpel=idpel: ask(idpel)) for idpel in
              ("532100000101", "532100000102", "532100000103", "532100000199")}  # fmt: skip
    page = reads(lambda: client.post("/info-tagihan/", {"id_pelanggan": "532100000101"}))
    # then
    if connection.vendor == "postgresql":
        assert set(counts.values()) == {1} and page == 1, (counts, page)
    else:  # the ORM path: customer, bills, purchases (an unknown ID stops after the first)
        assert max(counts.values()) <= 3 and page <= 3, (counts, page)
    body = ask("532100000101").json()
    assert len(body["bills"]) == 6 and len(body["purchases"]) == 6
    assert body["bills"][0]["period"] == "2025-12" and body["purchases"][0]["token"].endswith("7890")
