"""Benchmark: the info tagihan look-up (``POST /api/v1/billing/lookup/``) over many bills — p50/p95/p99.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_billing_bench .venv/bin/python bench/bill_lookup.py \
        [--customers 1000000] [--months 12] [--requests 2000] [--page]

Needs customers (``bench/billing_import.py --keep``). Fills ``--months`` bills per customer with one
INSERT … SELECT per month on PostgreSQL (1,000,000 × 12 = 12,000,000 bills at full size), then asks the API for
random ID pelanggan (known and unknown) through Django's test client in this process — the full view, the
serializers and the middleware, without the HTTP server. ``--page`` asks the public page (/info-tagihan/, HTML)
instead. Target: p95 < 30 ms at 12,000,000 bills.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--customers", type=int, default=1_000_000)
    parser.add_argument("--months", type=int, default=12)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--page", action="store_true", help="the public page instead of the API")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to the PostgreSQL database bench/billing_import.py --keep filled.")
        return 2
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from rest_framework.throttling import SimpleRateThrottle

    from billing.models import Bill

    SimpleRateThrottle.THROTTLE_RATES = {"public_intake": "1000000/minute", "public_tracking": "1000000/minute"}
    with connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id), count(*) FROM tickets_customer WHERE id_pelanggan LIKE '54%%'")
        low, high, count = cursor.fetchone()
    if not count:
        print("No bench customers: run bench/billing_import.py --keep first.")
        return 2
    have = Bill.objects.count()
    want = min(count, args.customers) * args.months
    if have < want:
        started = time.monotonic()
        with connection.cursor() as cursor:
            for month in range(args.months):
                cursor.execute(
                    """
                    INSERT INTO billing_bill (customer_id, period, reading_start, reading_end, kwh, amount, late_fee,
                                              due_date, paid_at)
                    SELECT id, make_date(2025, 1, 1) + (%(m)s || ' month')::interval, 1000 + %(m)s * 150,
                           1150 + %(m)s * 150, 150, 216705, 0,
                           make_date(2025, 2, 20) + (%(m)s || ' month')::interval,
                           CASE WHEN %(m)s < %(last)s THEN now() END
                    FROM tickets_customer WHERE id_pelanggan LIKE '54%%' AND id <= %(top)s
                    ON CONFLICT (customer_id, period) DO NOTHING
                    """,
                    {"m": month, "last": args.months - 1, "top": low + args.customers - 1},
                )
            cursor.execute("ANALYZE billing_bill")
        print(f"filled {Bill.objects.count():,} bills in {time.monotonic() - started:.0f} s; load {load()}")
    total = Bill.objects.count()
    client = Client()
    rng = random.Random(7)
    population = [f"54{n:010d}" for n in rng.sample(range(1, count + 1), min(args.requests, count))]

    def ask(idpel: str):
        if args.page:
            return client.post("/info-tagihan/", {"id_pelanggan": idpel}, secure=True)
        return client.post(
            "/api/v1/billing/lookup/", {"id_pelanggan": idpel}, content_type="application/json", secure=True
        )

    for idpel in population[:50]:  # warm-up
        ask(idpel)
    timings = []
    for n, idpel in enumerate(population):
        if n % 10 == 9:
            idpel = f"59{rng.randrange(10**10):010d}"  # unknown IDs answer in the same time and shape
        started = time.perf_counter()
        response = ask(idpel)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.content
    timings.sort()
    q = statistics.quantiles(timings, n=100)
    print(
        f"{'page' if args.page else 'lookup'} over {total:,} bills, {len(timings)} requests one at a time: "
        f"p50 {q[49]:.1f} ms, p95 {q[94]:.1f} ms, "
        f"p99 {q[98]:.1f} ms, max {timings[-1]:.1f} ms; load {load()}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
