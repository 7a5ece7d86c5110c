"""The HTTP billing provider against a stub CIS: contract, slow, down, garbage, malformed, breaker, cache."""

import time
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from billing.providers import HttpProvider, LocalProvider, ProviderUnavailable, cis_breaker, get_provider

from .stub_cis import StubCis

pytestmark = pytest.mark.django_db


@pytest.fixture
def cis(settings):
    cis_breaker.reset()
    with StubCis() as stub:
        settings.BILLING_PROVIDER = "http"
        settings.BILLING_HTTP_URL = stub.url
        settings.BILLING_HTTP_TIMEOUT = 0.5
        settings.BILLING_HTTP_RETRIES = 1
        settings.BREAKER_OPEN_SECONDS = 30
        yield stub
    cis_breaker.reset()


def test_settings_choose_the_provider(settings):
    settings.BILLING_PROVIDER = "local"
    assert isinstance(get_provider(), LocalProvider)
    settings.BILLING_PROVIDER = "http"
    assert isinstance(get_provider(), HttpProvider)


def test_contract_answer_is_read(cis):
    account = HttpProvider().account("532100000042")
    assert account.name == "Budi Santoso" and account.payment_type == "postpaid"
    assert [(b.period.isoformat(), b.kwh, b.amount, b.paid) for b in account.bills] == [
        ("2026-11-01", 270, Decimal("390069"), False),
        ("2026-10-01", 150, Decimal("216705"), True),
    ]
    assert cis.requests[0][1] == "/api/customers/532100000042/billing?months=6"
    unknown = HttpProvider().account("532100000043")
    assert unknown.bills == [] and unknown.name == ""


def test_api_lookup_through_the_cis_and_its_unknown_ids(cis):
    body = APIClient().post("/api/v1/billing/lookup/", {"id_pelanggan": "532100000042"}, format="json").json()
    assert body["name"] == "B*** S******" and body["amount_due"] == "390069" and body["due_date"] == "2026-12-20"


def test_slow_cis_times_out_with_a_clear_503_and_opens_the_breaker(cis):
    cis.mode, cis.delay = "slow", 2.0
    started = time.monotonic()
    response = APIClient().post("/api/v1/billing/lookup/", {"id_pelanggan": "532100000042"}, format="json")
    took = time.monotonic() - started
    assert response.status_code == 503 and response.json()["message"]
    assert took < 1.9  # two attempts of 0.5 s, not the CIS's 2 s
    calls = len(cis.requests)
    with pytest.raises(ProviderUnavailable):
        HttpProvider().account("532100000042")
    assert len(cis.requests) == calls  # breaker open: the CIS is not asked again


def test_down_cis_serves_the_cached_answer_marked_stale(cis):
    fresh = HttpProvider().account("532100000042")
    assert not fresh.stale
    cis.mode = "error"
    cis_breaker.reset()
    stale = HttpProvider().account("532100000042")
    assert stale.stale and stale.bills == fresh.bills
    with pytest.raises(ProviderUnavailable):
        HttpProvider().account("532100000099")  # nothing cached for it


@pytest.mark.parametrize("mode", ["garbage", "malformed"])
def test_garbage_and_out_of_contract_answers_are_refused_cleanly(cis, mode):
    cis.mode = mode
    response = APIClient().post("/api/v1/billing/lookup/", {"id_pelanggan": "532100000042"}, format="json")
    assert response.status_code == 503
    assert "billing system" in response.json()["message"] or "sistem" in response.json()["message"].lower()


def test_down_cis_page_says_so_without_a_500(cis, client):
    cis.mode = "error"
    page = client.post("/info-tagihan/", {"id_pelanggan": "532100000042"})
    assert page.status_code == 503 and 'id="unavailable"' in page.content.decode()
