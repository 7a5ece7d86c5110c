"""Benchmark: a storm — outage reports arriving over minutes in a few areas, through intake, grouping and routing.

    DATABASE_URL=postgres://…/sigap_bench REDIS_URL=redis://…/8 .venv/bin/python bench/storm.py \
        [--reports 20000] [--minutes 10] [--areas 4] [--senders 24] [--workers 4] [--celery 2]

The full storm is 20,000 reports in 10 minutes; ``--reports`` / ``--minutes`` scale it down (say so beside the
figures). Needs the data set of ``manage.py seed_scale`` (its ULPs, customers and technicians).

1. Puts the technicians of the storm ULPs on duty with a fresh position; starts gunicorn and a Celery worker.
2. Sends the reports open-loop on a triangular schedule (rate rising to a peak at half time, then falling),
   from ``--senders`` keep-alive connections: 60 % from customers of the area (with their ID pelanggan, so
   their transformer groups them), 40 % anonymous with a point within 1.5 km of the area's centre.
3. After the last report, waits until no storm ticket is still waiting to be routed (not attached to an
   incident and offered, or marked "no technician available"); prints how long after the last report
   that took (target: 60 s), intake latency, lost reports (answers that are not a committed ticket, or
   tickets never grouped), incidents and offers made. Every 2 s it counts the tickets waiting and how long the
   oldest of them has waited: while reports arrive some are always in flight (committed moments before), so
   besides the first moment after the peak with none waiting it prints the first with none waiting over 5 s.
4. Removes the storm's tickets, incidents and offers, and puts the technicians back as they were.
"""

import argparse
import http.client
import json
import queue
import random
import sys
import threading
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402

KEY_PREFIX = "bench-storm-"
OVERDUE_SECONDS = 5.0  # a report waiting longer than this to be routed is queued, not in flight


def schedule(reports: int, seconds: float) -> list[float]:
    """Send times (s from start) with a triangular rate: 0 → peak at half time → 0."""
    rng = random.Random(7)
    times = []
    half = seconds / 2
    for _ in range(reports):
        # inverse CDF of a symmetric triangular distribution on [0, seconds]
        u = rng.random()
        times.append(half * (2 * u) ** 0.5 if u < 0.5 else seconds - half * (2 * (1 - u)) ** 0.5)
    return sorted(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--reports", type=int, default=20_000)
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--areas", type=int, default=4)
    parser.add_argument("--senders", type=int, default=24)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--celery", type=int, default=2, help="Celery worker processes")
    parser.add_argument("--drain-timeout", type=float, default=600)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--no-beat", action="store_true", help="no sweepers (beat): they retry waiting incidents")
    args = parser.parse_args()
    stack.require_stack()
    stack.setup_django()
    from django.db.models import Count, Min, Q
    from django.utils import timezone

    from dispatch.models import Assignment, Incident, IncidentReport, Technician
    from tickets.models import Customer, ServiceUnit, Ticket

    areas = list(ServiceUnit.objects.filter(code__startswith="SC-ULP-").order_by("code")[10 : 10 + args.areas])
    if len(areas) < args.areas:
        sys.exit("no seeded data: run `manage.py seed_scale` first")
    run = uuid.uuid4().hex[:8]
    rng = random.Random(run)
    customers = {
        unit.pk: list(Customer.objects.filter(unit=unit).values_list("id_pelanggan", flat=True)[:3000])
        for unit in areas
    }
    crews = Technician.objects.filter(unit__in=areas)
    saved = list(crews.values("pk", "on_duty", "state", "last_position_at", "active_jobs", "shift_ends_at"))
    started_at = timezone.now()
    crews.filter(on_duty=True).update(
        last_position_at=started_at, shift_ends_at=started_at + timezone.timedelta(hours=8)
    )

    def body(n: int) -> dict:
        unit = areas[n % len(areas)]
        report = {"category": "GG-PADAM-1", "description": "Listrik padam, hujan angin", "reporter_phone": ""}
        report["reporter_phone"] = f"0857{rng.randrange(10**8):08d}"
        if rng.random() < 0.6 and customers[unit.pk]:
            report["id_pelanggan"] = rng.choice(customers[unit.pk])
        else:
            report["lat"] = unit.center_lat + rng.uniform(-0.0135, 0.0135)
            report["lng"] = unit.center_lng + rng.uniform(-0.0135, 0.0135)
            report["unit"] = unit.code
        return report

    seconds = args.minutes * 60
    times = schedule(args.reports, seconds)
    jobs: queue.Queue = queue.Queue()
    results: list[tuple[float, int, str]] = []
    lateness: list[float] = []
    lock = threading.Lock()

    print(f"machine: {stack.machine_facts()}")
    print(
        f"storm: {args.reports:,} reports in {args.minutes:g} min over {len(areas)} ULPs "
        f"(peak about {2 * args.reports / seconds:.0f} reports/s at {seconds / 2:.0f} s); "
        f"{crews.filter(on_duty=True).count()} technicians on duty there; gunicorn {args.workers} workers, "
        f"Celery {args.celery} processes{'' if args.no_beat else ' and beat'}"
    )
    with stack.Services(
        workers=args.workers, celery=True, celery_concurrency=args.celery, beat=not args.no_beat
    ) as services:

        def sender():
            conn = http.client.HTTPConnection("127.0.0.1", services.port, timeout=60)
            while True:
                job = jobs.get()
                if job is None:
                    return
                n, payload, due = job
                late = time.monotonic() - due  # waiting for a free connection: intake not keeping up
                with lock:
                    lateness.append(late)
                raw = json.dumps(payload)
                headers = {"Content-Type": "application/json", "Idempotency-Key": f"{KEY_PREFIX}{run}-{n}"}
                for _attempt in range(3):  # a client retries a dropped connection with the same key
                    t0 = time.perf_counter()
                    try:
                        conn.request("POST", "/api/v1/tickets/", body=raw, headers=headers)
                        response = conn.getresponse()
                        answer = response.read()
                        break
                    except (OSError, http.client.HTTPException):
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", services.port, timeout=60)
                else:
                    with lock:
                        results.append((0.0, 0, ""))
                    continue
                number = json.loads(answer).get("number", "") if response.status in (200, 201) else ""
                with lock:
                    results.append((time.perf_counter() - t0, response.status, number))

        storm = Ticket.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{run}-")
        waiting = storm.filter(
            Q(incident_report__isnull=True)
            | Q(dispatch_state__in=[Ticket.DispatchState.PENDING, Ticket.DispatchState.ENQUEUED])
        )
        # (s from start, tickets waiting to be routed, seconds the oldest of them has waited since it was committed)
        backlog: list[tuple[float, int, float]] = []

        def sample() -> tuple[float, int, float]:
            found = waiting.aggregate(count=Count("pk"), oldest=Min("created_at"))
            age = (timezone.now() - found["oldest"]).total_seconds() if found["oldest"] else 0.0
            return (time.monotonic() - t_start, found["count"], age)

        sending = threading.Event()
        sending.set()

        def monitor():
            from django.db import connection

            while sending.is_set():
                backlog.append(sample())
                time.sleep(2)
            connection.close()

        threads = [threading.Thread(target=sender, daemon=True) for _ in range(args.senders)]
        for thread in threads:
            thread.start()
        t_start = time.monotonic()
        cpu_start = stack.cpu_seconds()
        watcher = threading.Thread(target=monitor, daemon=True)
        watcher.start()
        for n, at in enumerate(times):
            delay = t_start + at - time.monotonic()
            if delay > 0:
                time.sleep(delay)
            jobs.put((n, body(n), t_start + at))
            if n and n % max(1, args.reports // 10) == 0:
                print(f"  {n:,} sent at {time.monotonic() - t_start:5.0f} s, queue {jobs.qsize()}", flush=True)
        for _ in threads:
            jobs.put(None)
        for thread in threads:
            thread.join()
        t_sent = time.monotonic()
        sending.clear()
        watcher.join()
        backlog_at_end = waiting.count()
        drained_after = None
        while time.monotonic() - t_sent < args.drain_timeout:
            point = sample()
            backlog.append(point)
            if point[1] == 0:
                drained_after = time.monotonic() - t_sent
                break
            time.sleep(1)
        cpu_used = stack.cpu_used(cpu_start, stack.cpu_seconds(), time.monotonic() - t_start)
        peak_at = seconds / 2
        worst_at, worst, _age = max(backlog, key=lambda point: point[1]) if backlog else (0.0, 0, 0.0)
        # First moment after the peak of arrivals when nothing was waiting to be routed.
        empty_after_peak = next((at - peak_at for at, left, _age in backlog if at >= peak_at and left == 0), None)
        # ... and when nothing had waited longer than OVERDUE_SECONDS: what was waiting then was in flight (committed
        # moments before, between the relay's rounds and the worker's batch), not a queue building up.
        caught_up_after_peak = next(
            (at - peak_at for at, _left, age in backlog if at >= peak_at and age <= OVERDUE_SECONDS), None
        )
        oldest = max((age for _at, _left, age in backlog), default=0.0)

        def backlog_near(moment: float) -> tuple[int, float]:
            point = min(backlog, key=lambda point: abs(point[0] - moment)) if backlog else (0.0, 0, 0.0)
            return point[1], point[2]

    latencies = [r[0] for r in results if r[1] in (200, 201)]
    numbers = {r[2] for r in results if r[2]}
    failed = [r for r in results if r[1] not in (200, 201)]
    in_db = set(storm.values_list("number", flat=True))
    grouped = IncidentReport.objects.filter(ticket__in=storm).count()
    incidents = Incident.objects.filter(reports__ticket__in=storm).distinct()
    offers = Assignment.objects.filter(incident__in=incidents, offered_at__gte=started_at)
    print(
        stack.table(
            [
                {
                    "what": "reports sent",
                    "value": f"{len(results):,}; sent late by up to {max(lateness, default=0):.1f} s "
                    f"(p95 {stack.percentile(lateness, 0.95):.1f} s) for want of a free connection",
                },
                {"what": "answered 201/200", "value": f"{len(latencies):,}; failed {len(failed)}"},
                {
                    "what": "intake latency p50/p95/p99",
                    "value": " / ".join(f"{stack.percentile(latencies, q) * 1000:.0f}" for q in (0.5, 0.95, 0.99))
                    + " ms",
                },
                {"what": "tickets committed", "value": f"{len(in_db):,}; answered but missing: {len(numbers - in_db)}"},
                {"what": "grouped into incidents", "value": f"{grouped:,} reports in {incidents.count():,} incidents"},
                {"what": "offers made to crews", "value": f"{offers.count():,}"},
                {
                    "what": "routing backlog (sampled every 2 s)",
                    "value": f"largest {worst:,} tickets at {worst_at:.0f} s; {backlog_at_end:,} at the last report",
                },
                {
                    "what": "backlog at the peak / 60 s after it",
                    "value": f"{backlog_near(peak_at)[0]:,} / {backlog_near(peak_at + 60)[0]:,} tickets, the oldest "
                    f"waiting {backlog_near(peak_at)[1]:.1f} / {backlog_near(peak_at + 60)[1]:.1f} s "
                    f"(arrivals then about {2 * args.reports / seconds:.0f} / "
                    f"{2 * args.reports / seconds * max(0.0, 1 - 60 / peak_at):.0f} reports/s)",
                },
                {
                    "what": "backlog empty after the peak of arrivals",
                    "value": f"{empty_after_peak:.0f} s after it" if empty_after_peak is not None else "never",
                },
                {
                    "what": f"nothing waiting over {OVERDUE_SECONDS:.0f} s after the peak",
                    "value": f"{caught_up_after_peak:.0f} s after it" if caught_up_after_peak is not None else "never",
                },
                {"what": "longest wait seen (sampled)", "value": f"{oldest:.1f} s"},
                {
                    "what": "backlog drained after the last report",
                    "value": (
                        f"{drained_after:.1f} s"
                        if drained_after is not None
                        else f"NOT within {args.drain_timeout:.0f} s ({waiting.count():,} left)"
                    ),
                },
                {"what": "CPU used, first report to drained", "value": cpu_used},
                {"what": "load average after", "value": stack.load_average()},
            ],
            [("what", "storm", ""), ("value", "", "")],
        )
    )
    if not args.keep:
        incident_ids = list(incidents.values_list("pk", flat=True))
        Assignment.objects.filter(incident_id__in=incident_ids).delete()
        Incident.objects.filter(pk__in=incident_ids).delete()
        ids = list(storm.values_list("pk", flat=True))
        for start in range(0, len(ids), 5000):
            Ticket.objects.filter(pk__in=ids[start : start + 5000]).delete()
        for row in saved:
            Technician.objects.filter(pk=row.pop("pk")).update(**row)
        print(f"removed the storm: {len(ids):,} tickets, {len(incident_ids):,} incidents")


if __name__ == "__main__":
    main()
