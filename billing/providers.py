"""Where bills come from: the imported tables (``local``) or the CIS's API (``http``), by ``BILLING_PROVIDER``.

Both answer in the same plain dataclasses, so the channels (public page, API, console, back office) never
know which one is configured. The HTTP contract is in docs/billing.md.

The HTTP provider is careful with a CIS that is slow or down: a short timeout per request, one retry on a
connection error or a 5xx, a circuit breaker (after a failed call it skips the CIS for
``BREAKER_OPEN_SECONDS``) and a cached last good answer per customer, used while the CIS is
unavailable. Anything it cannot use raises ``ProviderUnavailable`` with a message for the user.
"""

import json
import logging
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.circuit import Breaker
from tickets.models import Customer

from .models import Bill, TokenPurchase

logger = logging.getLogger(__name__)


class ProviderUnavailable(Exception):
    """The billing system cannot answer now (down, slow, or answering garbage)."""


@dataclass(frozen=True)
class BillInfo:
    period: date
    reading_start: int
    reading_end: int
    kwh: int
    amount: Decimal
    late_fee: Decimal
    due_date: date
    paid: bool
    paid_at: datetime | None = None


@dataclass(frozen=True)
class PurchaseInfo:
    reference: str
    meter_number: str
    purchased_at: datetime
    kwh: Decimal
    amount: Decimal
    token_masked: str


@dataclass(frozen=True)
class Account:
    """What the billing system says about one ID pelanggan (no bills and no purchases when it is unknown)."""

    id_pelanggan: str
    name: str = ""
    payment_type: str = ""
    tariff: str = ""
    power_va: int = 0
    bills: list[BillInfo] = field(default_factory=list)
    purchases: list[PurchaseInfo] = field(default_factory=list)
    stale: bool = False


class BillingProvider:
    name = "base"

    def account(self, id_pelanggan: str, *, months: int = 6) -> Account:
        raise NotImplementedError

    def submit_correction(self, correction) -> str:
        """Hand a bill correction to the CIS; returns its reference."""
        raise NotImplementedError

    def request_token_remedy(self, remedy) -> str:
        """Ask the CIS / vending system for a re-sent token or a key-change token; returns its reference."""
        raise NotImplementedError


def mask_token(last4: str) -> str:
    return f"**** **** **** **** {last4}"


ACCOUNT_SQL = f"""
SELECT c.name, c.payment_type, c.tariff, c.power_va,
  (SELECT json_agg(json_build_array(b.period, b.reading_start, b.reading_end, b.kwh, b.amount::text,
                                    b.late_fee::text, b.due_date, b.paid_at) ORDER BY b.period DESC)
     FROM (SELECT * FROM {Bill._meta.db_table} WHERE customer_id = c.id ORDER BY period DESC LIMIT %(months)s) b),
  (SELECT json_agg(json_build_array(p.reference, p.meter_number, p.purchased_at, p.kwh::text, p.amount::text,
                                    p.token_last4) ORDER BY p.purchased_at DESC)
     FROM (SELECT * FROM {TokenPurchase._meta.db_table} WHERE customer_id = c.id
           ORDER BY purchased_at DESC LIMIT %(months)s) p)
FROM {Customer._meta.db_table} c WHERE c.id_pelanggan = %(id)s
"""


class LocalProvider(BillingProvider):
    """The imported tables. Corrections and remedies are handed over by export (their rows are the export)."""

    name = "local"

    def account(self, id_pelanggan: str, *, months: int = 6) -> Account:
        if connection.vendor == "postgresql":
            return self._account_postgresql(id_pelanggan, months)
        from tickets.selectors import find_customer

        customer = find_customer(id_pelanggan=id_pelanggan, meter_number="")
        if customer is None:
            return Account(id_pelanggan=id_pelanggan)
        bills = [
            BillInfo(
                period=b.period,
                reading_start=b.reading_start,
                reading_end=b.reading_end,
                kwh=b.kwh,
                amount=b.amount,
                late_fee=b.late_fee,
                due_date=b.due_date,
                paid=b.paid_at is not None,
                paid_at=b.paid_at,
            )
            for b in Bill.objects.filter(customer=customer).order_by("-period")[:months]
        ]
        purchases = [
            PurchaseInfo(
                reference=p.reference,
                meter_number=p.meter_number,
                purchased_at=p.purchased_at,
                kwh=p.kwh,
                amount=p.amount,
                token_masked=mask_token(p.token_last4),
            )
            for p in TokenPurchase.objects.filter(customer=customer).order_by("-purchased_at")[:months]
        ]
        return Account(
            id_pelanggan=id_pelanggan,
            name=customer.name,
            payment_type=customer.payment_type,
            tariff=customer.tariff,
            power_va=customer.power_va,
            bills=bills,
            purchases=purchases,
        )

    def _account_postgresql(self, id_pelanggan: str, months: int) -> Account:
        """The same Account in one statement (one round trip, no ORM compilation): the customer with its last
        bills and purchases as JSON arrays, each read backwards on its (customer, period/time) index."""
        with connection.cursor() as cursor:
            cursor.execute(ACCOUNT_SQL, {"id": id_pelanggan, "months": months})
            row = cursor.fetchone()
        if row is None:
            return Account(id_pelanggan=id_pelanggan)
        name, payment_type, tariff, power_va, bills, purchases = row
        return Account(
            id_pelanggan=id_pelanggan,
            name=name,
            payment_type=payment_type,
            tariff=tariff,
            power_va=power_va,
            bills=[
                BillInfo(
                    period=date.fromisoformat(period),
                    reading_start=start,
                    reading_end=end,
                    kwh=kwh,
                    amount=Decimal(amount),
                    late_fee=Decimal(late_fee),
                    due_date=date.fromisoformat(due),
                    paid=paid_at is not None,
                    paid_at=datetime.fromisoformat(paid_at) if paid_at else None,
                )
                for period, start, end, kwh, amount, late_fee, due, paid_at in bills or ()
            ],
            purchases=[
                PurchaseInfo(
                    reference=reference,
                    meter_number=meter,
                    purchased_at=datetime.fromisoformat(when),
                    kwh=Decimal(kwh),
                    amount=Decimal(amount),
                    token_masked=mask_token(last4),
                )
                for reference, meter, when, kwh, amount, last4 in purchases or ()
            ],
        )

    def submit_correction(self, correction) -> str:
        return f"LOCAL-KR-{correction.pk}"

    def request_token_remedy(self, remedy) -> str:
        return f"LOCAL-TK-{remedy.pk}"


cis_breaker = Breaker("CIS billing API")


def _money(value, what: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{what}: not a number") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what}: not a positive number")
    return number


def _when(value, what: str) -> datetime:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None or timezone.is_naive(moment):
        raise ValueError(f"{what}: not an ISO 8601 time with offset")
    return moment


def parse_account(id_pelanggan: str, body: dict) -> Account:
    """The contract's JSON (docs/billing.md) as an Account; ValueError on anything out of contract."""
    if not isinstance(body, dict) or body.get("id_pelanggan") != id_pelanggan:
        raise ValueError("id_pelanggan missing or not the one asked for")
    bills = []
    for item in body.get("bills") or []:
        paid_at = item.get("paid_at")
        bills.append(
            BillInfo(
                period=date.fromisoformat(f"{item['period']}-01"),
                reading_start=int(item["reading_start"]),
                reading_end=int(item["reading_end"]),
                kwh=int(item["kwh"]),
                amount=_money(item["amount"], "amount"),
                late_fee=_money(item.get("late_fee", 0), "late_fee"),
                due_date=date.fromisoformat(item["due_date"]),
                paid=bool(paid_at),
                paid_at=_when(paid_at, "paid_at") if paid_at else None,
            )
        )
    purchases = []
    for item in body.get("purchases") or []:
        last4 = str(item["token_last4"])
        if len(last4) != 4 or not last4.isdigit():
            raise ValueError("token_last4: four digits expected")
        purchases.append(
            PurchaseInfo(
                reference=str(item["reference"])[:40],
                meter_number=str(item["meter_number"]),
                purchased_at=_when(item["purchased_at"], "purchased_at"),
                kwh=_money(item["kwh"], "kwh"),
                amount=_money(item["amount"], "amount"),
                token_masked=mask_token(last4),
            )
        )
    return Account(
        id_pelanggan=id_pelanggan,
        name=str(body.get("name") or "")[:120],
        payment_type=str(body.get("payment_type") or ""),
        tariff=str(body.get("tariff") or ""),
        power_va=int(body.get("power_va") or 0),
        bills=sorted(bills, key=lambda b: b.period, reverse=True),
        purchases=sorted(purchases, key=lambda p: p.purchased_at, reverse=True),
    )


def _account_to_cache(account: Account) -> dict:
    return asdict(account)


def _account_from_cache(data: dict) -> Account:
    return Account(
        **{k: v for k, v in data.items() if k not in {"bills", "purchases", "stale"}},
        bills=[BillInfo(**b) for b in data["bills"]],
        purchases=[PurchaseInfo(**p) for p in data["purchases"]],
        stale=True,
    )


class HttpProvider(BillingProvider):
    """The CIS's JSON API (docs/billing.md), with timeouts, one retry, a circuit breaker and cached answers."""

    name = "http"

    def __init__(self, base_url: str | None = None, *, timeout: float | None = None, token: str | None = None):
        self.base_url = (base_url or settings.BILLING_HTTP_URL).rstrip("/")
        self.timeout = timeout if timeout is not None else settings.BILLING_HTTP_TIMEOUT
        self.token = token if token is not None else settings.BILLING_HTTP_TOKEN

    def _request(self, method: str, path: str, payload: dict | None = None) -> dict:
        if cis_breaker.is_open():
            raise ProviderUnavailable(_("The billing system is not answering; try again in a few minutes."))
        data = json.dumps(payload).encode() if payload is not None else None
        headers = {"Accept": "application/json", "Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        last_error: Exception | None = None
        for _attempt in range(1 + settings.BILLING_HTTP_RETRIES):
            request = urllib.request.Request(f"{self.base_url}{path}", data=data, method=method, headers=headers)
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                    raw = response.read(1_000_000)
                try:
                    return json.loads(raw)
                except ValueError:
                    last_error = ValueError("not JSON")
                    break  # garbage is not retried: it would be garbage again
            except urllib.error.HTTPError as exc:
                if exc.code == 404:
                    return {"__not_found__": True}
                last_error = exc
                if exc.code < 500:
                    break
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as exc:
                last_error = exc
        cis_breaker.trip(last_error or RuntimeError("CIS failed"))
        logger.warning("CIS %s %s failed: %s", method, path, last_error)
        raise ProviderUnavailable(_("The billing system is not answering; try again in a few minutes."))

    def account(self, id_pelanggan: str, *, months: int = 6) -> Account:
        key = f"billing:cis-account:{id_pelanggan}:{months}"
        try:
            body = self._request("GET", f"/customers/{quote(id_pelanggan)}/billing?months={months}")
            account = (
                Account(id_pelanggan=id_pelanggan) if body.get("__not_found__") else parse_account(id_pelanggan, body)
            )
        except ProviderUnavailable:
            cached = cache.get(key)
            if cached is not None:
                return _account_from_cache(cached)
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            cis_breaker.trip(exc)
            logger.warning("CIS answered out of contract for %s: %s", id_pelanggan, exc)
            cached = cache.get(key)
            if cached is not None:
                return _account_from_cache(cached)
            raise ProviderUnavailable(_("The billing system gave an answer we cannot read; try again later.")) from None
        cache.set(key, _account_to_cache(account), settings.BILLING_HTTP_CACHE_SECONDS)
        return account

    def _post(self, path: str, payload: dict) -> str:
        body = self._request("POST", path, payload)
        reference = body.get("reference") if isinstance(body, dict) else None
        if not isinstance(reference, str) or not reference:
            raise ProviderUnavailable(_("The billing system gave an answer we cannot read; try again later."))
        return reference[:60]

    def submit_correction(self, correction) -> str:
        return self._post(
            "/corrections",
            {
                "id_pelanggan": correction.customer.id_pelanggan,
                "period": f"{correction.period:%Y-%m}",
                "old_amount": str(correction.old_amount),
                "new_amount": str(correction.new_amount),
                "reason": correction.reason,
                "ticket": correction.ticket.number,
            },
        )

    def request_token_remedy(self, remedy) -> str:
        return self._post(
            "/token-remedies",
            {
                "id_pelanggan": remedy.ticket.id_pelanggan,
                "meter_number": remedy.ticket.meter_number,
                "kind": remedy.kind,
                "purchase_reference": remedy.purchase.reference if remedy.purchase_id else "",
                "ticket": remedy.ticket.number,
            },
        )


def get_provider() -> BillingProvider:
    if settings.BILLING_PROVIDER == "http":
        return HttpProvider()
    return LocalProvider()
