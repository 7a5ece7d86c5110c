"""Drill (b): the Celery worker SIGKILLed in the middle of sending (and, with dispatch, of routing).

Tickets arrive in a burst; while their notifications are being sent through a slow gateway, the worker and
its pool processes are killed with SIGKILL (twice) and started again a few seconds later. Afterwards every
notification must be sent exactly once (one `sent` row, one delivery at the gateway — resends of a message
cut off mid-request carry the same Idempotency-Key and are absorbed), recovered by the sweeper rather than
by Redis' one-hour visibility timeout.

    .venv/bin/python -m drills.worker_kill [--tickets 300] [--kills 2]
"""

import argparse
import sys
import time

from drills.harness import Load, Stack, Verdict, log


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--kills", type=int, default=2)
    parser.add_argument("--down", type=float, default=3.0, help="seconds the worker stays dead")
    parser.add_argument("--deadline", type=float, default=60.0, help="seconds after the last restart")
    args = parser.parse_args()

    verdict = Verdict(f"Celery worker SIGKILLed {args.kills}× while sending {args.tickets} tickets' notifications")
    with Stack("worker-kill", gateway_delay=0.08) as stack:
        load = Load(stack, args.rate, phone_prefix="+62812").start(args.tickets / args.rate)
        phones = "t.reporter_phone LIKE '+62812%'"
        joined = "tickets_notification n JOIN tickets_ticket t ON t.id = n.ticket_id"
        interrupted = 0
        for kill in range(args.kills):
            # Kill while sends are in flight: wait until the gateway has started receiving.
            time.sleep(2.0)
            in_flight, waited = False, 0.0
            while not in_flight and waited < 8:
                before = stack.gateway.stats()["requests"]
                time.sleep(0.2)
                waited += 0.2
                in_flight = stack.gateway.stats()["requests"] > before
            log(f"SIGKILL worker ({kill + 1}/{args.kills}), sends in flight: {in_flight}")
            interrupted += in_flight
            stack.kill_worker()
            time.sleep(args.down)
            stack.start_worker()
        restarted_at = time.monotonic()
        load.join()
        log(f"load done: {len(load.results)} requests")

        dispatch = stack.has_dispatch()
        drained_at = None
        while time.monotonic() - restarted_at < args.deadline + 30:
            pending = stack.sql(f"SELECT count(*) FROM {joined} WHERE {phones} AND n.status = 'pending'")[0][0]
            if pending == 0 and (not dispatch or stack.dispatch_figures(phones)["unrouted"] == 0):
                drained_at = time.monotonic()
                break
            time.sleep(0.5)

        accepted = {r.number for r in load.results if r.status in (200, 201)}
        stored = {row[0] for row in stack.sql(f"SELECT number FROM tickets_ticket t WHERE {phones}")}
        by_status = dict(stack.sql(f"SELECT n.status, count(*) FROM {joined} WHERE {phones} GROUP BY 1"))
        written = sum(by_status.values())
        references = {str(row[0]) for row in stack.sql(f"SELECT n.reference FROM {joined} WHERE {phones}")}
        gateway = stack.gateway.stats(references)
        attempts = stack.sql(
            "SELECT count(*) FROM tickets_notificationattempt a JOIN tickets_notification n ON n.id = a.notification_id"
            f" JOIN tickets_ticket t ON t.id = n.ticket_id WHERE {phones} AND a.succeeded"
        )[0][0]

        verdict.figure("requests sent", len(load.results))
        verdict.check("accepted", len(accepted), len(accepted) == len(load.results), "= requests sent")
        verdict.check("lost tickets", len(accepted - stored), not (accepted - stored), "0")
        verdict.check("duplicated tickets", len(stored) - len(accepted), len(stored) == len(accepted), "0")
        verdict.figure("worker kills (with sends in flight)", f"{args.kills} ({interrupted})")
        verdict.figure("notifications written", written)
        sent = by_status.get("sent", 0) + by_status.get("logged", 0)  # logged: no gateway in the drill
        verdict.check("notifications sent", sent, sent == written, "= written")
        verdict.check("recorded successful sends", attempts, attempts == written, "= written (one per row)")
        verdict.check("SMS delivered (distinct at gateway)", gateway["delivered"], gateway["delivered"] == written,
                      "= written")  # fmt: skip
        limit = args.kills * stack.worker_concurrency
        verdict.check("resends of a cut-off send (same key)", gateway["resends"], gateway["resends"] <= limit,
                      f"<= {limit} (kills × processes)")  # fmt: skip
        if dispatch:
            routing = stack.dispatch_figures(phones)
            verdict.check("outage tickets routed (each to one incident)", routing["routed"], routing["unrouted"] == 0,
                          f"all ({routing['routed'] + routing['unrouted']})")  # fmt: skip
            verdict.check("incidents with two live crews", routing["double_incidents"],
                          routing["double_incidents"] == 0, "0")  # fmt: skip
            verdict.check("technicians over their job limit", routing["overbooked"], routing["overbooked"] == 0, "0")
            verdict.figure("assignments made", routing["assignments"])
        recover = (drained_at - restarted_at) if drained_at else None
        verdict.check(
            "all sent and routed, s after the last restart",
            f"{recover:.1f}" if recover is not None else "never",
            recover is not None and recover <= args.deadline,
            f"<= {args.deadline:.0f}",
        )
        if verdict.failed:
            stack.dump_logs(15)
    return verdict.report()


if __name__ == "__main__":
    sys.exit(main())
