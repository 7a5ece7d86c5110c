"""Build the benchmark data set: ``manage.py seed_scale`` (one million tickets) or ``--tickets 1000`` for a tiny one."""

import time

from django.core.management.base import BaseCommand

from bench import scale_seed


class Command(BaseCommand):
    help = "Seed a utility-scale data set (units, customers, staff, tickets, timelines, outbox rows) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, default=1_000_000)
        parser.add_argument("--customers", type=int, default=500_000)
        parser.add_argument("--ulps", type=int, default=100)
        parser.add_argument("--technicians", type=int, default=5_000)
        parser.add_argument("--incidents", type=int, default=20_000, help="about this many, grouping outage reports")
        parser.add_argument("--days", type=int, default=365, help="tickets are spread over this many days up to now")
        parser.add_argument("--chunk", type=int, default=50_000, help="rows written per COPY / transaction")
        parser.add_argument("--seed", type=int, default=123, help="random seed (same seed, same data)")

    def handle(self, *args, **options):
        started = time.monotonic()

        def log(message: str) -> None:
            self.stdout.write(f"[{time.monotonic() - started:7.1f} s] {message}")

        result = scale_seed.seed(
            tickets=options["tickets"],
            customers=options["customers"],
            ulps=options["ulps"],
            days=options["days"],
            chunk=options["chunk"],
            seed_value=options["seed"],
            technicians=options["technicians"],
            incidents=options["incidents"],
            log=log,
        )
        if result.pop("already_seeded"):
            log("already seeded, nothing added: " + ", ".join(f"{k} {v:,}" for k, v in result.items()))
            return
        log("done: " + ", ".join(f"{k} {v:,}" for k, v in result.items()))
