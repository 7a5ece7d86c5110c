"""Dispatch latency: outage ticket committed → assignment (offer) created, at a steady report rate.

Opens outage reports through ``tickets.services.open_ticket`` at ``--rate`` per second for ``--seconds``
(default 30/s for 60 s) while ``--technicians`` technicians (default 5,000, spread over ``--units`` ULPs)
are on duty; one Celery worker routes them. For each ticket it takes the wall-clock time right after its
transaction commits and the assignment's ``offered_at`` (stamped just before the worker's insert), and prints
p50 / p95 / max. Reports that join an existing incident (within 500 m) count with the time their incident's
offer existed (often before they were reported: 0 s), and are shown apart.

Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/dispatch_latency.py

It migrates the database, creates its own units, technicians and tickets, and deletes them at the end.
"""

import argparse
import math
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PREFIX = "BENCH-DSP"


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(p / 100 * len(ordered)) - 1))]


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=30.0, help="outage reports per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--technicians", type=int, default=5000)
    parser.add_argument("--units", type=int, default=50, help="ULPs the technicians are spread over")
    parser.add_argument("--concurrency", type=int, default=2, help="processes of the one worker")
    parser.add_argument("--clients", type=int, default=4, help="threads opening tickets")
    parser.add_argument("--timeout", type=float, default=60, help="wait this long for the last offers")
    parser.add_argument("--seed", type=int, default=123)
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import close_old_connections, transaction
    from django.utils import timezone

    from config.celery import app
    from dispatch.models import Assignment, Incident, IncidentReport, Technician
    from tickets import services
    from tickets.models import Category, ServiceUnit, Ticket

    User = get_user_model()
    rng = random.Random(args.seed)

    def cleanup() -> None:
        units = ServiceUnit.objects.filter(code__startswith=PREFIX)
        Incident.objects.filter(unit__in=units).delete()
        Ticket.objects.filter(unit__in=units).delete()
        Technician.objects.filter(unit__in=units).delete()
        User.objects.filter(username__startswith=PREFIX.lower()).delete()
        units.filter(level="ULP").delete()
        units.delete()

    call_command("migrate", verbosity=0)
    cleanup()
    # ULPs on a grid about 55 km apart, east Kalimantan-sized; technicians within ~10 km of their office.
    up3 = ServiceUnit.objects.create(
        code=f"{PREFIX}-UP3",
        name="UP3 Bench",
        level="UP3",
        time_zone="Asia/Makassar",
        center_lat=-1.0,
        center_lng=116.5,
    )
    side = math.ceil(math.sqrt(args.units))
    units = [
        ServiceUnit.objects.create(
            code=f"{PREFIX}-{i:03d}",
            name=f"ULP Bench {i}",
            level="ULP",
            parent=up3,
            time_zone="Asia/Makassar",
            center_lat=-3.0 + 0.5 * (i // side),
            center_lng=115.0 + 0.5 * (i % side),
        )
        for i in range(args.units)
    ]
    users = User.objects.bulk_create(
        [User(username=f"{PREFIX.lower()}-{i:05d}", first_name=f"Tek{i}") for i in range(args.technicians)],
        batch_size=1000,
    )
    now = timezone.now()
    technicians = []
    for i, user in enumerate(users):
        unit = units[i % len(units)]
        technicians.append(
            Technician(
                user=user,
                unit=unit,
                skills=["lv", "meter"],
                on_duty=True,
                state="available",
                job_limit=1,
                last_lat=unit.center_lat + rng.uniform(-0.09, 0.09),
                last_lng=unit.center_lng + rng.uniform(-0.09, 0.09),
                last_position_at=now,
                last_accuracy_m=10.0,
            )
        )
    Technician.objects.bulk_create(technicians, batch_size=1000)
    outage = Category.objects.get(code="GG-PADAM-1")
    total = int(args.rate * args.seconds)
    plan = []
    for n in range(total):
        unit = rng.choice(units)
        plan.append((n, unit, unit.center_lat + rng.uniform(-0.07, 0.07), unit.center_lng + rng.uniform(-0.07, 0.07)))

    app.control.purge()
    log = open(ROOT / "bench" / "dispatch_latency.worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-l",
            "warning",
            "-c",
            str(args.concurrency),
            "-P",
            "prefork",
            "-n",
            f"bench-{os.getpid()}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    # The outbox relay publishes each committed report's routing to the worker, as a deployment runs it.
    relay = subprocess.Popen(
        [sys.executable, "manage.py", "run_relay"],
        cwd=ROOT,
        env=os.environ.copy(),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    committed: dict[int, float] = {}
    lag: list[float] = []
    lock = threading.Lock()

    def report(item) -> None:
        n, unit, lat, lng = item
        due = started + n / args.rate
        delay = due - time.time()
        if delay > 0:
            time.sleep(delay)
        close_old_connections()
        stamp: list[float] = []
        with transaction.atomic():
            # Registered before the ticket's own callbacks, so it runs first, right after the commit.
            transaction.on_commit(lambda: stamp.append(time.time()))
            ticket = services.open_ticket(
                category=outage,
                channel="api",
                description="Padam (bench)",
                reporter_phone=f"+62812{n:08d}",
                unit=unit,
                lat=lat,
                lng=lng,
            )
        with lock:
            committed[ticket.pk] = stamp[0]
            lag.append(stamp[0] - due)

    try:
        ready_by = time.time() + 60
        while not app.control.ping(timeout=0.5):  # the clock starts once the worker answers
            if worker.poll() is not None or time.time() > ready_by:
                sys.exit("The Celery worker did not start; see bench/dispatch_latency.worker.log")
        time.sleep(1)
        load_before = load_average()
        started = time.time() + 0.5
        with ThreadPoolExecutor(max_workers=args.clients) as pool:
            list(pool.map(report, plan))
        sent_in = time.time() - started
        deadline = time.time() + args.timeout
        ids = list(committed)
        while time.time() < deadline:
            waiting = Ticket.objects.filter(pk__in=ids, dispatch_state__in=["pending", "enqueued"]).count()
            if waiting == 0:
                break
            time.sleep(0.5)
        load_after = load_average()
    finally:
        relay.terminate()
        worker.terminate()
        relay.wait(timeout=30)
        worker.wait(timeout=30)
        log.close()

    offers = {
        incident_id: offered_at.timestamp()
        for incident_id, offered_at in Assignment.objects.filter(incident__unit__in=units)
        .order_by("incident_id", "offered_at")
        .values_list("incident_id", "offered_at")
        .distinct("incident_id")
    }
    membership, first_report, joined_at = {}, {}, {}
    for ticket_id, incident_id, joined in (
        IncidentReport.objects.filter(ticket_id__in=committed)
        .order_by("id")
        .values_list("ticket_id", "incident_id", "joined_at")
    ):
        membership[ticket_id] = incident_id
        joined_at[ticket_id] = joined.timestamp()
        first_report.setdefault(incident_id, ticket_id)
    # Where the time goes for new incidents: waiting for the worker (commit → the task attaches the ticket)
    # and the routing itself (attached → offered).
    queued = [joined_at[t] - committed[t] for t in first_report.values() if t in joined_at]
    routing = [offers[i] - joined_at[t] for i, t in first_report.items() if i in offers and t in joined_at]
    opening, joining, unassigned = [], [], 0
    for ticket_id, at in committed.items():
        incident_id = membership.get(ticket_id)
        if incident_id is None or incident_id not in offers:
            unassigned += 1
            continue
        latency = max(0.0, offers[incident_id] - at)
        (opening if first_report.get(incident_id) == ticket_id else joining).append(latency)
    states = dict(
        Ticket.objects.filter(pk__in=committed).values_list("dispatch_state").annotate(n=django.db.models.Count("id"))
    )

    def line(label: str, values: list[float]) -> str:
        if not values:
            return f"{label:<34}n/a"
        return (
            f"{label:<34}p50 {statistics.median(values) * 1000:7.1f} ms   p95 {percentile(values, 95) * 1000:7.1f} ms"
            f"   max {max(values) * 1000:7.1f} ms   (n={len(values)})"
        )

    print(f"technicians on duty               {args.technicians} over {args.units} ULPs")
    achieved = len(committed) / sent_in
    lag_p95 = percentile(lag, 95) * 1000
    print(f"outage reports                    {len(committed)} in {sent_in:.1f} s ({achieved:.1f}/s)")
    print(f"target rate                       {args.rate:g}/s for {args.seconds:g} s; client lag p95 {lag_p95:.0f} ms")
    print(f"incidents / joined reports        {len(opening)} / {len(joining)}")
    print(line("commit → offer (new incidents)", opening))
    print(line("commit → offer (all reports)", opening + joining))
    print(line("  of which commit → task start", queued))
    print(line("  of which task start → offer", routing))
    print(f"reports without an offer          {unassigned}   dispatch states {states}")
    print(f"worker                            1 worker, prefork, concurrency {args.concurrency}")
    print(f"load average before / after       {load_before} / {load_after}  ({os.cpu_count()} CPUs)")
    cleanup()


if __name__ == "__main__":
    main()
