"""Drill (a): Redis stopped for 60 s while tickets arrive at 20/s.

Every ticket the API accepted must exist afterwards (none lost, none twice), intake must keep answering
without 5xx while the broker is down, and every notification of those tickets must be sent — once — within
30 s after Redis returns (published again by the sweeper from PostgreSQL, not from Redis).

    .venv/bin/python -m drills.redis_outage [--rate 20] [--outage 60] [--before 10] [--after 10]
"""

import argparse
import sys
import time

from drills.harness import Load, Stack, Verdict, log, percentile


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=20.0)
    parser.add_argument("--outage", type=float, default=60.0)
    parser.add_argument("--before", type=float, default=10.0)
    parser.add_argument("--after", type=float, default=10.0)
    parser.add_argument("--deadline", type=float, default=30.0, help="seconds after Redis returns")
    args = parser.parse_args()

    verdict = Verdict(f"Redis down {args.outage:.0f} s during intake at {args.rate:.0f} tickets/s")
    with Stack("redis-outage") as stack:
        load = Load(stack, args.rate, phone_prefix="+62811").start(args.before + args.outage + args.after)
        time.sleep(args.before)
        log("stopping Redis")
        stack.stop_redis()
        down_at = time.monotonic()
        time.sleep(args.outage)
        log("starting Redis again")
        stack.start_redis()
        up_at = time.monotonic()
        load.join()
        log(f"load done: {len(load.results)} requests")

        phones = "t.reporter_phone LIKE '+62811%'"
        pending_sql = (
            "SELECT count(*) FROM tickets_notification n JOIN tickets_ticket t ON t.id = n.ticket_id "
            f"WHERE {phones} AND n.status = 'pending'"
        )
        dispatch = stack.has_dispatch()
        drained_at = routed_at = None
        while time.monotonic() - up_at < args.deadline + 30 and not (drained_at and (routed_at or not dispatch)):
            if drained_at is None and stack.sql(pending_sql)[0][0] == 0:
                drained_at = time.monotonic()
            if dispatch and routed_at is None and stack.dispatch_figures(phones)["unrouted"] == 0:
                routed_at = time.monotonic()
            time.sleep(0.5)

        accepted = [r for r in load.results if r.status in (200, 201)]
        numbers = {r.number for r in accepted}
        stored = {row[0] for row in stack.sql(f"SELECT number FROM tickets_ticket t WHERE {phones}")}
        during = [r for r in load.results if down_at <= r.sent_at <= up_at]
        server_errors = sum(1 for r in load.results for status, _, _ in r.answers if status >= 500 or status == 0)
        rows = stack.sql(
            "SELECT n.status, count(*) FROM tickets_notification n JOIN tickets_ticket t ON t.id = n.ticket_id "
            f"WHERE {phones} GROUP BY 1"
        )
        by_status = dict(rows)
        total_rows = sum(by_status.values())
        joined = "tickets_notification n JOIN tickets_ticket t ON t.id = n.ticket_id"
        references = {str(row[0]) for row in stack.sql(f"SELECT n.reference FROM {joined} WHERE {phones}")}
        gateway = stack.gateway.stats(references)

        verdict.figure("requests sent", len(load.results))
        verdict.figure("requests while Redis was down", len(during))
        verdict.check("accepted (201/200)", len(accepted), len(accepted) == len(load.results), "= requests sent")
        verdict.check("lost (accepted, not stored)", len(numbers - stored), not (numbers - stored), "0")
        verdict.check("duplicated tickets", len(stored) - len(numbers), len(stored) == len(numbers), "0")
        verdict.check("intake 5xx / no answer", server_errors, server_errors == 0, "0")
        before = [r.latency for r in load.results if r.sent_at < down_at and r.status in (200, 201)]
        verdict.figure("intake p95 before the outage (s)", f"{percentile(before, 95):.3f}")
        latencies = [r.latency for r in during if r.status in (200, 201)]
        # "Unaffected": no worse than 1 s, or than 1.5 × the p95 before the outage on a busy shared machine.
        allowed = max(1.0, 1.5 * percentile(before, 95))
        verdict.check(
            "intake p95 while Redis down (s)", f"{percentile(latencies, 95):.3f}",
            percentile(latencies, 95) <= allowed, f"<= {allowed:.2f}",
        )  # fmt: skip
        verdict.figure("intake p99 while Redis down (s)", f"{percentile(latencies, 99):.3f}")
        verdict.figure("notifications written", total_rows)
        sent = by_status.get("sent", 0) + by_status.get("logged", 0)  # logged: no gateway in the drill
        verdict.check("notifications sent", sent, sent == total_rows, "= written")
        recover = (drained_at - up_at) if drained_at else None
        verdict.check(
            "all sent, s after Redis returned",
            f"{recover:.1f}" if recover is not None else "never",
            recover is not None and recover <= args.deadline,
            f"<= {args.deadline:.0f}",
        )
        verdict.check("SMS delivered (gateway)", gateway["delivered"], gateway["delivered"] == total_rows, "= written")
        verdict.figure("gateway resends absorbed by Idempotency-Key", gateway["resends"])
        if dispatch:
            routing = stack.dispatch_figures(phones)
            verdict.check("outage tickets routed", routing["routed"], routing["unrouted"] == 0,
                          f"all ({routing['routed'] + routing['unrouted']})")  # fmt: skip
            routed_in = (routed_at - up_at) if routed_at else None
            verdict.check(
                "all routed, s after Redis returned",
                f"{routed_in:.1f}" if routed_in is not None else "never",
                routed_in is not None and routed_in <= args.deadline,
                f"<= {args.deadline:.0f}",
            )
            verdict.check("incidents with two live crews", routing["double_incidents"],
                          routing["double_incidents"] == 0, "0")  # fmt: skip
            verdict.check("technicians over their job limit", routing["overbooked"], routing["overbooked"] == 0, "0")
        else:
            verdict.figure("routing", "dispatch app not installed")
        if verdict.failed:
            stack.dump_logs(15)
    return verdict.report()


if __name__ == "__main__":
    sys.exit(main())
