"""Benchmark: the public outage map and banner under a storm of visitors during a mass outage.

Usage (from the repository root, with PostgreSQL and Redis):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench REDIS_URL=redis://127.0.0.1:6379/12 \
        .venv/bin/python bench/outage_map.py [--visitors 500] [--seconds 20] [--workers 3] [--threads 8]

1. Migrates, then builds a city (UP3-OBENCH with three ULPs) in a mass outage: one wide-area incident with
   2,000 reports and an estimated restoration, 150 other open incidents and 6 planned outages (polygons).
2. Starts gunicorn (config.wsgi, gthread workers) on a free port.
3. ``--visitors`` concurrent visitors (asyncio, one keep-alive connection each, no think time) alternate the
   map JSON of the city and the banner JSON for a random point in it, for ``--seconds`` after 3 s of warm-up;
   prints requests/s, p50/p95/p99 latency, errors, and database statements per request (PostgreSQL's
   transaction counter for the database — every autocommit statement is one, a whole transaction counts
   once — divided by the requests; it includes the estimate change and the cache refills it causes).
4. While the storm goes on, the dispatcher moves the estimated restoration time: prints how long until every
   visitor's next banner shows the new time (cache invalidation, no waiting for the TTL).
5. Deletes the bench data. Prints figures only; this is not a test.
"""

import argparse
import asyncio
import os
import random
import shutil
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
AREA = "UP3-OBENCH"
# A city of its own (far from the demo units), so that the nearest ULP of every bench point is a bench ULP.
LAT, LNG = -0.50, 117.15
ULPS = [("ULP-OBENCH-1", LAT, LNG), ("ULP-OBENCH-2", LAT - 0.05, LNG + 0.02), ("ULP-OBENCH-3", LAT - 0.02, LNG - 0.05)]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_city():
    from django.utils import timezone

    from dispatch.models import Incident
    from outages.models import PlannedOutage, WideAreaOutage
    from tickets.models import ServiceUnit

    cleanup()
    up3 = ServiceUnit.objects.create(
        code=AREA,
        name="UP3 Bench",
        level="UP3",
        time_zone="Asia/Makassar",
        center_lat=LAT - 0.02,
        center_lng=LNG - 0.01,
    )
    now = timezone.now()
    units = []
    for code, lat, lng in ULPS:
        units.append(
            ServiceUnit.objects.create(
                code=code, name=code, level="ULP", parent=up3, time_zone="Asia/Makassar", center_lat=lat, center_lng=lng
            )
        )
    rng = random.Random(7)
    wide = Incident.objects.create(
        unit=units[0],
        lat=LAT,
        lng=LNG,
        opened_at=now,
        last_report_at=now,
        report_count=2000,
        customers_affected=40_000,
        estimated_restoration_at=now + timedelta(hours=3),
    )
    WideAreaOutage.objects.create(incident=wide, unit=units[0], reports=2000, customers=40_000)
    Incident.objects.bulk_create(
        [
            Incident(
                unit=rng.choice(units),
                lat=LAT - 0.02 + rng.uniform(-0.04, 0.04),
                lng=LNG - 0.01 + rng.uniform(-0.04, 0.04),
                opened_at=now,
                last_report_at=now,
                report_count=rng.randint(1, 20),
            )
            for _ in range(150)
        ]
    )
    for i in range(6):
        lat, lng = LAT - 0.02 + rng.uniform(-0.03, 0.03), LNG - 0.01 + rng.uniform(-0.03, 0.03)
        d = 0.004
        PlannedOutage.objects.create(
            unit=units[i % 3],
            title=f"Pemeliharaan {i}",
            area={
                "type": "Polygon",
                "coordinates": [
                    [[lng - d, lat - d], [lng + d, lat - d], [lng + d, lat + d], [lng - d, lat + d], [lng - d, lat - d]]
                ],
            },
            center_lat=lat,
            center_lng=lng,
            radius_m=600,
            starts_at=now - timedelta(hours=1),
            ends_at=now + timedelta(hours=5 + i),
        )
    from django.core.cache import cache

    cache.clear()
    return wide


def cleanup():
    from dispatch.models import Incident
    from outages.models import PlannedOutage
    from tickets.models import ServiceUnit

    codes = [code for code, _lat, _lng in ULPS]
    PlannedOutage.objects.filter(unit__code__in=codes).delete()
    Incident.objects.filter(unit__code__in=codes).delete()
    ServiceUnit.objects.filter(code__in=codes).delete()
    ServiceUnit.objects.filter(code=AREA).delete()


def db_statements() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0])


def start_gunicorn(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = {**os.environ, "LOG_LEVEL": "WARNING", "DEBUG": "1", "SECURE_SSL_REDIRECT": "0"}
    gunicorn = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) or "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--backlog",
            "2048",
            "--keep-alive",
            "30",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start")


async def get(reader, writer, path: str) -> tuple[int, bytes]:
    writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept-Language: id\r\n\r\n".encode())
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


class Storm:
    def __init__(self, port: int, visitors: int):
        self.port, self.visitors = port, visitors
        self.measuring = False
        self.stop = False
        self.latencies: list[float] = []
        self.errors = 0
        self.requests = 0
        self.watch_for: str | None = None
        self.seen_at: list[float] = []

    async def visitor(self, number: int):
        rng = random.Random(number)
        reader = writer = None
        turn = number % 2
        while not self.stop:
            try:
                if writer is None:
                    reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
                if turn:
                    path = f"/api/v1/outages/map/?area={AREA}"
                else:
                    lat, lng = LAT + rng.uniform(-0.005, 0.005), LNG + rng.uniform(-0.005, 0.005)
                    path = f"/api/v1/outages/banner/?lat={lat:.5f}&lng={lng:.5f}"
                turn ^= 1
                started = time.perf_counter()
                status, body = await get(reader, writer, path)
                elapsed = time.perf_counter() - started
                if self.measuring:
                    self.requests += 1
                    self.latencies.append(elapsed)
                    if status != 200:
                        self.errors += 1
                if self.watch_for and "banner" in path and self.watch_for.encode() in body:
                    self.seen_at.append(time.perf_counter())
            except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                if self.measuring:
                    self.errors += 1
                if writer is not None:
                    writer.close()
                reader = writer = None
                await asyncio.sleep(0.05)

    async def run(self, seconds: float, move_estimate):
        tasks = [asyncio.create_task(self.visitor(i)) for i in range(self.visitors)]
        await asyncio.sleep(3)
        statements_before = await asyncio.to_thread(db_statements)
        self.measuring = True
        started = time.perf_counter()
        await asyncio.sleep(seconds / 2)
        new_eta, moved_at = await asyncio.to_thread(move_estimate)
        self.watch_for = new_eta
        await asyncio.sleep(seconds / 2)
        self.measuring = False
        elapsed = time.perf_counter() - started
        self.stop = True
        await asyncio.gather(*tasks, return_exceptions=True)
        await asyncio.sleep(2)  # PostgreSQL publishes each backend's counters within a second of going idle
        statements = await asyncio.to_thread(db_statements) - statements_before
        return elapsed, statements, moved_at


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--visitors", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres") or not os.environ.get("REDIS_URL"):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis): this measures the production set-up.")
    setup_django()
    wide = build_city()
    port = free_port()
    server = start_gunicorn(port, args.workers, args.threads)

    def move_estimate():
        from django.db import transaction
        from django.utils import timezone

        from dispatch import services as dispatch_services
        from dispatch.models import Incident

        eta = timezone.now() + timedelta(hours=4, minutes=random.randint(1, 50))
        with transaction.atomic():
            dispatch_services.set_estimate(
                incident=Incident.objects.get(pk=wide.pk), estimated_restoration_at=eta, by=None
            )
        return eta.isoformat(), time.perf_counter()

    try:
        storm = Storm(port, args.visitors)
        elapsed, statements, moved_at = asyncio.run(storm.run(args.seconds, move_estimate))
    finally:
        server.send_signal(15)
        server.wait(timeout=30)
        cleanup()
    ms = [value * 1000 for value in storm.latencies]
    print(
        f"visitors {args.visitors}, gunicorn {args.workers} workers × {args.threads} threads, {elapsed:.1f} s measured"
    )
    print(f"requests {storm.requests}  ({storm.requests / elapsed:.0f} req/s), errors {storm.errors}")
    print(f"latency ms  p50 {percentile(ms, 0.5):.1f}  p95 {percentile(ms, 0.95):.1f}  p99 {percentile(ms, 0.99):.1f}")
    print(f"database statements per request {statements / max(storm.requests, 1):.4f}  ({statements} in all)")
    if storm.seen_at:
        print(
            f"new estimated time on a visitor's banner {1000 * (min(storm.seen_at) - moved_at):.0f} ms after the change"
        )
    else:
        print("new estimated time not seen on any banner")


if __name__ == "__main__":
    main()
