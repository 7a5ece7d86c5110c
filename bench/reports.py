"""Benchmark: the supervisor reports page and its exports over 1,000,000 tickets and 20,000 interruptions.

Needs PostgreSQL (DATABASE_URL). Seeds with bulk SQL (INSERT … SELECT generate_series), serves the site
with gunicorn on a local port and measures time to first byte and total time over real HTTP.

    DATABASE_URL=postgres://… python bench/reports.py            # seed (once) and measure
    DATABASE_URL=postgres://… python bench/reports.py --no-seed  # measure again
"""

import argparse
import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.pop("REDIS_URL", None)  # exports under the sync threshold only; no worker needed

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

TICKETS = 1_000_000
INTERRUPTIONS = 20_000
CUSTOMERS = 200_000
PORT = int(os.environ.get("BENCH_PORT", "0")) or None

SEED_SQL = [
    # Customers spread over the ULPs.
    """
    INSERT INTO tickets_customer (id_pelanggan, meter_number, name, phone, email, address, unit_id, tariff, power_va,
                                  payment_type, transformer_code, feeder_code, created_at)
    SELECT '9' || lpad(g::text, 11, '0'), NULL, 'Bench ' || g, '', '', 'Jl. Bench',
           u.ids[1 + g %% array_length(u.ids, 1)],
           (ARRAY['R-1/TR','R-1/TR','R-1M/TR','R-2/TR','B-1/TR'])[1 + g %% 5], (ARRAY[900,1300,2200,3500])[1 + g %% 4],
           'prepaid', '', '', now()
    FROM generate_series(1, %(customers)s) g,
         (SELECT array_agg(id ORDER BY id) ids FROM tickets_serviceunit WHERE level = 'ULP') u
    """,
    # Restored outages: one customer each, 5 min – 10 h, over the last year.
    """
    INSERT INTO tickets_ticket (number, tracking_token, category_id, kind, channel, status, priority, unit_id,
        customer_id, id_pelanggan, meter_number, reporter_name, reporter_phone, reporter_email, language, description,
        address, photo, dispatch_state, created_at, updated_at, first_informed_at, restored_at, closed_at)
    SELECT 'BO' || lpad(g::text, 10, '0'), md5('o' || g), c.id, 'technical', 'phone', 'closed', 'normal', cu.unit_id,
           cu.id, '', '', '', '+62812' || lpad((g %% 1000000)::text, 8, '0'), '', 'id', 'Padam', '', '', 'assigned',
           t.at, t.at, t.at, t.at + (3 + random() * 600) * interval '1 minute', t.at + interval '1 day'
    FROM generate_series(1, %(interruptions)s) g
    CROSS JOIN LATERAL (SELECT now() - random() * interval '365 days' + g * interval '0 second' AS at) t
    JOIN tickets_customer cu ON cu.id = (SELECT min(id) FROM tickets_customer) + (g * 7919) %% %(customers)s
    CROSS JOIN (SELECT id FROM tickets_category WHERE code = 'GG-PADAM-1') c
    """,
    # Everything else: every category, one in twenty still open, over the last year.
    """
    WITH cats AS (SELECT id, kind, row_number() OVER (ORDER BY id) rn FROM tickets_category),
         n AS (SELECT count(*) c FROM tickets_category),
         u AS (SELECT array_agg(id ORDER BY id) ids FROM tickets_serviceunit WHERE level = 'ULP')
    INSERT INTO tickets_ticket (number, tracking_token, category_id, kind, channel, status, priority, unit_id,
        id_pelanggan, meter_number, reporter_name, reporter_phone, reporter_email, language, description,
        address, photo, dispatch_state, created_at, updated_at, first_informed_at, resolved_at, closed_at)
    SELECT 'B' || lpad(g::text, 11, '0'), md5('t' || g), cats.id, cats.kind, 'web',
           CASE WHEN g %% 20 = 0 THEN (ARRAY['received','in_progress','waiting_customer'])[1 + g %% 3]
                ELSE 'closed' END,
           'normal', u.ids[1 + g %% array_length(u.ids, 1)], '', '', '', '+62813' || lpad((g %% 1000000)::text, 8, '0'),
           '', 'id', 'Keluhan pelanggan nomor ' || g, '', '', 'not_needed', t.at, t.at, t.at,
           CASE WHEN g %% 20 = 0 THEN NULL ELSE t.at + random() * interval '6 days' END,
           CASE WHEN g %% 20 = 0 THEN NULL ELSE t.at + interval '7 days' END
    FROM generate_series(1, %(others)s) g
    CROSS JOIN LATERAL (SELECT now() - random() * interval '365 days' + g * interval '0 second' AS at) t
    CROSS JOIN n CROSS JOIN u JOIN cats ON cats.rn = 1 + g %% n.c
    """,
    # A service-level clock for every ticket, against its category's target.
    """
    INSERT INTO tickets_ticketservicelevel (ticket_id, unit_id, target_id, indicator, clock, zone, started_at,
        response_due_at, resolution_due_at, responded_at, resolved_at, stopped_at, response_met, resolution_met,
        pauses, response_breached_at, resolution_breached_at, compensation_rule, compensation_percent)
    SELECT t.id, t.unit_id, tg.id, coalesce(tg.indicator, ''), coalesce(tg.clock, 'hours'), 'Asia/Makassar',
           t.first_informed_at, t.first_informed_at + interval '1 hour', t.first_informed_at + interval '5 days',
           t.first_informed_at + interval '30 minutes', t.resolved_at, t.resolved_at,
           CASE WHEN tg.response_time IS NULL THEN NULL ELSE random() < 0.93 END,
           CASE WHEN tg.resolution_time IS NULL OR t.resolved_at IS NULL THEN NULL
                ELSE t.resolved_at <= t.first_informed_at + interval '5 days' END,
           '[]'::jsonb, NULL,
           CASE WHEN t.resolved_at > t.first_informed_at + interval '5 days' AND tg.resolution_time IS NOT NULL
                THEN t.first_informed_at + interval '5 days' END,
           CASE WHEN tg.grants_compensation AND t.resolved_at > t.first_informed_at + interval '5 days'
                THEN 'Permen ESDM 18/2019: 35%% biaya beban' ELSE '' END,
           CASE WHEN tg.grants_compensation AND t.resolved_at > t.first_informed_at + interval '5 days' THEN 35 END
    FROM tickets_ticket t
    LEFT JOIN LATERAL (
        SELECT id, indicator, clock, response_time, resolution_time, grants_compensation
        FROM tickets_serviceleveltarget s WHERE s.category_id = t.category_id
        ORDER BY s.network_work DESC LIMIT 1
    ) tg ON true
    WHERE NOT EXISTS (SELECT 1 FROM tickets_ticketservicelevel x WHERE x.ticket_id = t.id)
    """,
]


def seed() -> None:
    from tickets import demo

    call_command("migrate", verbosity=0)
    demo.seed(customers_per_unit=5)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM tickets_ticket")
        if cursor.fetchone()[0] >= TICKETS:
            print("already seeded")
            return
        params = {"customers": CUSTOMERS, "interruptions": INTERRUPTIONS, "others": TICKETS - INTERRUPTIONS}
        for sql in SEED_SQL:
            started = time.perf_counter()
            cursor.execute(sql, params)
            print(f"  seeded {cursor.rowcount:>9,} rows in {time.perf_counter() - started:6.1f} s")
        cursor.execute("ANALYZE")


def session_cookie(username: str) -> str:
    from django.contrib.auth import get_user_model

    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client.cookies["sessionid"].value


def fetch(path: str, cookie: str) -> tuple[int, float, float, int]:
    """(status, seconds to first byte, total seconds, bytes) over real HTTP."""
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=600)
    started = time.perf_counter()
    conn.request("GET", path, headers={"Cookie": f"sessionid={cookie}", "Accept-Language": "en"})
    response = conn.getresponse()
    first = response.read(1)
    ttfb = time.perf_counter() - started
    size = len(first) + len(response.read())
    total = time.perf_counter() - started
    conn.close()
    return response.status, ttfb, total, size


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def main() -> None:
    global PORT
    PORT = PORT or free_port()
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-seed", action="store_true")
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("set DATABASE_URL to a PostgreSQL database")
    if not args.no_seed:
        print("seeding …")
        seed()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM tickets_ticket), (SELECT count(*) FROM tickets_ticket "
            "WHERE kind = 'technical' AND restored_at IS NOT NULL), (SELECT count(*) FROM tickets_customer)"
        )
        tickets, interruptions, customers = cursor.fetchone()
    print(
        f"data: {tickets:,} tickets, {interruptions:,} restored outages (interruption records), {customers:,} customers"
    )

    from datetime import date, timedelta

    from tickets.models import ServiceUnit

    up3 = ServiceUnit.objects.get(code="UP3-BPP")
    ulp = ServiceUnit.objects.get(code="ULP-BPP-UTARA")
    today = date.today()
    year = f"start={today - timedelta(days=364)}&end={today}"
    month = f"start={today - timedelta(days=29)}&end={today}"
    week = f"start={today - timedelta(days=6)}&end={today}"
    cases = [
        ("admin", f"/reports/?{year}", "reports page, all units, 365 days"),
        ("supervisor", f"/reports/?{year}&unit={up3.pk}", "reports page, UP3, 365 days"),
        ("supervisor", f"/reports/?{month}&unit={ulp.pk}", "reports page, one ULP, 30 days"),
        ("admin", f"/reports/export.xlsx?{year}", "summary XLSX, all units, 365 days"),
        ("admin", f"/reports/export.csv?{year}", "summary CSV, all units, 365 days"),
        ("supervisor", f"/reports/export.xlsx?{week}&unit={up3.pk}&kind=tickets", "ticket list XLSX, UP3, 7 days"),
        ("admin", f"/reports/export.csv?{month}&kind=tickets", "ticket list CSV (streamed), all, 30 days"),
    ]
    cookies = {name: session_cookie(name) for name in {"admin", "supervisor"}}
    env = {**os.environ, "DEBUG": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{PORT}", "-w", "1", "--timeout", "600"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(os.environ.get("TMPDIR", "/tmp")) / "bench-reports-gunicorn.log", "w"),
    )
    try:
        for _ in range(100):
            try:
                http.client.HTTPConnection("127.0.0.1", PORT, timeout=1).request("GET", "/healthz")
                break
            except OSError:
                time.sleep(0.1)
        fetch("/healthz", "")
        print(f"{'case':45} {'status':>6} {'TTFB s':>8} {'total s':>8} {'bytes':>11}")
        for index, (user, path, label) in enumerate(cases):
            if index == 0:
                status, ttfb, total, size = fetch(path, cookies[user])
                print(f"{label + ' (cold)':45} {status:>6} {ttfb:8.2f} {total:8.2f} {size:>11,}")
            status, ttfb, total, size = fetch(path, cookies[user])
            print(f"{label:45} {status:>6} {ttfb:8.2f} {total:8.2f} {size:>11,}")
    finally:
        server.terminate()
        server.wait(timeout=10)
    # What the Celery worker does for a ticket list above REPORT_SYNC_ROWS (in this process).
    from django.contrib.auth import get_user_model

    from reports import exports, selectors

    scope = selectors.report_scope(
        get_user_model().objects.get(username="admin"), unit_id=None, start=today - timedelta(days=29), end=today
    )
    rows = selectors.tickets_for_export(scope).count()
    started = time.perf_counter()
    handle = exports.write_xlsx([("tickets", exports.TICKET_HEADER, exports.ticket_rows(scope))])
    size = len(handle.read())
    label = f"ticket list XLSX task, all, 30 days ({rows:,} rows)"
    print(f"{label:45} {'task':>6} {'':>8} {time.perf_counter() - started:8.2f} {size:>11,}")


if __name__ == "__main__":
    main()
