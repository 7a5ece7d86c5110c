"""Fan-out benchmark: N tickets' status changes → time until every notification is sent.

Stands in for an incident restored at once: ``tickets.services.change_status(to_status="restored")``
for every member ticket, in chunks of one transaction each (as the incident task would do), then
one Celery worker sends each outbox row to a local fake SMS gateway.

Needs PostgreSQL and Redis:

    DATABASE_URL=postgres://… REDIS_URL=redis://… .venv/bin/python bench/notify_fanout.py [--tickets 5000]

It migrates the database, creates its own service unit and tickets, and deletes them at the end.
"""

import argparse
import multiprocessing
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")


def serve_gateway(port_queue) -> None:
    """A local SMS gateway (its own process, so it takes no CPU time from the fan-out loop's GIL).

    POST answers 200 and counts; GET /stats answers the counts as JSON.
    """
    import json

    references: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            references.append(self.headers.get("Idempotency-Key", ""))
            self._answer(b'{"id": "ok"}')

        def do_GET(self):
            self._answer(json.dumps({"count": len(references), "distinct": len(set(references))}).encode())

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port_queue.put(server.server_address[1])
    server.serve_forever()


def gateway_stats(url: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(url.replace("/send", "/stats"), timeout=5) as response:  # noqa: S310
        return json.loads(response.read())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=5000)
    parser.add_argument("--chunk", type=int, default=500, help="status changes per transaction")
    parser.add_argument("--concurrency", type=int, default=2, help="worker processes (or threads)")
    parser.add_argument("--pool", default="prefork", choices=["prefork", "threads"])
    parser.add_argument("--timeout", type=float, default=600)
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")):
        sys.exit("Set DATABASE_URL (PostgreSQL) and REDIS_URL (Redis).")

    ports = multiprocessing.Queue()
    gateway = multiprocessing.Process(target=serve_gateway, args=(ports,), daemon=True)
    gateway.start()
    gateway_url = f"http://127.0.0.1:{ports.get(timeout=10)}/send"
    os.environ.update({"NOTIFY_SMS_ADAPTER": "http", "NOTIFY_SMS_GATEWAY_URL": gateway_url})

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from config.celery import app
    from tickets import services
    from tickets.models import Category, Notification, ServiceUnit, Ticket, TicketEvent
    from tickets.numbering import new_ticket_number

    call_command("migrate", verbosity=0)
    unit, _ = ServiceUnit.objects.get_or_create(
        code="ULP-BENCH",
        defaults={"name": "ULP Bench", "level": "ULP", "center_lat": -1.24, "center_lng": 116.85},
    )
    Ticket.objects.filter(unit=unit).delete()
    outage = Category.objects.get(code="GG-PADAM-1")
    now = timezone.now()
    tickets = Ticket.objects.bulk_create(
        [
            Ticket(
                number=new_ticket_number(now, unit.time_zone),
                category=outage,
                kind=outage.kind,
                channel=Ticket.Channel.WEB,
                unit=unit,
                reporter_phone=f"+62811{index:08d}",
                description="Padam meluas",
                created_at=now,
                first_informed_at=now,
            )
            for index in range(args.tickets)
        ],
        batch_size=1000,
    )
    TicketEvent.objects.bulk_create(
        [TicketEvent(ticket=t, kind=TicketEvent.Kind.OPENED, is_public=True, to_status=t.status) for t in tickets],
        batch_size=1000,
    )
    app.control.purge()

    log = open(ROOT / "bench" / "notify_fanout.worker.log", "w")  # noqa: SIM115
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "config", "worker", "-l", "warning",
         "-c", str(args.concurrency), "-P", args.pool, "-n", f"bench-{os.getpid()}@%h",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        cwd=ROOT, env=os.environ.copy(), stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        time.sleep(3)  # let the worker connect before the clock starts
        started = time.monotonic()
        for offset in range(0, len(tickets), args.chunk):
            with transaction.atomic():
                for ticket in tickets[offset : offset + args.chunk]:
                    services.change_status(ticket=ticket, to_status="restored", actor_label="bench")
        written = time.monotonic() - started
        rows = Notification.objects.filter(ticket__unit=unit, kind="restored")
        total = rows.count()
        while time.monotonic() - started < args.timeout:
            sent = rows.filter(status=Notification.Status.SENT).count()
            if sent + rows.filter(status=Notification.Status.FAILED).count() >= total:
                break
            time.sleep(0.25)
        elapsed = time.monotonic() - started
        sent = rows.filter(status=Notification.Status.SENT).count()
        failed = rows.filter(status=Notification.Status.FAILED).count()
        stats = gateway_stats(gateway_url)
    finally:
        worker.terminate()
        worker.wait(timeout=30)
        log.close()
        gateway.terminate()

    print(f"tickets                         {args.tickets}")
    rate = args.tickets / written
    print(f"status changes + outbox rows    {written:.2f} s  ({rate:.0f} changes/s, chunks of {args.chunk})")
    print(f"notifications written           {total}")
    print(f"sent / failed                   {sent} / {failed}")
    print(f"time until every one was sent   {elapsed:.2f} s  ({sent / elapsed:.0f} notifications/s)")
    print(f"gateway requests / distinct     {stats['count']} / {stats['distinct']}")
    print(f"worker                          1 worker, {args.pool}, concurrency {args.concurrency}")
    Ticket.objects.filter(unit=unit).delete()


if __name__ == "__main__":
    main()
