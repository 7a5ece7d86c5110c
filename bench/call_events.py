"""Benchmark: PBX call events per second through gunicorn + PostgreSQL, and ring → console pop-up time.

Usage (from the repository root, with PostgreSQL in DATABASE_URL):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sigap_bench .venv/bin/python bench/call_events.py \
        [--seconds 20] [--clients 8] [--workers 3] [--pops 10]

1. Migrates the database, gives a bench operator a seat (extension 9901) and a login session.
2. Starts gunicorn (config.wsgi) on a free port with a bench PBX secret.
3. Load (after 3 s of warm-up): ``--clients`` threads, each on its own keep-alive connection, replay
   whole calls (ring, answer, hang-up: three signed events each) for ``--seconds``; prints events/s,
   latency p50/p95/p99 and errors.
4. Pop-up: the machine's Chromium opens /console/ as the operator; for ``--pops`` calls it sends a ring
   event and measures until the console shows that call; prints median and p95.
5. Deletes the bench calls. Prints figures only; this is not a test.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-pbx-secret"
EXTENSION = "9901"
LOAD_EXTENSION = "9902"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def setup_django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def make_operator() -> str:
    """The bench operator with a seat, and a session key for the browser."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore

    from core import roles
    from hotline.models import OperatorSeat
    from tickets.models import ServiceUnit, StaffProfile

    unit, _ = ServiceUnit.objects.get_or_create(
        code="ULP-BENCH", defaults={"name": "ULP Bench", "level": "ULP", "center_lat": -1.2, "center_lng": 116.8}
    )
    for username, extension in (("bench-operator", EXTENSION), ("bench-load", LOAD_EXTENSION)):
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"first_name": "Bench"})
        user.groups.add(Group.objects.get_or_create(name=roles.OPERATOR)[0])
        StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit})
        OperatorSeat.objects.update_or_create(user=user, defaults={"extension": extension, "state": "ready"})
    user = get_user_model().objects.get(username="bench-operator")
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    return session.session_key


def start_gunicorn(port: int, workers: int) -> subprocess.Popen:
    env = {**os.environ, "PBX_SHARED_SECRET": SECRET, "LOG_LEVEL": "WARNING"}
    gunicorn = shutil.which("gunicorn", path=str(ROOT / ".venv" / "bin")) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "config.wsgi", "-b", f"127.0.0.1:{port}", "-w", str(workers), "--log-level", "warning"],
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


def signed(body: dict) -> tuple[bytes, dict]:
    from hotline import pbx

    raw = json.dumps(body).encode()
    return raw, {"Content-Type": "application/json", **pbx.signed_headers(raw, secret=SECRET)}


def post_event(conn: http.client.HTTPConnection, body: dict) -> tuple[int, float]:
    raw, headers = signed(body)
    started = time.perf_counter()
    conn.request("POST", "/api/v1/calls/events/", body=raw, headers=headers)
    response = conn.getresponse()
    response.read()
    return response.status, time.perf_counter() - started


def call_events(call_id: str, operator: str = EXTENSION) -> list[dict]:
    now = datetime.now(UTC)
    base = {"call_id": call_id, "caller_number": "+6281234567890", "queue": "bench"}
    return [
        {**base, "event_id": str(uuid.uuid4()), "type": "ring", "operator": operator, "occurred_at": now.isoformat()},
        {
            **base,
            "event_id": str(uuid.uuid4()),
            "type": "answer",
            "operator": operator,
            "recorded_notice_played": True,
            "occurred_at": (now + timedelta(seconds=6)).isoformat(),
        },
        {
            **base,
            "event_id": str(uuid.uuid4()),
            "type": "hangup",
            "ended_by": "caller",
            "occurred_at": (now + timedelta(seconds=90)).isoformat(),
        },
    ]


def load(port: int, seconds: float, clients: int) -> dict:
    latencies: list[float] = []
    errors: list[int] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def worker(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], []
        n = 0
        while time.monotonic() < stop_at:
            n += 1
            # Another operator than the pop-up seat, so the load never rings the browser.
            for body in call_events(f"bench-load-{index}-{n}-{uuid.uuid4().hex[:6]}", operator=LOAD_EXTENSION):
                try:
                    status, elapsed = post_event(conn, body)
                except (OSError, http.client.HTTPException):
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                    bad.append(0)
                    continue
                mine.append(elapsed)
                if status not in (200, 201):
                    bad.append(status)
        conn.close()
        with lock:
            latencies.extend(mine)
            errors.extend(bad)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {
        "events": len(latencies),
        "seconds": elapsed,
        "rate": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.50) * 1000,
        "p95": percentile(latencies, 0.95) * 1000,
        "p99": percentile(latencies, 0.99) * 1000,
        "errors": len(errors),
    }


def pop_up_times(port: int, session_key: str, pops: int) -> list[float]:
    from django.conf import settings
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium")
    if not chromium:
        print("chromium not installed: pop-up time not measured")
        return []
    base = f"http://127.0.0.1:{port}"
    results = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True, args=["--no-sandbox"])
        context = browser.new_context(viewport={"width": 1280, "height": 800}, base_url=base)
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session_key, "url": base}])
        page = context.new_page()
        page.goto("/console/")
        page.wait_for_selector("#console")
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for n in range(pops):
            call_id = f"bench-pop-{n}-{uuid.uuid4().hex[:8]}"
            ring, _answer, hangup = call_events(call_id)
            # Let the ring land at a random point of the poll cycle, as a real call would.
            time.sleep(0.37 * (n % 3) + 0.2)
            started = time.perf_counter()
            post_event(conn, ring)
            page.wait_for_function(
                "id => { const p = document.getElementById('call-pop');"
                " return p && !p.hidden && p.dataset.callId === id; }",
                arg=call_id,
                timeout=15000,
            )
            results.append(time.perf_counter() - started)
            post_event(conn, hangup)
            page.wait_for_function("() => document.getElementById('call-pop').hidden", timeout=15000)
        conn.close()
        browser.close()
    return results


def cleanup() -> None:
    from hotline.models import Call

    Call.objects.filter(pbx_call_id__startswith="bench-").delete()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--pops", type=int, default=10)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (the benchmark measures gunicorn + PostgreSQL).")

    setup_django()
    from django.conf import settings

    session_key = make_operator()
    port = free_port()
    server = start_gunicorn(port, args.workers)
    try:
        # Warm up: every worker imports Django and opens its database connection before we measure.
        load(port, 3, args.clients)
        figures = load(port, args.seconds, args.clients)
        print(
            f"call events: {figures['events']} in {figures['seconds']:.1f} s = {figures['rate']:.0f} events/s "
            f"({args.clients} clients, {args.workers} gunicorn workers, {os.cpu_count()} CPUs); "
            f"latency p50 {figures['p50']:.1f} ms, p95 {figures['p95']:.1f} ms, p99 {figures['p99']:.1f} ms; "
            f"errors {figures['errors']}"
        )
        pops = pop_up_times(port, session_key, args.pops)
        if pops:
            print(
                f"ring → console pop-up: median {statistics.median(pops) * 1000:.0f} ms, "
                f"p95 {percentile(pops, 0.95) * 1000:.0f} ms, max {max(pops) * 1000:.0f} ms "
                f"over {len(pops)} calls (console polls every {settings.CONSOLE_POLL_MS} ms)"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
        cleanup()


if __name__ == "__main__":
    main()
