"""Drill (d): several nodes behind nginx lose one of each part in turn under a steady 20 reports/s.

On loopback: nginx (Debian's, with deploy/nginx/ on a test certificate) in front of two gunicorn nodes
(deploy/gunicorn.conf.py), two Celery workers with different node names, two beats (one holds the lock, the
other stands by), PostgreSQL with the write-heavy settings of deploy/postgresql/sigap.conf and a streaming
replica made by pg_basebackup on a second port, Redis with a replica and a Sentinel. Reports come through nginx
over TLS with an Idempotency-Key each; a client retries an error with the same key. A supervisor reads the
ticket list (a replica read) twice a second, and every fifth customer tracks their report right after filing
(a primary read: it must be found). Then, one after another:

  1. SIGKILL one web node          nginx passes requests to the other
  2. SIGKILL one worker node       the other worker and the sweepers finish its work
  3. SIGKILL the Redis master      the Sentinel promotes the replica; broker and cache follow it
  4. stop the replica database     list reads go back to the primary

Passes when nothing accepted is lost or filed twice, every report is routed and every notification sent (each
delivered once), tracking right after filing always finds the report, and the periodic tasks ran as from one
beat. Prints the answers that were errors and how long each fault produced them.

    .venv/bin/python -m drills.scale_out [--rate 20] [--step 12] [--deadline 90]
"""

from __future__ import annotations

import argparse
import re
import sys
import threading
import time

from drills.harness import ROOT, SEED, Load, Result, Stack, Verdict, free_port, log, percentile

DRILL_TOKEN = "d" * 40  # the supervisor's API token, made by the seed below
SEED_SUPERVISOR = f"""
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from rest_framework.authtoken.models import Token
from tickets.models import ServiceUnit, StaffProfile
user, _ = get_user_model().objects.get_or_create(username="drill-supervisor")
user.groups.add(Group.objects.get_or_create(name="supervisor")[0])
StaffProfile.objects.update_or_create(user=user, defaults={{"unit": ServiceUnit.objects.get(code="UP3-DRILL")}})
Token.objects.filter(user=user).delete()
Token.objects.create(user=user, key="{DRILL_TOKEN}")
"""
# The settings of deploy/postgresql/sigap.conf the drill's primary runs with (memory sizes are left out: this
# is a shared two-core machine).
PG_KEYS = (
    "synchronous_commit", "fsync", "full_page_writes", "commit_delay", "commit_siblings", "wal_level",
    "wal_compression", "wal_buffers", "max_wal_size", "min_wal_size", "checkpoint_timeout",
    "checkpoint_completion_target", "max_wal_senders", "max_replication_slots", "wal_keep_size",
    "idle_in_transaction_session_timeout",
)  # fmt: skip


def deploy_pg_options() -> str:
    text = (ROOT / "deploy" / "postgresql" / "sigap.conf").read_text()
    found = dict(re.findall(r"^(\w+)\s*=\s*(\S+)", text, flags=re.M))
    return " ".join(f"-c {key}={found[key]}" for key in PG_KEYS if key in found) + " -c max_connections=150"


class TrackingLoad(Load):
    """Intake through nginx; every fifth accepted report is tracked at once by number and phone."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tracked: list[tuple[int, int]] = []  # (status, attempts) of each tracking right after filing

    def _one(self, result: Result, n: int) -> None:
        try:
            super()._one(result, n)
        except Exception as exc:  # a client fault must show, not vanish in the thread pool
            log(f"client error on report {n}: {exc!r}")
            raise
        if n % 5 or result.status not in (200, 201):
            return
        phone = self.payload(n)["reporter_phone"]
        attempt = 0
        for attempt in range(1, 6):  # noqa: B007 (kept: how many it took)
            status, _, _ = self.stack.http("POST", "/api/v1/track/", {"number": result.number, "phone": phone})
            if status != 0 and status < 500:
                break
            time.sleep(1)
        with self.lock:
            self.tracked.append((status, attempt))


class Reader:
    """A supervisor's ticket list, twice a second: a read the replica serves (core/replica.py)."""

    def __init__(self, stack: Stack):
        self.stack = stack
        self.answers: list[tuple[float, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            status, _, _ = self.stack.http(
                "GET", "/api/v1/tickets/?unit=ULP-DRILL", headers={"Authorization": f"Token {DRILL_TOKEN}"},
                timeout=30,  # a supervisor waits longer than a machine; on a crowded box pages queue for a core
            )
            self.answers.append((time.monotonic(), status))
            self._stop.wait(0.5)

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join()


def beat_sends(stack: Stack, name: str) -> int:
    path = stack.dir / f"{name}.log"
    return path.read_text(errors="replace").count("Sending due task sweep-dispatch") if path.exists() else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--step", type=float, default=12.0, help="seconds between faults")
    parser.add_argument("--deadline", type=float, default=90.0, help="seconds after the load for all to be done")
    args = parser.parse_args()
    started = time.monotonic()

    verdict = Verdict(f"Scale-out: 2 web, 2 workers, PostgreSQL + replica, Redis + Sentinel, {args.rate:.0f} reports/s")
    stack = Stack(
        "scale-out",
        web_workers=2,
        worker_concurrency=2,
        pg_options=deploy_pg_options(),
        extra_env={
            "ALLOWED_HOSTS": "127.0.0.1,localhost,sigap.example.id",
            "BEHIND_PROXY": "1",
            "NUM_PROXIES": "1",
            "SECURE_SSL_REDIRECT": "1",
            "BEAT_LOCK_TTL_SECONDS": "10",
        },
    )
    try:
        log(f"starting PostgreSQL :{stack.pg_port} ({stack.pg_options}), Redis + replica + Sentinel in {stack.dir}")
        stack.start_postgres()
        stack.start_redis_ha()
        stack.manage("migrate", "--noinput")
        stack.manage("shell", "-c", SEED + SEED_SUPERVISOR)
        stack.start_pg_replica()
        stack.env["DATABASE_REPLICA_URL"] = f"postgres://postgres@127.0.0.1:{stack.replica_port}/sigap_drill"
        ports = [stack.web_port, free_port(stack.web_port + 1)]
        for name, port in zip(("web-a", "web-b"), ports, strict=True):
            stack.start_web(name, port)
        stack.start_nginx(ports)
        stack.start_worker("worker-a")
        stack.start_worker("worker-b")
        stack.start_relay("relay-a")  # one on each worker node, as deploy/systemd/sigap-relay.service
        stack.start_relay("relay-b")
        stack.warm_up()
        stack.start_beat("beat-a")
        stack.start_beat("beat-b")
        log(f"up in {time.monotonic() - started:.0f} s: nginx :{stack.https_port} → gunicorn :{ports[0]} :{ports[1]}, "
            f"replica :{stack.replica_port}, Sentinel :{stack.sentinel_port}")  # fmt: skip

        load_seconds = args.step * 5
        replica_before = stack.sql("SELECT sum(xact_commit) FROM pg_stat_database", port=stack.replica_port)[0][0]
        load = TrackingLoad(stack, args.rate, phone_prefix="+62815").start(load_seconds)
        reader = Reader(stack).start()
        load_start = time.monotonic()
        faults: list[tuple[str, float]] = []

        def at(step: int) -> None:
            delay = load_start + step * args.step - time.monotonic()
            if delay > 0:
                time.sleep(delay)

        at(1)
        log("SIGKILL web node a")
        faults.append(("web node killed", time.monotonic()))
        stack.kill("web-a")
        at(2)
        log("SIGKILL worker node a")
        faults.append(("worker node killed", time.monotonic()))
        stack.kill("worker-a")
        at(3)
        log(f"SIGKILL the Redis master :{stack.redis_master_port()}")
        faults.append(("Redis master killed", time.monotonic()))
        failover = stack.fail_redis_over()
        log(f"the Sentinel promoted :{stack.redis_master_port()} after {failover:.1f} s")
        replica_served = (
            stack.sql("SELECT sum(xact_commit) FROM pg_stat_database", port=stack.replica_port)[0][0] - replica_before
        )
        lag = stack.replica_lag_bytes()
        at(4)
        log("stopping the replica database")
        faults.append(("replica database stopped", time.monotonic()))
        stack.stop_pg_replica()
        load.join()
        load_end = time.monotonic()
        reader.stop()
        log(f"load done: {len(load.results)} reports in {load_end - load_start:.0f} s")

        phones = "t.reporter_phone LIKE '+62815%'"
        joined = "tickets_notification n JOIN tickets_ticket t ON t.id = n.ticket_id"
        pending_sql = f"SELECT count(*) FROM {joined} WHERE {phones} AND n.status <> 'sent'"
        drained_at = routed_at = None
        while time.monotonic() - load_end < args.deadline and not (drained_at and routed_at):
            if drained_at is None and stack.sql(pending_sql)[0][0] == 0:
                drained_at = time.monotonic()
            if routed_at is None and stack.dispatch_figures(phones)["unrouted"] == 0:
                routed_at = time.monotonic()
            time.sleep(0.5)

        # ---- figures ----
        accepted = [r for r in load.results if r.status in (200, 201)]
        for r in load.results:
            if r.status not in (200, 201):
                answers = [(s, round(t - load_start, 1)) for (s, _, _), t in zip(r.answers, r.ended, strict=True)]
                log(f"not accepted: key {r.key}, answers (status, s into the load) {answers}")
        numbers = {r.number for r in accepted}
        stored = {row[0] for row in stack.sql(f"SELECT number FROM tickets_ticket t WHERE {phones}")}
        per_phone = stack.sql(
            f"SELECT count(*) FROM (SELECT reporter_phone FROM tickets_ticket t WHERE {phones} "
            "GROUP BY 1 HAVING count(*) > 1) x"
        )[0][0]
        verdict.figure("reports sent (each its own Idempotency-Key)", len(load.results))
        verdict.check("accepted (201/200)", len(accepted), len(accepted) == len(load.results), "= sent")
        verdict.check("lost (accepted, not stored)", len(numbers - stored), not (numbers - stored), "0")
        verdict.check("duplicated (two tickets for one report)", per_phone, per_phone == 0, "0")
        latencies = [r.latency for r in accepted]
        spread = f"{percentile(latencies, 50):.2f} / {percentile(latencies, 95):.2f} / {max(latencies):.2f}"
        verdict.figure("intake p50 / p95 / max, with retries (s)", spread)

        bounds = [*(t for _, t in faults), load_end]
        attempts = [(r.sent_at, status) for r in load.results for status, _, _ in r.answers]
        errors = [(t, s) for r in load.results for (s, _, _), t in zip(r.answers, r.ended, strict=True)
                  if s not in (200, 201)]  # fmt: skip
        verdict.figure("answers that were errors / all answers", f"{len(errors)} / {len(attempts)}")
        for (name, begin), end in zip(faults, bounds[1:], strict=True):
            inside = [t for t, _ in errors if begin <= t < end]
            codes = sorted({s for t, s in errors if begin <= t < end})
            span = f"{max(inside) - begin:.1f} s after" if inside else "none"
            verdict.figure(f"  errors after '{name}'", f"{len(inside)} ({span}; {codes or '-'})")
        before = [s for t, s in errors if t < faults[0][1]]
        verdict.check("errors before any fault", f"{len(before)} {sorted(set(before)) or ''}", not before, "0")

        tracked_ok = sum(1 for status, _ in load.tracked if status == 200)
        verdict.check("tracked right after filing: found", f"{tracked_ok} of {len(load.tracked)}",
                      tracked_ok == len(load.tracked) and load.tracked, "all (read from the primary)")  # fmt: skip
        reads_ok = sum(1 for _, status in reader.answers if status == 200)
        for moment, status in reader.answers:
            if status != 200:
                log(f"ticket-list read answered {status} at +{moment - load_start:.1f} s")
        verdict.check("ticket-list reads answered 200", f"{reads_ok} of {len(reader.answers)}",
                      reads_ok == len(reader.answers), "all (replica, then primary)")  # fmt: skip
        after_stop = [s for t, s in reader.answers if t >= faults[3][1]]
        verdict.figure("  of which after the replica stopped", f"{after_stop.count(200)} of {len(after_stop)}")
        verdict.check("transactions the replica served before it stopped", replica_served, replica_served > 0, "> 0")
        verdict.figure("replica lag when measured (WAL bytes)", max(lag, 0) if lag is not None else "n/a")
        verdict.figure("Redis failover (kill → Sentinel names the replica, s)", f"{failover:.1f}")

        by_status = dict(stack.sql(f"SELECT n.status, count(*) FROM {joined} WHERE {phones} GROUP BY 1"))
        written = sum(by_status.values())
        references = {str(row[0]) for row in stack.sql(f"SELECT n.reference FROM {joined} WHERE {phones}")}
        gateway = stack.gateway.stats(references)
        verdict.figure("notifications written", written)
        verdict.check("notifications sent", by_status.get("sent", 0), by_status.get("sent", 0) == written, "= written")
        verdict.check("SMS delivered (distinct at gateway)", gateway["delivered"], gateway["delivered"] == written,
                      "= written")  # fmt: skip
        verdict.figure("gateway resends absorbed by Idempotency-Key", gateway["resends"])
        routing = stack.dispatch_figures(phones)
        verdict.check("outage reports routed", routing["routed"], routing["unrouted"] == 0,
                      f"all ({routing['routed'] + routing['unrouted']})")  # fmt: skip
        doubled = routing["double_incidents"]
        verdict.check("incidents with two live crews", doubled, doubled == 0, "0")
        verdict.check("technicians over their job limit", routing["overbooked"], routing["overbooked"] == 0, "0")
        for label, moment in (("all notifications sent", drained_at), ("all reports routed", routed_at)):
            verdict.check(f"{label}, s after the load ended", f"{moment - load_end:.1f}" if moment else "never",
                          moment is not None, f"<= {args.deadline:.0f}")  # fmt: skip

        sends = {name: beat_sends(stack, name) for name in ("beat-a", "beat-b")}
        # sweep-dispatch is due every 10 s: one beat sends about one per 10 s; two would send twice as many.
        beat_window = time.monotonic() - (load_start - 5)
        most = int(beat_window / 10) + 3
        verdict.check("periodic sends (sweep-dispatch), beat a + b", f"{sends['beat-a']} + {sends['beat-b']}",
                      0 < sends["beat-a"] + sends["beat-b"] <= most, f"1..{most}: as from one beat")  # fmt: skip

        # nginx: HTTP goes to HTTPS, and a body over the upload limit is refused before any node sees it.
        redirect = _plain_http(stack.http_port)
        verdict.check("HTTP → HTTPS", redirect, redirect == 301, "301")
        big = stack.http("POST", "/api/v1/tickets/", b"x" * (7 * 1024 * 1024))[0]
        verdict.check("7 MiB body through nginx", big, big == 413, "413 (client_max_body_size)")
        verdict.figure("drill wall time (s)", f"{time.monotonic() - started:.0f}")
        if verdict.failed:
            stack.dump_logs(20)
    except BaseException:
        stack.dump_logs(40)
        raise
    finally:
        stack.stop()
    return verdict.report()


def _plain_http(port: int) -> int:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        connection.request("GET", "/", headers={"Host": "sigap.example.id"})
        return connection.getresponse().status
    except OSError:
        return 0
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
