"""Info tagihan: the public page and the API — masking, format errors, throttling, unknown = known without bills."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from billing.models import Bill, TokenPurchase
from billing.selectors import mask_name
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/billing/lookup/"


@pytest.fixture
def postpaid(ulp):
    customer = CustomerFactory(
        unit=ulp, id_pelanggan="532100000042", name="Budi Santoso", payment_type="postpaid", address="Jl. Rahasia 7"
    )
    for month, kwh in enumerate([120, 130, 125, 118, 140, 135, 410], start=5):
        Bill.objects.create(
            customer=customer,
            period=date(2026, month, 1),
            reading_start=1000 + month * 100,
            reading_end=1000 + month * 100 + kwh,
            kwh=kwh,
            amount=Decimal(kwh) * Decimal("1444.70"),
            due_date=date(2026, month + 1 if month < 12 else 1, 20),
            paid_at=None if month == 11 else "2026-01-01T00:00:00Z",
        )
    return customer


def test_masking_and_the_last_six_bills(postpaid):
    response = APIClient().post(URL, {"id_pelanggan": "5321 0000 0042"}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["name"] == "B*** S******"
    assert [b["period"] for b in body["bills"]] == ["2026-11", "2026-10", "2026-09", "2026-08", "2026-07", "2026-06"]
    assert body["bills"][0] == {
        "period": "2026-11", "kwh": 410, "reading_start": 2100, "reading_end": 2510, "amount": "592327",
        "late_fee": "0", "due_date": "2026-12-20", "paid": False,
    }  # fmt: skip
    assert body["amount_due"] == "592327" and body["due_date"] == "2026-12-20"
    assert body["chart_svg"].startswith("<svg") and ">410<" in body["chart_svg"]
    text = response.content.decode()
    assert "Rahasia" not in text and postpaid.phone not in text and "Budi" not in text


def test_unknown_answers_exactly_like_known_without_bills(ulp):
    CustomerFactory(unit=ulp, id_pelanggan="532100000077", name="Siti Aminah")
    known = APIClient().post(URL, {"id_pelanggan": "532100000077"}, format="json")
    unknown = APIClient().post(URL, {"id_pelanggan": "532100000078"}, format="json")
    assert known.status_code == unknown.status_code == 200
    known_body, unknown_body = known.json(), unknown.json()
    assert known_body.pop("id_pelanggan") == "532100000077" and unknown_body.pop("id_pelanggan") == "532100000078"
    assert known_body == unknown_body
    assert known_body["name"] == "" and known_body["bills"] == []


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("53210000004A", "letter"), ("5321000000", "12"), ("", "ID pelanggan"), ("532100000042-", "letter")],
)
def test_bad_format_is_a_400_with_a_clear_message(value, fragment, settings):
    response = APIClient().post(URL, {"id_pelanggan": value}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert fragment in str(response.json())


def test_prepaid_shows_purchases_with_masked_tokens(ulp):
    customer = CustomerFactory(unit=ulp, id_pelanggan="532100000099", name="Ani", payment_type="prepaid")
    TokenPurchase.objects.create(
        reference="T1", customer=customer, meter_number=customer.meter_number, purchased_at="2026-11-02T01:00:00Z",
        kwh=Decimal("34.60"), amount=Decimal("50000"), token_last4="7890", token_digest="x",
    )  # fmt: skip
    body = APIClient().post(URL, {"id_pelanggan": "532100000099"}, format="json").json()
    assert body["name"] == "A**" and body["bills"] == []
    assert body["purchases"] == [
        {
            "purchased_at": "2026-11-02T08:00:00+07:00",
            "kwh": "34.60",
            "amount": "50000",
            "token": "**** **** **** **** 7890",
        }
    ]


def test_the_lookup_is_throttled_like_tracking(postpaid, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "5/minute", "public_tracking": "3/minute"}
    )
    client = APIClient()
    codes = [client.post(URL, {"id_pelanggan": "532100000042"}, format="json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    page = client.post(reverse("billing:info-tagihan"), {"id_pelanggan": "532100000042"})
    assert page.status_code == 429


def test_public_page_in_both_languages(client, postpaid):
    assert reverse("billing:info-tagihan") in client.get("/").content.decode()
    page = client.post(reverse("billing:info-tagihan"), {"id_pelanggan": "532100000042"})
    html = page.content.decode()
    assert page.status_code == 200 and "B*** S******" in html and "<svg" in html and "Rahasia" not in html
    assert "Belum dibayar" in html  # Indonesian by default
    client.cookies["sigap_language"] = "en"
    english = client.post(reverse("billing:info-tagihan"), {"id_pelanggan": "532100000042"}).content.decode()
    assert "Unpaid" in english and "Amount due" in english
    bad = client.post(reverse("billing:info-tagihan"), {"id_pelanggan": "53210000004X"})
    assert bad.status_code == 400 and "letter" in bad.content.decode()


def test_mask_name():
    assert mask_name("Budi Santoso") == "B*** S******"
    assert mask_name("  I  Gusti  ") == "I G****"
    assert mask_name("") == ""


def test_the_api_answers_exactly_what_its_documented_serializer_gives(postpaid, ulp):
    # given: a look-up with bills, one with purchases, one with nothing
    from billing.api.serializers import LookupOutputSerializer, lookup_representation
    from billing.selectors import lookup

    customer = CustomerFactory(unit=ulp, id_pelanggan="532100000099", name="Ani", payment_type="prepaid")
    TokenPurchase.objects.create(
        reference="T1", customer=customer, meter_number=customer.meter_number, purchased_at="2026-11-02T01:00:00Z",
        kwh=Decimal("34.60"), amount=Decimal("50000"), token_last4="7890", token_digest="x",
    )  # fmt: skip
    for idpel in ("532100000042", "532100000099", "532100000098"):
        result = lookup(idpel)
        # then: the hand-built answer is the serializer's, field for field
        assert lookup_representation(result) == LookupOutputSerializer(result).data
