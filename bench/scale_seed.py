"""A data set of utility scale for benchmarks: units, customers, staff, tickets with timelines and outbox rows.

Rows are generated in Python in chunks and written with PostgreSQL ``COPY`` (or a plain multi-row insert on
other databases, so the tests can run it tiny on SQLite). Primary keys are given explicitly, so a ticket's
events and outbox rows point at it without reading anything back; the sequences are moved past them at the end.

Shape (per ticket, by age): tickets spread evenly over ``days`` days with ids rising with time; about 55 %
outages (technical), 40 % back office, 5 % feedback; 70 % linked to a customer of their ULP; older than ten
days almost all closed; newer ones spread over every open status. Each ticket has its "opened" event and one
event per status it went through (with the timestamps on the ticket), and one outbox row (sent) for its
opening and for the status that ended the work. Open back-office tickets have their service-level clock.
"""

import io
import json
import random
import secrets
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.color import no_style
from django.db import connection, transaction
from django.utils import timezone

from core import roles
from notifications.models import Notification
from tickets.models import Category, Customer, ServiceUnit, StaffProfile, Ticket, TicketEvent
from tickets.numbering import SEQUENCE_NAME, format_number, luhn_check_digit
from tickets.sla.models import TicketServiceLevel

PREFIX = "SC"  # unit codes, usernames and customer numbers of the scale data set start with this
S = Ticket.Status
TECHNICAL, BACK_OFFICE, FEEDBACK = Category.Kind.TECHNICAL, Category.Kind.BACK_OFFICE, Category.Kind.FEEDBACK

# Status → the statuses a ticket went through to get there (after "received").
PATHS = {
    TECHNICAL: {
        S.RECEIVED: [],
        S.ASSIGNED: [S.ASSIGNED],
        S.ON_THE_WAY: [S.ASSIGNED, S.ON_THE_WAY],
        S.IN_PROGRESS: [S.ASSIGNED, S.ON_THE_WAY, S.IN_PROGRESS],
        S.RESTORED: [S.ASSIGNED, S.RESTORED],
        S.CLOSED: [S.ASSIGNED, S.RESTORED, S.CLOSED],
        S.CANCELLED: [S.CANCELLED],
    },
    BACK_OFFICE: {
        S.RECEIVED: [],
        S.IN_PROGRESS: [S.IN_PROGRESS],
        S.WAITING_CUSTOMER: [S.IN_PROGRESS, S.WAITING_CUSTOMER],
        S.RESOLVED: [S.IN_PROGRESS, S.RESOLVED],
        S.CLOSED: [S.IN_PROGRESS, S.RESOLVED, S.CLOSED],
        S.CANCELLED: [S.CANCELLED],
    },
}
PATHS[FEEDBACK] = PATHS[BACK_OFFICE]
# (status, weight) for tickets of the last ten days; older ones are closed, a few cancelled or stuck open.
RECENT = {
    TECHNICAL: [
        (S.CLOSED, 70),
        (S.RESTORED, 10),
        (S.RECEIVED, 5),
        (S.ASSIGNED, 4),
        (S.ON_THE_WAY, 3),
        (S.IN_PROGRESS, 5),
        (S.CANCELLED, 3),
    ],
    BACK_OFFICE: [
        (S.CLOSED, 27),
        (S.RESOLVED, 15),
        (S.RECEIVED, 20),
        (S.IN_PROGRESS, 25),
        (S.WAITING_CUSTOMER, 10),
        (S.CANCELLED, 3),
    ],
}
RECENT[FEEDBACK] = RECENT[BACK_OFFICE]
OLD = {
    TECHNICAL: [(S.CLOSED, 97), (S.CANCELLED, 3)],
    BACK_OFFICE: [(S.CLOSED, 95), (S.CANCELLED, 3), (S.IN_PROGRESS, 1), (S.WAITING_CUSTOMER, 1)],
}
OLD[FEEDBACK] = OLD[BACK_OFFICE]
NOTIFIED = {"received", S.ASSIGNED, S.ON_THE_WAY, S.IN_PROGRESS, S.RESTORED, S.RESOLVED}
STAMP = {
    S.ASSIGNED: "assigned_at",
    S.ON_THE_WAY: "departed_at",
    S.IN_PROGRESS: "work_started_at",
    S.RESTORED: "restored_at",
    S.WAITING_CUSTOMER: "waiting_since",
    S.RESOLVED: "resolved_at",
    S.CLOSED: "closed_at",
    S.CANCELLED: "cancelled_at",
}
ZONES = ["Asia/Jakarta", "Asia/Jakarta", "Asia/Makassar", "Asia/Pontianak", "Asia/Jayapura"]
FIRST = ["Ahmad", "Siti", "Budi", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Irfan", "Joko", "Kartika", "Lestari"]
LAST = ["Saputra", "Wulandari", "Santoso", "Rahmawati", "Pratama", "Hidayat", "Nugroho", "Kurniawan"]
STREETS = ["Jl. Jenderal Sudirman", "Jl. MT Haryono", "Jl. Soekarno-Hatta", "Jl. Ahmad Yani", "Jl. Mulawarman"]
DESCRIPTIONS = {
    TECHNICAL: ["Listrik padam sejak tadi", "Padam satu gang", "Lampu kedip terus", "MCB turun terus", "Kabel putus"],
    BACK_OFFICE: ["Tagihan bulan ini naik", "Mohon tambah daya", "Pasang baru untuk rumah", "Token tidak masuk"],
    FEEDBACK: ["Petugas ramah, terima kasih", "Mohon informasi pemadaman lebih cepat", "Pelayanan lambat"],
}


class Writer:
    """Writes rows (tuples of Python values) to a table: COPY on PostgreSQL, multi-row INSERT elsewhere."""

    def __init__(self):
        self.postgres = connection.vendor == "postgresql"

    def write(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if self.postgres:
                buffer = io.StringIO()
                for row in rows:
                    buffer.write("\t".join(_copy_value(v) for v in row))
                    buffer.write("\n")
                buffer.seek(0)
                cursor.cursor.copy_expert(f"COPY {table} ({', '.join(columns)}) FROM STDIN", buffer)
                return
            ops = connection.ops
            adapted = [
                tuple(ops.adapt_datetimefield_value(v) if isinstance(v, datetime) else v for v in row) for row in rows
            ]
            placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
            step = max(1, 900 // len(columns))
            for start in range(0, len(adapted), step):
                part = adapted[start : start + step]
                cursor.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(part))}",
                    [value for row in part for value in row],
                )


def _copy_value(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, datetime):
        return value.isoformat()
    text = str(value)
    if "\\" in text or "\t" in text or "\n" in text:
        text = text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")
    return text


def _next_id(model) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
        return cursor.fetchone()[0] + 1


def _take_number_block(count: int) -> int:
    """Reserve ``count`` values of the ticket-number sequence; returns the first."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT nextval(%s)", [SEQUENCE_NAME])
            first = cursor.fetchone()[0]
            cursor.execute("SELECT setval(%s, %s)", [SEQUENCE_NAME, first + count])
        return first
    from tickets.models import NumberCounter

    counter, _ = NumberCounter.objects.get_or_create(name=SEQUENCE_NAME, defaults={"value": 0})
    first = counter.value + 1
    counter.value += count
    counter.save(update_fields=["value"])
    return first


def _pick(rng: random.Random, weighted: list[tuple[str, int]]) -> str:
    total = sum(w for _, w in weighted)
    roll = rng.random() * total
    for value, weight in weighted:
        roll -= weight
        if roll < 0:
            return value
    return weighted[-1][0]


def make_units(ulps: int) -> list[ServiceUnit]:
    """One UID per 50 ULPs, one UP3 per 10 ULPs, spread over the archipelago; returns the ULPs."""
    ulp_units = []
    uid = up3 = None
    for index in range(ulps):
        zone = ZONES[(index // 50) % len(ZONES)]
        lat = -8.0 + (index % 10) * 0.7
        lng = 105.0 + (index // 10) * 1.2
        if index % 50 == 0:
            uid, _ = ServiceUnit.objects.update_or_create(
                code=f"{PREFIX}-UID-{index // 50 + 1}",
                defaults={
                    "name": f"UID Skala {index // 50 + 1}",
                    "level": "UID",
                    "time_zone": zone,
                    "center_lat": lat,
                    "center_lng": lng,
                },
            )
        if index % 10 == 0:
            up3, _ = ServiceUnit.objects.update_or_create(
                code=f"{PREFIX}-UP3-{index // 10 + 1:02d}",
                defaults={
                    "name": f"UP3 Skala {index // 10 + 1}",
                    "level": "UP3",
                    "parent": uid,
                    "time_zone": zone,
                    "center_lat": lat,
                    "center_lng": lng,
                },
            )
        unit, _ = ServiceUnit.objects.update_or_create(
            code=f"{PREFIX}-ULP-{index + 1:03d}",
            defaults={
                "name": f"ULP Skala {index + 1}",
                "level": "ULP",
                "parent": up3,
                "time_zone": zone,
                "center_lat": lat,
                "center_lng": lng,
            },
        )
        ulp_units.append(unit)
    return ulp_units


def make_staff(ulp_units: list[ServiceUnit]) -> dict[str, int]:
    """sc-backoffice-NNN per ULP, sc-supervisor-NN per UP3, sc-operator and sc-admin."""
    user_model = get_user_model()
    groups = {name: Group.objects.get_or_create(name=name)[0] for name in roles.ALL_ROLES}
    made = {}

    def staff(username: str, role: str, unit: ServiceUnit) -> None:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": username, "is_staff": True}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
        user.groups.add(groups[role])
        StaffProfile.objects.update_or_create(user=user, defaults={"unit": unit})
        made[username] = user.pk

    for index, unit in enumerate(ulp_units):
        staff(f"sc-backoffice-{index + 1:03d}", roles.BACK_OFFICE, unit)
    for up3 in ServiceUnit.objects.filter(code__startswith=f"{PREFIX}-UP3-"):
        staff(f"sc-supervisor-{up3.code[-2:]}", roles.SUPERVISOR, up3)
    uid = ServiceUnit.objects.get(code=f"{PREFIX}-UID-1")
    staff("sc-operator", roles.OPERATOR, uid)
    staff("sc-dispatcher", roles.DISPATCHER, uid)
    staff("sc-admin", roles.ADMIN, uid)
    return made


CUSTOMER_COLUMNS = [
    "id",
    "id_pelanggan",
    "meter_number",
    "name",
    "phone",
    "email",
    "address",
    "lat",
    "lng",
    "unit_id",
    "tariff",
    "power_va",
    "payment_type",
    "transformer_code",
    "feeder_code",
    "created_at",
]


def make_customers(
    *, count: int, ulp_units: list[ServiceUnit], rng: random.Random, writer: Writer, chunk: int, log
) -> list[tuple]:
    """Customers spread evenly over the ULPs; returns (id, unit index, phone, id_pelanggan, meter, address, lat,
    lng, name) for the tickets."""
    first_id = _next_id(Customer)
    now = timezone.now()
    brief = []
    rows = []
    for n in range(count):
        pk = first_id + n
        unit_index = n % len(ulp_units)
        unit = ulp_units[unit_index]
        prepaid = n % 5 < 3
        meter = f"9{pk:010d}" if prepaid else None
        idpel = f"8{pk:011d}"
        phone = f"+628{1 + n % 9}{pk:09d}"[:15]
        name = f"{FIRST[n % len(FIRST)]} {LAST[(n // 7) % len(LAST)]}"
        address = f"{STREETS[n % len(STREETS)]} No. {1 + n % 250}"
        lat = round(unit.center_lat + rng.uniform(-0.05, 0.05), 6)
        lng = round(unit.center_lng + rng.uniform(-0.05, 0.05), 6)
        gardu = f"GD-{unit_index + 1:03d}-{(n // len(ulp_units)) % 400:03d}"
        rows.append(
            (
                pk,
                idpel,
                meter,
                name,
                phone,
                "",
                address,
                lat,
                lng,
                unit.pk,
                "R-1/TR" if n % 4 else "R-1M/TR",
                (900, 1300, 2200, 3500)[n % 4],
                "prepaid" if prepaid else "postpaid",
                gardu,
                f"PY-{unit_index + 1:03d}-{gardu[-3:][:1]}",
                now,
            )
        )
        brief.append((pk, unit_index, phone, idpel, meter or "", address, lat, lng, name))
        if len(rows) >= chunk:
            writer.write(Customer._meta.db_table, CUSTOMER_COLUMNS, rows)
            rows = []
            log(f"  customers {n + 1:>10,}")
    writer.write(Customer._meta.db_table, CUSTOMER_COLUMNS, rows)
    return brief


TICKET_COLUMNS = [
    "id",
    "number",
    "tracking_token",
    "idempotency_key",
    "category_id",
    "kind",
    "channel",
    "status",
    "priority",
    "unit_id",
    "customer_id",
    "id_pelanggan",
    "meter_number",
    "reporter_name",
    "reporter_phone",
    "reporter_email",
    "language",
    "description",
    "address",
    "lat",
    "lng",
    "photo",
    "parent_id",
    "created_by_id",
    "dispatch_state",
    "dispatch_requested_at",
    "created_at",
    "updated_at",
    "first_informed_at",
    "assigned_at",
    "departed_at",
    "work_started_at",
    "temporarily_restored_at",
    "restored_at",
    "waiting_since",
    "resolved_at",
    "closed_at",
    "cancelled_at",
    "response_due_at",
    "resolution_due_at",
]
EVENT_COLUMNS = [
    "id",
    "ticket_id",
    "kind",
    "is_public",
    "from_status",
    "to_status",
    "message",
    "actor_id",
    "actor_label",
    "data",
    "created_at",
]
NOTIFICATION_COLUMNS = [
    "reference",
    "ticket_id",
    "event_id",
    "kind",
    "channel",
    "address",
    "language",
    "status",
    "attempts",
    "next_attempt_at",
    "provider_message_id",
    "last_error",
    "created_at",
    "sent_at",
    "failed_at",
    "payload",
]
TSL_COLUMNS = [
    "ticket_id",
    "unit_id",
    "target_id",
    "indicator",
    "clock",
    "zone",
    "started_at",
    "response_due_at",
    "resolution_due_at",
    "responded_at",
    "resolved_at",
    "stopped_at",
    "response_met",
    "resolution_met",
    "paused_since",
    "pauses",
    "warn_at",
    "next_due_at",
    "up3_at",
    "warned_at",
    "response_breached_at",
    "resolution_breached_at",
    "compensation_rule",
    "compensation_percent",
    "owner_id",
    "claimed_at",
    "exemption",
]


def make_tickets(
    *,
    count: int,
    days: int,
    ulp_units: list[ServiceUnit],
    customers: list[tuple],
    owners: dict[int, int],
    rng: random.Random,
    writer: Writer,
    chunk: int,
    log,
    incidents: "IncidentPlan | None" = None,
) -> dict:
    categories = list(Category.objects.filter(active=True).order_by("id"))
    by_kind = {kind: [c for c in categories if c.kind == kind] for kind in (TECHNICAL, BACK_OFFICE, FEEDBACK)}
    kinds = [(TECHNICAL, 55), (BACK_OFFICE, 40), (FEEDBACK, 5)]
    zones = {unit.pk: ZoneInfo(unit.time_zone) for unit in ulp_units}
    first_ticket, first_event = _next_id(Ticket), _next_id(TicketEvent)
    first_number = _take_number_block(count)
    now = timezone.now().astimezone(UTC)
    start = now - timedelta(days=days)
    step = (now - start - timedelta(hours=1)) / max(count, 1)
    recent_from = now - timedelta(days=10)
    event_id = first_event
    totals = {"tickets": 0, "events": 0, "notifications": 0, "service_levels": 0}
    tickets, events, outbox, clocks = [], [], [], []

    def flush():
        writer.write(Ticket._meta.db_table, TICKET_COLUMNS, tickets)
        writer.write(TicketEvent._meta.db_table, EVENT_COLUMNS, events)
        writer.write(Notification._meta.db_table, NOTIFICATION_COLUMNS, outbox)
        writer.write(TicketServiceLevel._meta.db_table, TSL_COLUMNS, clocks)
        totals["tickets"] += len(tickets)
        totals["events"] += len(events)
        totals["notifications"] += len(outbox)
        totals["service_levels"] += len(clocks)
        for rows in (tickets, events, outbox, clocks):
            rows.clear()

    for n in range(count):
        pk = first_ticket + n
        created = start + step * n + timedelta(seconds=rng.uniform(0, 30))
        kind = _pick(rng, kinds)
        category = rng.choice(by_kind[kind]) if by_kind[kind] else rng.choice(categories)
        kind = category.kind
        status = _pick(rng, (RECENT if created >= recent_from else OLD)[kind])
        customer = customers[rng.randrange(len(customers))] if customers and rng.random() < 0.7 else None
        if customer:
            unit = ulp_units[customer[1]]
            phone, idpel, meter, address, lat, lng, name = customer[2:]
        else:
            unit = ulp_units[rng.randrange(len(ulp_units))]
            phone = f"+6285{rng.randrange(10**9):09d}"
            idpel = meter = ""
            address = f"{STREETS[n % len(STREETS)]} No. {1 + n % 250}"
            lat = lng = None
            name = ""
        day = created.astimezone(zones[unit.pk]).strftime("%y%m%d")
        body = f"{day}{(first_number + n) % 1_000_000:06d}"
        stamps: dict[str, datetime] = {}
        at = created
        path = PATHS[kind][status]
        events.append(
            (event_id, pk, TicketEvent.Kind.OPENED, True, "", S.RECEIVED, "", None, "customer", "{}", created)
        )
        outbox.append(_outbox_row(pk, event_id, "received", phone, created))
        event_id += 1
        previous = S.RECEIVED
        for to_status in path:
            step_at = at + timedelta(minutes=rng.uniform(5, 300) if kind == TECHNICAL else rng.uniform(60, 2880))
            at = step_at if step_at < now else at + (now - at) / 2  # recent tickets: later steps crowd before now
            stamps[STAMP[to_status]] = at
            events.append(
                (event_id, pk, TicketEvent.Kind.STATUS, True, previous, to_status, "", None, "system", "{}", at)
            )
            if to_status in NOTIFIED and to_status == _last_notified(path):
                outbox.append(_outbox_row(pk, event_id, to_status, phone, at))
            event_id += 1
            previous = to_status
        response_due = resolution_due = None
        if kind != TECHNICAL:
            response_due = created + timedelta(days=1)
            resolution_due = created + timedelta(days=rng.choice((1, 5, 15)))
        open_now = status not in (S.CLOSED, S.CANCELLED, S.RESTORED, S.RESOLVED)
        dispatches = category.dispatches
        dispatch_state = "not_needed"
        if dispatches:
            dispatch_state = "unassignable" if status == S.RECEIVED else "assigned"
        tickets.append(
            (
                pk,
                format_number(body + str(luhn_check_digit(body))),
                secrets.token_urlsafe(24),
                None,
                category.pk,
                kind,
                ("phone", "web", "web", "api", "phone")[n % 5],
                status,
                "urgent" if n % 97 == 0 else ("high" if n % 13 == 0 else category.default_priority),
                unit.pk,
                customer[0] if customer else None,
                idpel,
                meter,
                name,
                phone,
                "",
                "id",
                DESCRIPTIONS[kind][n % len(DESCRIPTIONS[kind])],
                address,
                lat,
                lng,
                "",
                None,
                None,
                dispatch_state,
                created if dispatches else None,
                created,
                at,
                created,
                stamps.get("assigned_at"),
                stamps.get("departed_at"),
                stamps.get("work_started_at"),
                None,
                stamps.get("restored_at"),
                stamps.get("waiting_since"),
                stamps.get("resolved_at"),
                stamps.get("closed_at"),
                stamps.get("cancelled_at"),
                response_due,
                resolution_due,
            )
        )
        if incidents is not None and dispatches and status != S.CANCELLED:
            incidents.add(ticket_id=pk, unit=unit, at=created, lat=lat, lng=lng, status=status, stamps=stamps)
        if kind != TECHNICAL and open_now:
            owner = owners.get(unit.pk) if status != S.RECEIVED else None
            clocks.append(
                (
                    pk,
                    unit.pk,
                    None,
                    "",
                    "hours",
                    unit.time_zone,
                    created,
                    response_due,
                    resolution_due,
                    stamps.get("work_started_at"),
                    None,
                    None,
                    None,
                    None,
                    stamps.get("waiting_since"),
                    "[]",
                    None,
                    None,
                    None,
                    None,
                    None,
                    None,
                    "",
                    None,
                    owner,
                    stamps.get("work_started_at"),
                    "",
                )
            )
        if len(tickets) >= chunk:
            with transaction.atomic():
                flush()
            log(f"  tickets {n + 1:>10,}")
    with transaction.atomic():
        flush()
    return totals


def _last_notified(path: list[str]) -> str | None:
    for status in reversed(path):
        if status in NOTIFIED:
            return status
    return None


def _outbox_row(ticket_id: int, event_id: int, kind: str, phone: str, at: datetime) -> tuple:
    sent = at + timedelta(seconds=3)
    reference = str(uuid.uuid4())
    return (reference, ticket_id, event_id, kind, "sms", phone, "id", "sent", 1, at, "", "", at, sent, None, "{}")


# Dispatch: technicians, incidents grouping the outage reports, and the crews' assignments -------------


def write_model(writer: Writer, model, rows: list[dict]) -> None:
    """Rows as dicts by attribute name; every other column gets the field's default (computed once)."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields]
    defaults = {f.attname: (f.get_default() if f.has_default() or f.null else "") for f in fields}
    columns = [f.column for f in fields if f.attname in rows[0] or f.attname != "id"]
    names = [f.attname for f in fields if f.attname in rows[0] or f.attname != "id"]
    tuples = []
    for row in rows:
        values = []
        for name in names:
            value = row.get(name, defaults[name])
            if isinstance(value, (list, dict)):
                value = json.dumps(value)
            values.append(value)
        tuples.append(tuple(values))
    writer.write(model._meta.db_table, columns, tuples)


def make_technicians(
    *, count: int, ulp_units: list[ServiceUnit], rng: random.Random, writer: Writer, log
) -> dict[int, list[int]]:
    """Technician accounts (group "technician") spread over the ULPs; about 40 % on duty now, near their ULP."""
    from dispatch.models import Technician

    user_model = get_user_model()
    group = Group.objects.get_or_create(name=roles.TECHNICIAN)[0]
    first_user, first_tech = _next_id(user_model), _next_id(Technician)
    now = timezone.now()
    users, memberships, technicians = [], [], []
    by_unit: dict[int, list[int]] = {}
    for n in range(count):
        unit = ulp_units[n % len(ulp_units)]
        user_id, tech_id = first_user + n, first_tech + n
        users.append(
            (
                user_id,
                "!",
                None,
                False,
                f"{PREFIX.lower()}-tech-{n + 1:05d}",
                FIRST[n % len(FIRST)],
                LAST[(n // 3) % len(LAST)],
                "",
                False,
                True,
                now,
            )
        )
        memberships.append((user_id, group.pk))
        on_duty = n % 5 < 2
        technicians.append(
            {
                "id": tech_id,
                "user_id": user_id,
                "unit_id": unit.pk,
                "phone": f"+62811{n:08d}",
                "skills": ["lv", "meter"] if n % 4 else ["lv", "mv"],
                "on_duty": on_duty,
                "shift_ends_at": now + timedelta(hours=8) if on_duty else None,
                "state": "available" if on_duty else "off",
                "job_limit": 1 + n % 2,
                "active_jobs": 0,
                "last_lat": round(unit.center_lat + rng.uniform(-0.03, 0.03), 6),
                "last_lng": round(unit.center_lng + rng.uniform(-0.03, 0.03), 6),
                "last_position_at": now if on_duty else now - timedelta(days=1),
                "last_accuracy_m": 15.0,
            }
        )
        by_unit.setdefault(unit.pk, []).append(tech_id)
    writer.write(
        user_model._meta.db_table,
        [
            "id",
            "password",
            "last_login",
            "is_superuser",
            "username",
            "first_name",
            "last_name",
            "email",
            "is_staff",
            "is_active",
            "date_joined",
        ],
        users,
    )
    writer.write(user_model.groups.through._meta.db_table, ["user_id", "group_id"], memberships)
    write_model(writer, Technician, technicians)
    log(f"technicians {count:,}")
    return by_unit


TICKET_TO_INCIDENT = {
    S.RECEIVED: ("open", 0),
    S.ASSIGNED: ("assigned", 1),
    S.ON_THE_WAY: ("on_the_way", 2),
    S.IN_PROGRESS: ("in_progress", 3),
}
LIVE_ASSIGNMENT = {"assigned": "accepted", "on_the_way": "en_route", "in_progress": "on_site"}


class IncidentPlan:
    """Groups the outage tickets of a ULP into incidents by time window (about ``count`` over the period)."""

    def __init__(self, *, count: int, ulps: int, days: int, start: datetime, first_id: int):
        self.bucket = timedelta(days=days) / max(1.0, count / max(ulps, 1))
        self.start = start
        self.next_id = first_id
        self.ids: dict[tuple[int, int], int] = {}
        self.incidents: dict[int, dict] = {}
        self.reports: list[dict] = []

    def add(self, *, ticket_id: int, unit, at: datetime, lat, lng, status: str, stamps: dict) -> None:
        key = (unit.pk, int((at - self.start) / self.bucket))
        incident_id = self.ids.get(key)
        if incident_id is None:
            incident_id = self.ids[key] = self.next_id
            self.next_id += 1
            self.incidents[incident_id] = {
                "id": incident_id,
                "unit_id": unit.pk,
                "lat": lat if lat is not None else unit.center_lat,
                "lng": lng if lng is not None else unit.center_lng,
                "transformer_code": "",
                "feeder_code": "",
                "address": "",
                "skill": "lv",
                "status": "restored",
                "rank": -1,
                "opened_at": at,
                "last_report_at": at,
                "last_routed_at": at,
                "route_attempts": 1,
                "restored_at": None,
                "estimated_restoration_at": None,
                "cause": "",
                "report_count": 0,
                "customers_affected": 0,
            }
        incident = self.incidents[incident_id]
        incident["report_count"] += 1
        incident["customers_affected"] += 1
        incident["last_report_at"] = max(incident["last_report_at"], at)
        if status in TICKET_TO_INCIDENT:
            name, rank = TICKET_TO_INCIDENT[status]
            if rank > incident["rank"]:
                incident["status"], incident["rank"] = name, rank
        restored = stamps.get("restored_at")
        if restored and (incident["restored_at"] is None or restored > incident["restored_at"]):
            incident["restored_at"] = restored
        distance = 0.0 if incident["report_count"] == 1 else None
        self.reports.append(
            {"incident_id": incident_id, "ticket_id": ticket_id, "joined_at": at, "distance_m": distance,
             "lat": lat, "lng": lng}
        )

    def write(self, *, writer: Writer, technicians: dict[int, list[int]], rng: random.Random, chunk: int, log) -> dict:
        from dispatch.models import Assignment, Incident, IncidentReport, Technician

        assignments = []
        live_by_tech: dict[int, int] = {}
        for incident in self.incidents.values():
            incident.pop("rank")
            if incident["status"] == "restored":
                incident["restored_at"] = incident["restored_at"] or incident["last_report_at"] + timedelta(hours=2)
                incident["cause"] = rng.choice(["tree", "animal", "equipment", "weather", "unknown"])
            else:
                incident["restored_at"] = None
            crew = technicians.get(incident["unit_id"])
            if not crew or incident["status"] == "open":
                continue
            technician = rng.choice(crew)
            state = LIVE_ASSIGNMENT.get(incident["status"], "restored")
            if state != "restored":
                if live_by_tech.get(technician, 0) >= 1:
                    incident["status"] = "open"  # no free crew: it waits on the board
                    continue
                live_by_tech[technician] = live_by_tech.get(technician, 0) + 1
            offered = incident["opened_at"] + timedelta(minutes=2)
            assignments.append(
                {
                    "incident_id": incident["id"],
                    "technician_id": technician,
                    "state": state,
                    "offered_at": offered,
                    "expires_at": offered + timedelta(minutes=5),
                    "accepted_at": offered + timedelta(minutes=1),
                    "departed_at": offered + timedelta(minutes=3),
                    "arrived_at": offered + timedelta(minutes=30) if state in ("on_site", "restored") else None,
                    "finished_at": incident["restored_at"],
                    "distance_m": rng.uniform(200, 9000),
                    "manual": False,
                    "reason": "",
                    "assigned_by_id": None,
                    "cause": incident["cause"] if state == "restored" else "",
                    "notes": "",
                    "photo": "",
                }
            )
        rows = list(self.incidents.values())
        for start in range(0, len(rows), chunk):
            with transaction.atomic():
                write_model(writer, Incident, rows[start : start + chunk])
        for start in range(0, len(self.reports), chunk):
            with transaction.atomic():
                write_model(writer, IncidentReport, self.reports[start : start + chunk])
        for start in range(0, len(assignments), chunk):
            with transaction.atomic():
                write_model(writer, Assignment, assignments[start : start + chunk])
        for tech_id, jobs in live_by_tech.items():
            Technician.objects.filter(pk=tech_id).update(active_jobs=jobs, state="busy")
        log(f"incidents {len(rows):,}, incident reports {len(self.reports):,}, assignments {len(assignments):,}")
        return {"incidents": len(rows), "incident_reports": len(self.reports), "assignments": len(assignments)}


def reset_sequences() -> None:
    models = [Customer, Ticket, TicketEvent, Notification, TicketServiceLevel, get_user_model()]
    if apps.is_installed("dispatch"):
        from dispatch.models import Assignment, Incident, IncidentReport, Technician

        models += [Technician, Incident, IncidentReport, Assignment]
    statements = connection.ops.sequence_reset_sql(no_style(), models)
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def seed(
    *,
    tickets: int,
    customers: int,
    ulps: int = 100,
    days: int = 365,
    chunk: int = 50_000,
    seed_value: int = 123,
    technicians: int = 5_000,
    incidents: int = 20_000,
    log=lambda message: None,
) -> dict:
    """Build the data set; refuses to add a second one (returns what is there)."""
    existing = ServiceUnit.objects.filter(code__startswith=f"{PREFIX}-ULP-")
    if existing.exists():
        units = list(existing)
        return {
            "already_seeded": True,
            "ulps": len(units),
            "customers": Customer.objects.filter(unit__in=units).count(),
            "tickets": Ticket.objects.filter(unit__in=units).count(),
        }
    rng = random.Random(seed_value)
    writer = Writer()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit = off")
    with transaction.atomic():
        ulp_units = make_units(ulps)
        staff = make_staff(ulp_units)
    owners = {unit.pk: staff[f"sc-backoffice-{index + 1:03d}"] for index, unit in enumerate(ulp_units)}
    log(f"units {len(ulp_units)} ULPs, {len(staff)} staff")
    with transaction.atomic():
        brief = make_customers(count=customers, ulp_units=ulp_units, rng=rng, writer=writer, chunk=chunk, log=log)
    log(f"customers {len(brief):,}")
    crews, plan = {}, None
    if apps.is_installed("dispatch") and technicians:
        with transaction.atomic():
            crews = make_technicians(count=technicians, ulp_units=ulp_units, rng=rng, writer=writer, log=log)
    if apps.is_installed("dispatch") and incidents:
        from dispatch.models import Incident

        plan = IncidentPlan(
            count=incidents,
            ulps=len(ulp_units),
            days=days,
            start=timezone.now() - timedelta(days=days),
            first_id=_next_id(Incident),
        )
    totals = make_tickets(
        count=tickets,
        days=days,
        ulp_units=ulp_units,
        customers=brief,
        owners=owners,
        rng=rng,
        writer=writer,
        chunk=chunk,
        log=log,
        incidents=plan,
    )
    if plan is not None:
        totals.update(plan.write(writer=writer, technicians=crews, rng=rng, chunk=chunk, log=log))
    totals["technicians"] = sum(len(ids) for ids in crews.values())
    reset_sequences()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {"already_seeded": False, "ulps": len(ulp_units), "staff": len(staff), "customers": len(brief), **totals}
