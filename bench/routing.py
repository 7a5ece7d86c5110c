"""Routing micro-benchmark: the worker's CPU and statements per outage report, in process, storm mix.

    DATABASE_URL=postgres://…/sigap_x_bench REDIS_URL=redis://…/9 .venv/bin/python bench/routing.py \
        [--reports 2000] [--wave 10] [--technicians 5000] [--units 50] [--areas 4] [--mode task|batch] [--profile]

1. Creates its own ULPs (a grid about 55 km apart), ``--technicians`` on-duty technicians spread over them, and
   customers on transformers in the ``--areas`` storm ULPs.
2. Opens the reports through ``tickets.services.open_ticket`` (not measured) in waves of ``--wave``, the storm
   mix: 60 % from customers (their transformer groups them), 40 % anonymous within 1.5 km of the ULP's centre
   (grouped by position) — most reports join an incident that exists already.
3. Routes each wave as the worker does (measured): ``--mode task`` runs one ``services.route_ticket`` per report
   (the routing task; the first of a wave takes its ULP's other handed-over reports along), ``--mode batch``
   one ``services.route_tickets`` per wave (the sweeper's batches).
4. Prints the routing's CPU time (``time.process_time``) and SQL statements per report, and with ``--profile``
   the cProfile of the routing alone (top functions by cumulative time).

Intake's after-commit publish is switched off (the reports are handed over as ENQUEUED directly), so only
routing is measured. Removes its rows at the end unless ``--keep``.
"""

import argparse
import cProfile
import math
import os
import pstats
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PREFIX = "BENCH-RT"


def load_average() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--wave", type=int, default=10, help="reports opened between two routing rounds")
    parser.add_argument("--technicians", type=int, default=5000)
    parser.add_argument("--units", type=int, default=50)
    parser.add_argument("--areas", type=int, default=4, help="storm ULPs the reports come from")
    parser.add_argument("--transformers", type=int, default=25, help="transformers per storm ULP")
    parser.add_argument("--mode", choices=["task", "batch"], default="task")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.models import Count
    from django.utils import timezone

    from dispatch import services
    from dispatch.models import Assignment, Incident, IncidentReport, Technician
    from tickets import services as ticket_services
    from tickets import signals as ticket_signals
    from tickets.models import Category, Customer, ServiceUnit, Ticket

    User = get_user_model()
    rng = random.Random(args.seed)

    def cleanup() -> None:
        units = ServiceUnit.objects.filter(code__startswith=PREFIX)
        Incident.objects.filter(unit__in=units).delete()
        Ticket.objects.filter(unit__in=units).delete()
        Customer.objects.filter(unit__in=units).delete()
        Technician.objects.filter(unit__in=units).delete()
        User.objects.filter(username__startswith=PREFIX.lower()).delete()
        units.filter(level="ULP").delete()
        units.delete()

    call_command("migrate", verbosity=0)
    cleanup()
    up3 = ServiceUnit.objects.create(
        code=f"{PREFIX}-UP3",
        name="UP3 Bench",
        level="UP3",
        time_zone="Asia/Makassar",
        center_lat=-1.0,
        center_lng=116.5,
    )
    side = math.ceil(math.sqrt(args.units))
    units = [
        ServiceUnit.objects.create(
            code=f"{PREFIX}-{i:03d}",
            name=f"ULP Bench {i}",
            level="ULP",
            parent=up3,
            time_zone="Asia/Makassar",
            center_lat=-3.0 + 0.5 * (i // side),
            center_lng=115.0 + 0.5 * (i % side),
        )
        for i in range(args.units)
    ]
    users = User.objects.bulk_create(
        [User(username=f"{PREFIX.lower()}-{i:05d}", first_name=f"Tek{i}") for i in range(args.technicians)],
        batch_size=1000,
    )
    now = timezone.now()
    Technician.objects.bulk_create(
        [
            Technician(
                user=user,
                unit=units[i % len(units)],
                skills=["lv", "mv", "meter"] if i % 5 == 0 else ["lv", "meter"],
                on_duty=True,
                state="available",
                job_limit=1,
                last_lat=units[i % len(units)].center_lat + rng.uniform(-0.09, 0.09),
                last_lng=units[i % len(units)].center_lng + rng.uniform(-0.09, 0.09),
                # a quarter with a position older than the limit: ranked with the stale penalty
                last_position_at=now if i % 4 else now - timezone.timedelta(minutes=40),
                last_accuracy_m=10.0,
            )
            for i, user in enumerate(users)
        ],
        batch_size=1000,
    )
    areas = units[: args.areas]
    customers: dict[int, list[Customer]] = {}
    serial = 0
    for area_index, unit in enumerate(areas):
        rows = []
        for t in range(args.transformers):
            t_lat = unit.center_lat + rng.uniform(-0.03, 0.03)
            t_lng = unit.center_lng + rng.uniform(-0.03, 0.03)
            for _c in range(20):
                serial += 1
                rows.append(
                    Customer(
                        id_pelanggan=f"99{area_index:02d}{serial:08d}",
                        name=f"Pelanggan {serial}",
                        address=f"Jl. Bench {serial}",
                        lat=t_lat + rng.uniform(-0.001, 0.001),
                        lng=t_lng + rng.uniform(-0.001, 0.001),
                        unit=unit,
                        transformer_code=f"{PREFIX}-{area_index}-GT{t:03d}",
                        feeder_code=f"{PREFIX}-{area_index}-F{t % 4}",
                    )
                )
        customers[unit.pk] = Customer.objects.bulk_create(rows, batch_size=1000)
    outage = Category.objects.get(code="GG-PADAM-1")
    transformer_fault = Category.objects.get(code="GG-GARDU")

    # Only routing is measured: intake's publish is replaced by the state it leaves (handed over, ENQUEUED).
    ticket_signals.ticket_opened.disconnect(dispatch_uid="dispatch.route_outage")

    def open_report(n: int) -> int:
        unit = rng.choice(areas)
        category = transformer_fault if rng.random() < 0.03 else outage
        if rng.random() < 0.6:
            customer = rng.choice(customers[unit.pk])
            fields = {"customer": customer, "lat": customer.lat, "lng": customer.lng}
        else:
            r = 1500 * math.sqrt(rng.random()) / 111_195.0
            a = rng.uniform(0, 2 * math.pi)
            fields = {"lat": unit.center_lat + r * math.cos(a), "lng": unit.center_lng + r * math.sin(a)}
        ticket = ticket_services.open_ticket(
            category=category,
            channel="api",
            description="Padam (bench)",
            reporter_phone=f"+62813{n:08d}",
            unit=unit,
            **fields,
        )
        ticket_services.mark_dispatch_requested(ticket_ids=[ticket.pk], at=timezone.now())
        return ticket.pk

    statements = [0]

    def counter(execute, sql, params, many, context):
        statements[0] += 1
        return execute(sql, params, many, context)

    profiler = cProfile.Profile() if args.profile else None
    cpu = wall = 0.0
    routed: list[int] = []
    load_before = load_average()
    for start in range(0, args.reports, args.wave):
        with transaction.atomic():
            wave = [open_report(n) for n in range(start, min(args.reports, start + args.wave))]
        routed += wave
        with connection.execute_wrapper(counter):
            if profiler is not None:
                profiler.enable()
            c0, w0 = time.process_time(), time.perf_counter()
            if args.mode == "task":
                for ticket_id in wave:
                    services.route_ticket(ticket_id=ticket_id)
            else:
                services.route_tickets(ticket_ids=wave)
            cpu += time.process_time() - c0
            wall += time.perf_counter() - w0
            if profiler is not None:
                profiler.disable()
    load_after = load_average()

    n = len(routed)
    incidents = Incident.objects.filter(unit__in=areas)
    states = dict(Ticket.objects.filter(pk__in=routed).values_list("dispatch_state").annotate(c=Count("id")).order_by())
    attached = IncidentReport.objects.filter(ticket_id__in=routed).count()
    offers = Assignment.objects.filter(incident__unit__in=areas).count()
    print(f"routing micro-benchmark ({args.mode} mode), {connection.vendor}")
    print(f"technicians on duty            {args.technicians} over {args.units} ULPs ({args.areas} storm ULPs)")
    print(f"reports routed                 {n} in waves of {args.wave}; attached {attached}")
    print(f"incidents / joined reports     {incidents.count()} / {attached - incidents.count()}")
    print(f"offers made                    {offers}; dispatch states {states}")
    print(f"CPU per report                 {cpu * 1000 / n:.2f} ms   (total {cpu:.2f} s)")
    print(f"wall per report                {wall * 1000 / n:.2f} ms")
    print(f"statements per report          {statements[0] / n:.2f}   (total {statements[0]})")
    print(f"load average before / after    {load_before} / {load_after}  ({os.cpu_count()} CPUs)")
    if profiler is not None:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
    if not args.keep:
        cleanup()


if __name__ == "__main__":
    main()
