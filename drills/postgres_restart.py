"""Drill (c): PostgreSQL stopped and started again under load (intake at 20/s).

While the database is away, requests must fail fast with 503 and a Retry-After hint — never a 500 or a hang
— and once it is back the same gunicorn and Celery processes must serve again by themselves (stale
connections are health-checked and replaced). Clients retry with the same Idempotency-Key: nothing is lost
and nothing is filed twice.

    .venv/bin/python -m drills.postgres_restart [--rate 20] [--gap 10]
"""

import argparse
import sys
import time

from drills.harness import Load, Stack, Verdict, log, percentile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--gap", type=float, default=10.0, help="seconds PostgreSQL stays down")
    parser.add_argument("--before", type=float, default=8.0)
    parser.add_argument("--after", type=float, default=12.0)
    args = parser.parse_args()

    verdict = Verdict(f"PostgreSQL down {args.gap:.0f} s (fast shutdown, then start) under {args.rate:.0f} tickets/s")
    with Stack("postgres-restart") as stack:
        load = Load(stack, args.rate, phone_prefix="+62813").start(args.before + args.gap + args.after)
        time.sleep(args.before)
        log("stopping PostgreSQL (fast)")
        stack.pg_ctl("stop", "-m", "fast")
        down_at = time.monotonic()
        time.sleep(args.gap)
        log("starting PostgreSQL")
        stack.start_postgres(init=False)
        up_at = time.monotonic()
        load.join()
        log(f"load done: {len(load.results)} requests")

        attempts = [
            (result.sent_at, status, retry_after, took)
            for result in load.results
            for status, retry_after, took in result.answers
        ]
        unavailable = [a for a in attempts if a[1] == 503]
        without_hint = [a for a in unavailable if not a[2]]
        other_errors = [a for a in attempts if a[1] >= 500 and a[1] != 503 or a[1] == 0]
        first_ok_after = min(
            (r.sent_at + sum(t for _, _, t in r.answers) - up_at for r in load.results
             if r.status in (200, 201) and r.sent_at >= up_at),
            default=None,
        )  # fmt: skip
        # Requests sent well after the database returned must succeed at the first try (no stale connections).
        late = [r for r in load.results if r.sent_at >= up_at + 5]
        late_retried = [r for r in late if r.attempts > 1]

        phones = "t.reporter_phone LIKE '+62813%'"
        joined = "tickets_notification n JOIN tickets_ticket t ON t.id = n.ticket_id"
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if stack.sql(f"SELECT count(*) FROM {joined} WHERE {phones} AND n.status = 'pending'")[0][0] == 0:
                break
            time.sleep(0.5)
        accepted = {r.number for r in load.results if r.status in (200, 201)}
        stored = {row[0] for row in stack.sql(f"SELECT number FROM tickets_ticket t WHERE {phones}")}
        by_status = dict(stack.sql(f"SELECT n.status, count(*) FROM {joined} WHERE {phones} GROUP BY 1"))
        written = sum(by_status.values())

        verdict.figure("requests sent", len(load.results))
        verdict.figure("attempts (with client retries)", len(attempts))
        verdict.figure("answered 503 while the database was away", len(unavailable))
        verdict.check("503 without Retry-After", len(without_hint), not without_hint, "0")
        verdict.check("500 / other 5xx / no answer", len(other_errors), not other_errors, "0")
        waits = [a[3] for a in unavailable]
        mean = sum(waits) / len(waits) if waits else 0.0
        verdict.check("mean time to a 503 (s)", f"{mean:.2f}", mean <= 3.5, "<= 3.5 (connect_timeout 3 s)")
        verdict.figure("p95 / slowest 503 (s)", f"{percentile(waits, 95):.2f} / {max(waits, default=0.0):.2f}")
        verdict.check("accepted in the end (client retries, same key)", len(accepted),
                      len(accepted) == len(load.results), "= requests sent")  # fmt: skip
        verdict.check("lost tickets", len(accepted - stored), not (accepted - stored), "0")
        verdict.check("duplicated tickets", len(stored) - len(accepted), len(stored) == len(accepted), "0")
        verdict.check(
            "first new ticket after the database returned (s)",
            f"{first_ok_after:.2f}" if first_ok_after is not None else "never",
            first_ok_after is not None and first_ok_after <= 5,
            "<= 5",
        )
        verdict.check("requests 5 s after recovery needing a retry", len(late_retried), not late_retried,
                      f"0 of {len(late)}")  # fmt: skip
        sent = by_status.get("sent", 0) + by_status.get("logged", 0)  # logged: no gateway in the drill
        verdict.check("notifications sent (worker recovered)", sent, sent == written, f"= written ({written})")
        if stack.has_dispatch():
            deadline = time.monotonic() + 40
            while stack.dispatch_figures(phones)["unrouted"] and time.monotonic() < deadline:
                time.sleep(0.5)
            routing = stack.dispatch_figures(phones)
            verdict.check("outage tickets routed", routing["routed"], routing["unrouted"] == 0,
                          f"all ({routing['routed'] + routing['unrouted']})")  # fmt: skip
            verdict.check("incidents with two live crews", routing["double_incidents"],
                          routing["double_incidents"] == 0, "0")  # fmt: skip
        verdict.figure("database away (s)", f"{up_at - down_at:.1f}")
        if verdict.failed:
            stack.dump_logs(15)
    return verdict.report()


if __name__ == "__main__":
    sys.exit(main())
