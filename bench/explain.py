"""Query plans (EXPLAIN ANALYZE) of the hot reads over the seeded data set, built by the product's own selectors.

    DATABASE_URL=postgres://…/sigap_bench .venv/bin/python bench/explain.py [--full]

Prints, per query, the execution time and the plan's top lines (``--full``: the whole plan). Needs the data
set of ``manage.py seed_scale``.
"""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import stack  # noqa: E402


def cases():
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from tickets import selectors
    from tickets.api.views import TicketFilter
    from tickets.models import Ticket
    from tickets.sla import selectors as sla_selectors

    users = get_user_model().objects
    back_office = users.get(username="sc-backoffice-001")
    supervisor = users.get(username="sc-supervisor-01")
    admin = users.get(username="sc-admin")
    sample = (
        Ticket.objects.filter(unit__code="SC-ULP-007")
        .order_by("-id")
        .only("tracking_token", "reporter_phone", "unit")[0]
    )
    newest = ("-created_at", "-id")
    yield "ticket list, UP3 supervisor", selectors.tickets_visible_to(supervisor).order_by(*newest)[:51]
    yield "ticket list, admin", selectors.tickets_visible_to(admin).order_by(*newest)[:51]

    def api_list(viewer, **params):
        from django.http import QueryDict

        data = QueryDict(mutable=True)
        for key, value in params.items():
            data.setlist(key, value if isinstance(value, list) else [value])
        return TicketFilter(data, queryset=selectors.tickets_visible_to(viewer)).qs.order_by(*newest)[:51]

    yield "ticket list, status received+in_progress", api_list(supervisor, status=["received", "in_progress"])
    yield "ticket list, kind technical, one ULP", api_list(supervisor, kind="technical", unit="SC-ULP-003")
    yield "ticket list, category + channel", api_list(supervisor, category="TG-LONJAK", channel="phone")
    yield "ticket list, by reporter phone", api_list(admin, phone=sample.reporter_phone)
    yield (
        "ticket list, last 7 days, UP3",
        api_list(supervisor, created_after=(timezone.now() - timedelta(days=7)).isoformat()),
    )
    for queue in ("open", "unclaimed", "mine", "waiting", "referred"):
        yield f"back-office queue {queue}, one ULP", sla_selectors.back_office_queue(back_office, queue=queue)[:51]
    yield "back-office queue open, UP3 supervisor", sla_selectors.back_office_queue(supervisor, queue="open")[:51]
    yield "back-office queue open, admin", sla_selectors.back_office_queue(admin, queue="open")[:51]
    yield (
        "tracking: ticket by token",
        Ticket.objects.select_related("category", "unit").filter(tracking_token=sample.tracking_token),
    )
    yield "tracking: public events", selectors.public_events(sample)
    from django.apps import apps

    if apps.is_installed("dispatch"):
        from django.conf import settings
        from django.db.models import Q

        from dispatch import selectors as dispatch_selectors
        from dispatch.models import Incident, IncidentReport, Technician

        dispatcher = users.get(username="sc-dispatcher")
        yield (
            "board: open incidents, UID dispatcher",
            dispatch_selectors.incidents_visible_to(dispatcher)
            .filter(status__in=Incident.OPEN_STATUSES)
            .order_by("opened_at", "id"),
        )
        yield (
            "incident list, all, UID dispatcher (newest first)",
            dispatch_selectors.incidents_visible_to(dispatcher).order_by("-opened_at", "-id")[:51],
        )
        waiting = Ticket.objects.filter(
            dispatch_state__in=["pending", "enqueued", "unassignable"],
            unit_id__in=selectors.visible_unit_ids(dispatcher),
        ).exclude(status__in=["restored", "closed", "cancelled"])
        yield "board: tickets waiting for a crew", waiting.order_by("dispatch_requested_at", "id")[:200]
        yield (
            "board: technicians on duty, UID",
            dispatch_selectors.technicians_visible_to(dispatcher).filter(on_duty=True).order_by("user__username"),
        )
        unit = sample.unit
        lat, lng = unit.center_lat, unit.center_lng
        box = dispatch_selectors.bounding_box(lat, lng, settings.DISPATCH_SEARCH_RADIUS_M)
        yield (
            "routing: candidate technicians (ULP or 25 km box)",
            Technician.objects.filter(
                Q(unit_id=unit.pk) | Q(last_lat__range=box[:2], last_lng__range=box[2:]),
                on_duty=True,
                last_position_at__gte=timezone.now() - timedelta(minutes=15),
            ).exclude(state="off"),
        )
        box = dispatch_selectors.bounding_box(lat, lng, settings.INCIDENT_JOIN_RADIUS_M)
        recent = dispatch_selectors.open_incidents().filter(last_report_at__gte=timezone.now() - timedelta(hours=2))
        yield (
            "grouping: reports of recent open incidents within 500 m",
            IncidentReport.objects.filter(
                incident__in=recent, lat__range=box[:2], lng__range=box[2:]
            ).values_list("incident_id", "lat", "lng"),
        )
    yield "escalations, admin", sla_selectors.escalations_visible_to(admin).filter(acknowledged_at__isnull=True)[:51]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--full", action="store_true")
    args = parser.parse_args()
    stack.require_stack()
    stack.setup_django()
    for name, qs in cases():
        qs.explain(analyze=True)  # warm the buffers once
        plan = qs.explain(analyze=True, buffers=True).splitlines()
        took = next((line for line in plan if line.startswith("Execution Time")), "")
        print(f"== {name}: {took}")
        for line in plan if args.full else plan[:6]:
            print("   " + line[:160])


if __name__ == "__main__":
    main()
