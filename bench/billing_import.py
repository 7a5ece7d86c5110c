"""Benchmark: ``import_customers`` of a large CIS file on PostgreSQL — wall time, rows/s and peak memory.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_billing_bench .venv/bin/python bench/billing_import.py \
        [--rows 1000000] [--ulps 100] [--keep]

Generates the file (``--rows`` customers over ``--ulps`` ULPs, in the layout of docs/billing.md) in a temporary
folder, migrates, runs the import as ``manage.py import_customers`` does (in this process), then imports the same
file again (nothing may change) and prints both. Target: 1,000,000 customers in < 3 minutes, memory flat (the
peak resident size must not grow with the file: compare two sizes).
"""

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# Production-like: DEBUG off (DEBUG keeps every SQL statement in memory).
os.environ.setdefault("DEBUG", "0")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")


def load() -> str:
    return " / ".join(f"{x:.1f}" for x in os.getloadavg())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--ulps", type=int, default=100)
    parser.add_argument("--keep", action="store_true", help="keep the customers (for bench/bill_lookup.py)")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print("Set DATABASE_URL to a PostgreSQL database (a scratch one: customers are written).")
        return 2
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from billing import services
    from tickets.models import Customer, ServiceUnit

    uid, _ = ServiceUnit.objects.get_or_create(
        code="BENCH-UID", defaults={"name": "UID Bench", "level": "UID", "center_lat": -1.2, "center_lng": 116.8}
    )
    codes = []
    for n in range(args.ulps):
        unit, _ = ServiceUnit.objects.get_or_create(
            code=f"BENCH-ULP-{n:03d}",
            defaults={"name": f"ULP Bench {n}", "level": "ULP", "parent": uid, "center_lat": -1.2, "center_lng": 116.8},
        )
        codes.append(unit.code)
    folder = tempfile.mkdtemp(prefix="billing-bench-")
    path = Path(folder) / "customers.csv"
    started = time.monotonic()
    with path.open("w") as out:
        out.write("id_pelanggan,name,address,tariff,power_va,payment_type,meter_number,transformer_code,"
                  "feeder_code,ulp_code,lat,lng\n")  # fmt: skip
        for n in range(1, args.rows + 1):
            prepaid = n % 3 != 0
            out.write(
                f"54{n:010d},Pelanggan {n},Jl. Bench No. {n % 250},R-1/TR,{(900, 1300, 2200)[n % 3]},"
                f"{'prepaid' if prepaid else 'postpaid'},{('15' + format(n, '09d')) if prepaid else ''},"
                f"GD-{n % 5000:04d},PY-{n % 400:03d},{codes[n % len(codes)]},-1.2,116.8\n"
            )
    size_mb = path.stat().st_size / 1e6
    print(f"file: {args.rows:,} rows, {size_mb:.0f} MB, written in {time.monotonic() - started:.1f} s; load {load()}")
    Customer.objects.filter(id_pelanggan__startswith="54").delete()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    for label in ("first import", "same file again"):
        started = time.monotonic()
        job = services.import_file(kind="customers", path=str(path))
        took = time.monotonic() - started
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"{label}: {job.status}, {took:.1f} s ({args.rows / took:,.0f} rows/s), new {job.created:,}, "
            f"changed {job.updated:,}, unchanged {job.unchanged:,}; peak RSS {rss:.0f} MB "
            f"(before {rss_before:.0f} MB); load {load()}"
        )
    if not args.keep:
        Customer.objects.filter(id_pelanggan__startswith="54").delete()
    path.unlink()
    os.rmdir(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
