"""Benchmark: ticket intake ``POST /api/v1/tickets/`` against a bare Django JSON view served the same way.

    DATABASE_URL=postgres://…/sigap_bench REDIS_URL=redis://…/8 .venv/bin/python bench/intake.py \
        [--seconds 20] [--workers 4] [--concurrency 8 32] [--seed] [--no-worker] [--peer] [--floor]

1. Uses the data set of ``manage.py seed_scale`` in that database (``--seed`` builds it first when missing);
   outage reports (70 %) and billing complaints (30 %) from seeded customers, each with its own
   ``Idempotency-Key``.
2. Starts gunicorn (``--workers`` sync workers, benchmark settings: the product's URLs plus ``/bench/bare/``,
   DEBUG off) and a Celery worker (the notifications and routing the intake enqueues are really handled).
3. For each concurrency: the bare view, then intake, each warmed up for 3 s and measured for ``--seconds``
   with wrk (or the Python client when wrk is missing). Prints req/s, p50/p95/p99 and the ratio.
   With ``--floor``, also ``/bench/floor/`` (``bench_urls.py``): the bare view plus one durable INSERT and
   COMMIT, the least any intake that answers after its report is on disk can cost on this machine.
   With ``--peer``, also the peer: django-helpdesk 2.6.1 (``bench/peer/setup.sh`` makes its virtualenv, a
   bench-only site in ``bench/peer/peersite`` keeps its tables in the schema ``helpdesk_peer`` of the same
   database), served by the same gunicorn command, creating tickets through its REST API with token auth
   (ticket, follow-up and its e-mails in the request), measured right after Sigap's intake with the same tool.
4. Checks that every ticket the run answered 201 for is in the database with its "opened" event and its
   outbox row (committed before the answer), then deletes the bench tickets.
"""

import argparse
import contextlib
import json
import os
import random
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import signal  # noqa: E402

import stack  # noqa: E402

KEY_PREFIX = "bench-intake-"
PEER = stack.BENCH / "peer"


class Peer:
    """django-helpdesk 2.6.1 under gunicorn (same command line as Sigap's) for a ``with`` block."""

    def __init__(self, *, workers: int):
        self.workers = workers
        self.port = stack.free_port()
        self.process = None

    def __enter__(self) -> "Peer":
        subprocess.run(["sh", str(PEER / "setup.sh")], check=True, capture_output=True)
        env = {
            **os.environ,
            "PEER_DATABASE_URL": os.environ["DATABASE_URL"],
            "PYTHONPATH": str(PEER),
            "DJANGO_SETTINGS_MODULE": "peersite.settings",
        }
        prepared = subprocess.run(
            [str(PEER / ".venv" / "bin" / "python"), str(PEER / "peersite" / "prepare.py")],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        )
        facts = json.loads(prepared.stdout.strip().splitlines()[-1])
        self.queue, self.token = facts["queue"], facts["token"]
        log = open(stack.LOG_DIR / "bench-peer-gunicorn.log", "w")
        command = stack.gunicorn_command(
            str(PEER / ".venv" / "bin" / "gunicorn"), "peersite.wsgi", port=self.port, workers=self.workers
        )
        self.process = subprocess.Popen(command, cwd=PEER, env=env, stdout=log, stderr=log, start_new_session=True)
        if not stack.wait_for_http(self.port, "/api/"):
            self.__exit__()
            raise RuntimeError("the peer's gunicorn did not start; see bench-peer-gunicorn.log")
        return self

    def __exit__(self, *exc) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)

    def lua(self) -> str:
        return f"""
local counter = 0
request = function()
  counter = counter + 1
  local body = '{{"queue":{self.queue},"title":"Listrik padam","description":"Listrik padam sejak sore",'
    .. '"submitter_email":"pelanggan' .. tostring(tid) .. '-' .. counter .. '@example.com","priority":3}}'
  local headers = {{}}
  headers["Content-Type"] = "application/json"
  headers["Authorization"] = "Token {self.token}"
  return wrk.format("POST", "/api/tickets/", headers, body)
end
"""

    def python_request(self):
        def make(thread: int, n: int):
            body = {
                "queue": self.queue,
                "title": "Listrik padam",
                "description": "Listrik padam sejak sore",
                "submitter_email": f"pelanggan{thread}-{n}@example.com",
                "priority": 3,
            }
            headers = {"Content-Type": "application/json", "Authorization": f"Token {self.token}"}
            return "POST", "/api/tickets/", json.dumps(body), headers

        return make

    def measure(self, connections: int, seconds: float) -> dict:
        if stack.have_wrk():
            for length in (3, seconds):  # warm-up, then the measurement
                result = stack.run_wrk(
                    port=self.port, path="/api/tickets/", lua=self.lua(), connections=connections, seconds=length
                )
            return result
        make = self.python_request()
        stack.run_python_load(port=self.port, make_request=make, connections=connections, seconds=3)
        return stack.run_python_load(port=self.port, make_request=make, connections=connections, seconds=seconds)


def intake_lua(customer_ids: tuple[int, int], run: str) -> str:
    """Each wrk thread numbers its own requests; the call's nonce keeps warm-up and measurement keys apart."""
    low, high = customer_ids
    nonce = uuid.uuid4().hex[:6]
    return f"""
local counter = 0
request = function()
  counter = counter + 1
  local pk = math.random({low}, {high})
  local idpel = string.format("8%011d", pk)
  local category = "GG-PADAM-1"
  if counter % 10 < 3 then category = "TG-LONJAK" end
  local body = '{{"category":"' .. category .. '","description":"Listrik padam sejak sore",'
    .. '"reporter_phone":"0812' .. string.format("%08d", pk % 100000000) .. '","id_pelanggan":"' .. idpel .. '"}}'
  local headers = {{}}
  headers["Content-Type"] = "application/json"
  headers["Idempotency-Key"] = "{KEY_PREFIX}{run}-{nonce}-" .. tostring(tid) .. "-" .. counter
  return wrk.format("POST", "/api/v1/tickets/", headers, body)
end
"""


BARE_LUA = """
request = function()
  local headers = {}
  headers["Content-Type"] = "application/json"
  return wrk.format("POST", "/bench/bare/", headers,
    '{"category":"GG-PADAM-1","description":"Listrik padam sejak sore","reporter_phone":"081234567890"}')
end
"""
FLOOR_LUA = BARE_LUA.replace("/bench/bare/", "/bench/floor/")
BENCH_PATHS = {"bare": "/bench/bare/", "floor": "/bench/floor/", "intake": "/api/v1/tickets/"}


def python_request(kind: str, customer_ids: tuple[int, int], run: str):
    import json

    def make(thread: int, n: int):
        if kind in ("bare", "floor"):
            return "POST", BENCH_PATHS[kind], json.dumps({"description": "x"}), {"Content-Type": "application/json"}
        pk = random.randint(*customer_ids)
        body = {
            "category": "TG-LONJAK" if n % 10 < 3 else "GG-PADAM-1",
            "description": "Listrik padam sejak sore",
            "reporter_phone": f"0812{pk % 100_000_000:08d}",
            "id_pelanggan": f"8{pk:011d}",
        }
        headers = {"Content-Type": "application/json", "Idempotency-Key": f"{KEY_PREFIX}{run}-{thread}-{n}"}
        return "POST", "/api/v1/tickets/", json.dumps(body), headers

    return make


def measure(port: int, kind: str, connections: int, seconds: float, customer_ids, run: str) -> dict:
    if stack.have_wrk():
        lua = {"bare": BARE_LUA, "floor": FLOOR_LUA}.get(kind) or intake_lua(customer_ids, run)
        path = BENCH_PATHS[kind]
        stack.run_wrk(port=port, path=path, lua=lua, connections=connections, seconds=3)  # warm-up
        return stack.run_wrk(port=port, path=path, lua=lua, connections=connections, seconds=seconds)
    make = python_request(kind, customer_ids, run)
    stack.run_python_load(port=port, make_request=make, connections=connections, seconds=3)
    return stack.run_python_load(port=port, make_request=make, connections=connections, seconds=seconds)


def cpu_per_request(run: str, customer_ids: tuple[int, int], n: int = 200) -> str:
    """The same two requests in this process (Django's test client, no HTTP, no other request running):
    CPU seconds of the Python side per request — a figure the machine's other load changes little."""
    import json
    import time

    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")
    make = python_request("intake", customer_ids, run + "-cpu")
    figures = {}
    for kind in ("bare", "intake"):
        for warm in (True, False):
            started, wall = time.process_time(), time.perf_counter()
            for i in range(20 if warm else n):
                if kind == "bare":
                    client.post("/bench/bare/", json.dumps({"description": "x"}), content_type="application/json")
                else:
                    _method, path, body, headers = make(0, i + (0 if warm else 1000))
                    client.post(
                        path, body, content_type="application/json", HTTP_IDEMPOTENCY_KEY=headers["Idempotency-Key"]
                    )
            if not warm:
                figures[kind] = ((time.process_time() - started) / n * 1000, (time.perf_counter() - wall) / n * 1000)
    (bare_cpu, bare_wall), (intake_cpu, intake_wall) = figures["bare"], figures["intake"]
    return (
        f"one request at a time, in process: bare {bare_cpu:.2f} ms CPU ({bare_wall:.2f} ms wall), intake "
        f"{intake_cpu:.2f} ms CPU ({intake_wall:.2f} ms wall incl. the database): intake costs "
        f"{intake_cpu / bare_cpu:.1f}x the bare view's CPU"
    )


def bench_made(run: str) -> int:
    from tickets.models import Ticket

    return Ticket.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{run}-").count()


def wait_drained(run: str, seconds: float) -> float | None:
    """Wait until every bench report of this run is routed and its messages are out of the outbox; the seconds
    that took, or None when it did not happen in ``seconds``."""
    from notifications.models import Notification
    from tickets.models import Ticket

    started = time.monotonic()
    mine = Ticket.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{run}-")
    while time.monotonic() - started < seconds:
        routing = mine.filter(dispatch_state__in=[Ticket.DispatchState.PENDING, Ticket.DispatchState.ENQUEUED])
        sending = Notification.objects.filter(ticket__in=mine, status=Notification.Status.PENDING)
        if not routing.exists() and not sending.exists():
            return time.monotonic() - started
        time.sleep(0.5)
    return None


def cpu_per_report(before: dict, after: dict, reports: int, connections: int, drained: float | None) -> str:
    """CPU milliseconds each part of the stack spent per report, from the first request until the last report
    was routed and its messages sent (the load generator and the idle wait included)."""
    if reports <= 0:
        return f"CPU per intake report c={connections}: no reports made"
    used = {part: (after.get(part, 0.0) - before.get(part, 0.0)) * 1000 / reports for part in after}
    parts = ", ".join(f"{part} {ms:.1f}" for part, ms in sorted(used.items(), key=lambda kv: -kv[1]) if ms >= 0.05)
    tail = f"drained {drained:.1f} s after the load" if drained is not None else "NOT drained within 120 s"
    return (
        f"CPU per intake report c={connections}, request to routed and notified ({reports:,} reports; {tail}): "
        f"{sum(used.values()):.1f} ms = {parts}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seed", action="store_true", help="run seed_scale first when the data set is missing")
    parser.add_argument("--keep", action="store_true", help="keep the bench tickets")
    parser.add_argument(
        "--peer", action="store_true", help="also measure django-helpdesk 2.6.1's ticket create (bench/peer/)"
    )
    parser.add_argument(
        "--floor",
        action="store_true",
        help="also measure /bench/floor/: the bare view plus one durable INSERT (the least any intake costs)",
    )
    parser.add_argument(
        "--no-worker",
        action="store_true",
        help="no Celery worker: the intake alone (its routing and notifications wait in Redis; not a product setup)",
    )
    args = parser.parse_args()
    stack.require_stack()
    stack.setup_django("bench_settings")
    from django.core.management import call_command
    from django.db import connection

    from notifications.models import Notification
    from tickets.models import Customer, Ticket, TicketEvent

    if args.seed:
        call_command("seed_scale")
    scale = Customer.objects.filter(id_pelanggan__startswith="8", unit__code__startswith="SC-")
    first = scale.order_by("id").values_list("id", flat=True).first()
    last = scale.order_by("-id").values_list("id", flat=True).first()
    if first is None:
        sys.exit("no seeded customers: run `manage.py seed_scale` first (or pass --seed)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = 'tickets_ticket'")
        tickets_estimate = cursor.fetchone()[0]
    if args.floor:
        from bench_urls import FLOOR_DDL, FLOOR_TABLE

        with connection.cursor() as cursor:
            cursor.execute(FLOOR_DDL)
            cursor.execute(f"TRUNCATE {FLOOR_TABLE}")
    run = uuid.uuid4().hex[:8]
    threads = int(os.environ.get("BENCH_GUNICORN_THREADS", "1"))
    gunicorn_kind = f"gthread workers x {threads} threads" if threads > 1 else "sync workers"
    print(f"machine: {stack.machine_facts()}")
    if args.no_worker:
        print("no Celery worker: the routing and notifications the intake publishes are left in Redis")
    print(
        f"data: about {tickets_estimate:,} tickets; customers {first}..{last}; "
        f"gunicorn {args.workers} {gunicorn_kind}; "
        f"load by {'wrk' if stack.have_wrk() else 'Python threads (wrk missing: figures are a floor)'}"
    )
    rows = []
    per_report: list[str] = []
    peer = Peer(workers=args.workers) if args.peer else None
    with (
        stack.Services(workers=args.workers, settings_module="bench_settings", celery=not args.no_worker) as services,
        peer or contextlib.nullcontext(),
    ):
        stack.settle()  # the peer's server may still be starting
        for connections in args.concurrency:
            load_before = stack.load_average()
            bare = measure(services.port, "bare", connections, args.seconds, (first, last), run)
            load_bare = stack.load_average()
            rows.append({"case": f"bare JSON view c={connections}", **bare, "load": load_before})
            if args.floor:
                floor = measure(services.port, "floor", connections, args.seconds, (first, last), run)
                rows.append(
                    {
                        "case": f"floor: bare + one durable INSERT c={connections}",
                        **floor,
                        "ratio": f"{100 * floor['rate'] / bare['rate']:.0f} %",
                        "load": load_bare,
                    }
                )
                load_bare = stack.load_average()
            made_before = bench_made(run)
            cpu_before = stack.cpu_seconds()
            intake = measure(services.port, "intake", connections, args.seconds, (first, last), run)
            drained = wait_drained(run, seconds=120)
            per_report.append(
                cpu_per_report(cpu_before, stack.cpu_seconds(), bench_made(run) - made_before, connections, drained)
            )
            rows.append(
                {
                    "case": f"intake POST /api/v1/tickets/ c={connections}",
                    **intake,
                    "ratio": f"{100 * intake['rate'] / bare['rate']:.0f} %",
                    "load": load_bare,
                }
            )
            if peer is not None:
                load_intake = stack.load_average()
                other = peer.measure(connections, args.seconds)
                rows.append(
                    {
                        "case": f"peer: django-helpdesk create c={connections}",
                        **other,
                        "ratio": f"{100 * other['rate'] / bare['rate']:.0f} %",
                        "load": load_intake,
                    }
                )
                rows[-2]["peer"] = f"{intake['rate'] / other['rate']:.1f}x"
        cpu = cpu_per_request(run, (first, last))
        # Let the worker finish what the intake enqueued (notifications, routing) before checking.
        time.sleep(2)
    print(
        stack.table(
            rows,
            [
                ("case", "case", ""),
                ("requests", "requests", ",d"),
                ("rate", "req/s", ",.0f"),
                ("p50", "p50 ms", ".1f"),
                ("p95", "p95 ms", ".1f"),
                ("p99", "p99 ms", ".1f"),
                ("errors", "errors", "d"),
                ("ratio", "of bare", ""),
                ("peer", "vs peer", ""),
                ("load", "load avg (1/5/15)", ""),
            ],
        )
    )
    print(cpu)
    print("\n".join(per_report))
    bench_tickets = Ticket.objects.filter(idempotency_key__startswith=f"{KEY_PREFIX}{run}-")
    made = bench_tickets.count()
    without_event = bench_tickets.exclude(events__kind=TicketEvent.Kind.OPENED).count()
    without_outbox = bench_tickets.exclude(pk__in=Notification.objects.values("ticket_id")).count()
    print(
        f"durability: {made:,} bench tickets in the database; without their opened event: {without_event}; "
        f"without an outbox row: {without_outbox}"
    )
    if not args.keep:
        ids = list(bench_tickets.values_list("pk", flat=True))
        for start in range(0, len(ids), 5000):
            Ticket.objects.filter(pk__in=ids[start : start + 5000]).delete()
        print(f"deleted the {len(ids):,} bench tickets")


if __name__ == "__main__":
    main()
