"""Reads of outage communication. Public reads are served from the cache (keyed per unit / area) so that a
storm of visitors during a mass outage costs no database queries; every write calls ``invalidate``.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.geo import haversine_km
from core.rows import RowReader
from core.sql import execute
from dispatch import selectors as dispatch_selectors
from tickets.models import Customer, ServiceUnit, Ticket

from . import geometry
from .models import MassOutageThreshold, OutageAlertOptIn, PlannedOutage, WideAreaOutage

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}
UNITS_KEY = "outages:units:v1"
UPCOMING_DAYS = 7  # planned outages are shown from a week before they start


def unit_key(unit_id: int) -> str:
    return f"outages:unit:{unit_id}:v1"


def area_key(code: str) -> str:
    return f"outages:map:{code}:v1"


# --- Units (cached) ---------------------------------------------------------------------------------------


def units_table() -> dict:
    """Every active unit: code, name, zone, centre, level and the codes above it (cached)."""
    table = cache.get(UNITS_KEY)
    if table is None:
        rows = list(
            ServiceUnit.objects.filter(active=True).values(
                "id", "code", "name", "level", "parent_id", "time_zone", "center_lat", "center_lng"
            )
        )
        by_id = {row["id"]: row for row in rows}
        for row in rows:
            ancestors, parent = [], row["parent_id"]
            while parent in by_id and len(ancestors) < 5:
                ancestors.append(by_id[parent]["code"])
                parent = by_id[parent]["parent_id"]
            row["ancestors"] = ancestors
        table = {"by_id": by_id, "by_code": {row["code"]: row["id"] for row in rows}}
        cache.set(UNITS_KEY, table, 300)
    return table


def unit_row(*, unit_id: int | None = None, code: str = "") -> dict | None:
    table = units_table()
    if unit_id is None:
        unit_id = table["by_code"].get(code)
    return table["by_id"].get(unit_id)


def nearest_ulp(*, lat: float, lng: float) -> dict | None:
    best, best_km = None, None
    for row in units_table()["by_id"].values():
        if row["level"] != ServiceUnit.Level.ULP:
            continue
        km = haversine_km(lat, lng, row["center_lat"], row["center_lng"])
        if best_km is None or km < best_km:
            best, best_km = row, km
    return best


def ulps_under(code: str) -> list[dict]:
    """The ULPs at or below the unit with this code (a city's UP3 → its ULPs)."""
    return [
        row
        for row in units_table()["by_id"].values()
        if row["level"] == ServiceUnit.Level.ULP and (row["code"] == code or code in row["ancestors"])
    ]


def map_areas() -> list[dict]:
    """Areas the public map offers: UP3 offices (a city) with their names."""
    rows = [row for row in units_table()["by_id"].values() if row["level"] == ServiceUnit.Level.UP3]
    return sorted(rows, key=lambda row: row["name"])


# --- Thresholds -------------------------------------------------------------------------------------------


def thresholds_for(unit_id: int) -> tuple[int, int]:
    """(reports, customers affected) at which an incident of the unit becomes a wide-area outage."""
    row = MassOutageThreshold.objects.filter(unit_id=unit_id).values_list("min_reports", "min_customers").first()
    return row or (settings.MASS_OUTAGE_MIN_REPORTS, settings.MASS_OUTAGE_MIN_CUSTOMERS)


_wide_area_read: tuple | None = None  # (SQL, reader of the wide-area row), built once per process


def wide_area_state(unit_id: int, incident_id: int) -> tuple[int, int, WideAreaOutage | None]:
    """(reports, customers affected) of the unit's threshold and the incident's wide-area row (None when it has
    none), in one statement: the check made for each incident of each routing batch. Plain SQL built once per
    process: the ORM's building of the two reads it replaces cost more than the reads."""
    global _wide_area_read
    if _wide_area_read is None:
        wide = RowReader(WideAreaOutage, "w")
        sql = (
            f"SELECT t.min_reports, t.min_customers, {wide.columns}"
            " FROM (SELECT CAST(%s AS BIGINT) AS unit_id, CAST(%s AS BIGINT) AS incident_id) k"
            f" LEFT JOIN {MassOutageThreshold._meta.db_table} t ON t.unit_id = k.unit_id"
            f" LEFT JOIN {WideAreaOutage._meta.db_table} w ON w.incident_id = k.incident_id"
        )
        _wide_area_read = (sql, wide)
    sql, reader = _wide_area_read
    with connection.cursor() as cursor:
        execute(cursor, sql, [unit_id, incident_id])
        row = cursor.fetchone()
    min_reports, min_customers = row[0], row[1]
    if min_reports is None:
        min_reports, min_customers = settings.MASS_OUTAGE_MIN_REPORTS, settings.MASS_OUTAGE_MIN_CUSTOMERS
    return min_reports, min_customers, reader.instance(row[2:]) if row[2] is not None else None


# --- Planned outages -------------------------------------------------------------------------------------


def active_plans(*, unit_id: int, at: datetime | None = None) -> list[PlannedOutage]:
    """The ULP's planned outages under way at ``at`` (now). Every outage report asks, so the statement is
    written once rather than built by the ORM each time (which cost more CPU than the indexed read)."""
    global _active_plans
    at = connection.ops.adapt_datetimefield_value(at or timezone.now())
    if _active_plans is None:
        reader = RowReader(PlannedOutage, "p")
        sql = (
            f"SELECT {reader.columns} FROM {connection.ops.quote_name(PlannedOutage._meta.db_table)} p"
            " WHERE p.unit_id = %s AND p.cancelled_at IS NULL AND p.starts_at <= %s AND p.ends_at > %s"
            " ORDER BY p.starts_at, p.id"
        )
        _active_plans = (sql, reader)
    sql, reader = _active_plans
    with connection.cursor() as cursor:
        execute(cursor, sql, [unit_id, at, at])
        return [reader.instance(row) for row in cursor.fetchall()]


_active_plans: tuple | None = None  # (SQL, reader), built once per process


def plan_matches(
    plan: dict | PlannedOutage,
    *,
    lat: float | None = None,
    lng: float | None = None,
    transformer_code: str = "",
    feeder_code: str = "",
) -> bool:
    """Whether a place (a customer's transformer / feeder, or a point) is inside the plan's area."""
    get = plan.get if isinstance(plan, dict) else lambda name, default=None: getattr(plan, name, default)
    if transformer_code and transformer_code in (get("transformer_codes") or []):
        return True
    if feeder_code and feeder_code in (get("feeder_codes") or []):
        return True
    if lat is None or lng is None:
        return False
    if get("area"):
        return geometry.contains(get("area"), lat=lat, lng=lng)
    if transformer_code or feeder_code:
        return False  # the customer's own network position says it is not on the plan
    centre_lat, centre_lng, radius = get("center_lat"), get("center_lng"), get("radius_m") or 0
    if centre_lat is None or not radius:
        return False
    return haversine_km(lat, lng, centre_lat, centre_lng) * 1000 <= radius


def plan_for_ticket(ticket: Ticket, *, at: datetime | None = None) -> PlannedOutage | None:
    """The active planned outage whose area holds the ticket's customer or point, if any."""
    customer = ticket.customer
    for plan in active_plans(unit_id=ticket.unit_id, at=at):
        if plan_matches(
            plan,
            lat=ticket.lat,
            lng=ticket.lng,
            transformer_code=customer.transformer_code if customer else "",
            feeder_code=customer.feeder_code if customer else "",
        ):
            return plan
    return None


def affected_customers(plan: PlannedOutage):
    """Customers of the plan's ULP on its transformers / feeders or inside its polygon."""
    qs = Customer.objects.filter(unit_id=plan.unit_id)
    if plan.area:
        shape = geometry.parse_area(plan.area)
        minx, miny, maxx, maxy = shape.bounds
        candidates = qs.filter(lat__gte=miny, lat__lte=maxy, lng__gte=minx, lng__lte=maxx)
        ids = [c.pk for c in candidates.only("pk", "lat", "lng") if geometry.contains(plan.area, lat=c.lat, lng=c.lng)]
        return Customer.objects.filter(pk__in=ids)
    match = Q()
    if plan.transformer_codes:
        match |= Q(transformer_code__in=plan.transformer_codes)
    if plan.feeder_codes:
        match |= Q(feeder_code__in=plan.feeder_codes)
    return qs.filter(match) if match else qs.none()


def opted_in_customers(plan: PlannedOutage):
    return (
        affected_customers(plan)
        .filter(outage_alert__isnull=False)
        .select_related("outage_alert")
        .only("pk", "phone", "email", "outage_alert__language")
    )


# --- The public state of a unit (cached) ------------------------------------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def unit_state(unit_id: int) -> dict:
    """Wide-area outages and current / coming planned outages of one ULP, as cacheable plain data."""
    key = unit_key(unit_id)
    state = cache.get(key)
    if state is not None:
        return state
    now = timezone.now()
    wide = [
        {
            "incident": row["incident_id"],
            "status": row["incident__status"],
            "estimated_restoration_at": _iso(row["incident__estimated_restoration_at"]),
            "lat": row["incident__lat"],
            "lng": row["incident__lng"],
            "since": _iso(row["started_at"]),
            "reports": row["reports"],
        }
        for row in WideAreaOutage.objects.filter(unit_id=unit_id, active=True)
        .order_by("started_at")
        .values(
            "incident_id",
            "incident__status",
            "incident__estimated_restoration_at",
            "incident__lat",
            "incident__lng",
            "started_at",
            "reports",
        )
    ]
    planned = [
        {
            "id": plan.pk,
            "title": plan.title,
            "starts_at": _iso(plan.starts_at),
            "ends_at": _iso(plan.ends_at),
            "transformer_codes": plan.transformer_codes,
            "feeder_codes": plan.feeder_codes,
            "area": plan.area,
            "center_lat": plan.center_lat,
            "center_lng": plan.center_lng,
            "radius_m": plan.radius_m,
        }
        for plan in PlannedOutage.objects.filter(
            unit_id=unit_id,
            cancelled_at__isnull=True,
            ends_at__gt=now,
            starts_at__lte=now + timedelta(days=UPCOMING_DAYS),
        ).order_by("starts_at")
    ]
    state = {"wide_area": wide, "planned": planned}
    cache.set(key, state, settings.OUTAGE_PUBLIC_CACHE_SECONDS)
    return state


def local_time(value: str | datetime | None, zone: str, *, with_date: bool = False) -> str:
    when = parse_datetime(value) if isinstance(value, str) else value
    if when is None:
        return ""
    local = when.astimezone(ZoneInfo(zone or settings.TIME_ZONE))
    label = ZONE_LABELS.get(zone, "")
    return (f"{local:%d/%m %H:%M} {label}" if with_date else f"{local:%H:%M} {label}").strip()


def _wide_notice(unit: dict, item: dict) -> dict:
    eta = local_time(item["estimated_restoration_at"], unit["time_zone"], with_date=True)
    text = _("INFO PADAM MELUAS: a wide-area outage is affecting %(unit)s. Our crews are working on it.") % {
        "unit": unit["name"]
    }
    if eta:
        text += " " + _("Estimated restoration: %(time)s.") % {"time": eta}
    return {
        "kind": "wide_area",
        "incident": item["incident"],
        "unit": unit["code"],
        "title": _("INFO PADAM MELUAS"),
        "text": text,
        "estimated_restoration_at": item["estimated_restoration_at"],
        "estimated_restoration": eta,
    }


def _planned_notice(unit: dict, item: dict) -> dict:
    starts = local_time(item["starts_at"], unit["time_zone"], with_date=True)
    ends = local_time(item["ends_at"], unit["time_zone"], with_date=True)
    return {
        "kind": "planned",
        "plan": item["id"],
        "unit": unit["code"],
        "title": _("Planned outage (pemadaman terencana)"),
        "text": _("Planned maintenance in %(unit)s: %(work)s, from %(starts)s to %(ends)s.")
        % {"unit": unit["name"], "work": item["title"], "starts": starts, "ends": ends},
        "starts_at": item["starts_at"],
        "ends_at": item["ends_at"],
    }


def public_notices(
    *,
    unit_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
    transformer_code: str = "",
    feeder_code: str = "",
) -> dict:
    """What the banner shows for a place: wide-area outages of its ULP first, then planned outages covering it.

    Planned outages need the place itself (a point, or a transformer / feeder): a visitor who gave only the
    ULP sees the wide-area outages, not every maintenance window of the ULP.
    """
    unit = unit_row(code=unit_code) if unit_code else None
    if unit is None and lat is not None and lng is not None:
        unit = nearest_ulp(lat=lat, lng=lng)
    if unit is None or unit["level"] != ServiceUnit.Level.ULP:
        return {"unit": None, "notices": []}
    state = unit_state(unit["id"])
    notices = [_wide_notice(unit, item) for item in state["wide_area"]]
    for item in state["planned"]:
        if plan_matches(item, lat=lat, lng=lng, transformer_code=transformer_code, feeder_code=feeder_code):
            notices.append(_planned_notice(unit, item))
    return {"unit": {"code": unit["code"], "name": unit["name"]}, "notices": notices}


def announcement(unit_code: str) -> dict | None:
    """The PBX announcement of a ULP (Indonesian and English), or None for an unknown unit."""
    from django.utils import translation

    unit = unit_row(code=unit_code)
    if unit is None:
        return None
    state = unit_state(unit["id"])
    now = timezone.now()
    texts = {}
    for language in ("id", "en"):
        with translation.override(language):
            parts = []
            for item in state["wide_area"]:
                eta = local_time(item["estimated_restoration_at"], unit["time_zone"])
                text = _(
                    "Information: there is a wide-area power outage in the %(unit)s area. Our crews are working on it."
                ) % {"unit": unit["name"]}
                if eta:
                    text += " " + _("Power is expected back at about %(time)s.") % {"time": eta}
                text += " " + _("You do not need to report it again.")
                parts.append(text)
            for item in state["planned"]:
                if parse_datetime(item["starts_at"]) <= now:
                    parts.append(
                        _("Planned maintenance is under way in the %(unit)s area until %(time)s.")
                        % {"unit": unit["name"], "time": local_time(item["ends_at"], unit["time_zone"])}
                    )
            texts[language] = " ".join(parts)
    return {
        "unit": unit["code"],
        "active": bool(texts["id"]),
        "text_id": texts["id"],
        "text_en": texts["en"],
        "wide_area": len(state["wide_area"]),
        # For the IVR's "press 1 for an SMS when power is back": POST outages/subscriptions/ with one of these.
        "incidents": [item["incident"] for item in state["wide_area"]],
    }


# --- The public map (cached per area) ---------------------------------------------------------------------


def _rounded(value: float | None) -> float | None:
    # About 100 m: shows the street, not the house of whoever reported first.
    return round(value, 3) if value is not None else None


def map_data(area_code: str) -> dict | None:
    """Open incidents and planned outages of a city (UP3) or one ULP, without personal data (cached)."""
    ulps = ulps_under(area_code)
    if not ulps:
        return None
    key = area_key(area_code)
    data = cache.get(key)
    if data is not None:
        return data
    from dispatch.models import Incident

    ids = [row["id"] for row in ulps]
    wide_ids = set(WideAreaOutage.objects.filter(unit_id__in=ids, active=True).values_list("incident_id", flat=True))
    incidents = [
        {
            "id": row["id"],
            "lat": _rounded(row["lat"]),
            "lng": _rounded(row["lng"]),
            "status": row["status"],
            "reports": row["report_count"],
            "estimated_restoration_at": _iso(row["estimated_restoration_at"]),
            "wide_area": row["id"] in wide_ids,
        }
        for row in Incident.objects.filter(unit_id__in=ids)
        .exclude(status__in=("restored", "cancelled"))
        .exclude(lat__isnull=True)
        .order_by("-report_count")
        .values("id", "lat", "lng", "status", "report_count", "estimated_restoration_at")[:500]
    ]
    now = timezone.now()
    planned = [
        {
            "id": plan.pk,
            "title": plan.title,
            "starts_at": _iso(plan.starts_at),
            "ends_at": _iso(plan.ends_at),
            "active": plan.starts_at <= now,
            "area": plan.area,
            "lat": plan.center_lat,
            "lng": plan.center_lng,
            "radius_m": plan.radius_m,
        }
        for plan in PlannedOutage.objects.filter(
            unit_id__in=ids,
            cancelled_at__isnull=True,
            ends_at__gt=now,
            starts_at__lte=now + timedelta(days=UPCOMING_DAYS),
        ).order_by("starts_at")
    ]
    centre = next((row for row in units_table()["by_id"].values() if row["code"] == area_code), ulps[0])
    data = {
        "area": area_code,
        "center": [centre["center_lat"], centre["center_lng"]],
        "incidents": incidents,
        "planned": planned,
        "generated_at": _iso(now),
    }
    cache.set(key, data, settings.OUTAGE_PUBLIC_CACHE_SECONDS)
    return data


# --- The operator console ---------------------------------------------------------------------------------


def console_notices(*, customers: list[Customer], lat: float | None = None, lng: float | None = None) -> list[dict]:
    """Wide-area and planned outages for a caller, wide-area first (shape of hotline.selectors.incident_summary)."""
    located = next((c for c in customers if c.unit_id), None)
    unit_code = ""
    if located is not None:
        row = unit_row(unit_id=located.unit_id)
        unit_code = row["code"] if row else ""
        lat = located.lat if located.lat is not None else lat
        lng = located.lng if located.lng is not None else lng
    found = public_notices(
        unit_code=unit_code,
        lat=lat,
        lng=lng,
        transformer_code=located.transformer_code if located else "",
        feeder_code=located.feeder_code if located else "",
    )
    return [
        {
            "id": notice.get("incident") or f"plan-{notice.get('plan')}",
            "kind": notice["kind"],
            # The wide-area text starts with INFO PADAM MELUAS already; a planned one gets its heading.
            "title": notice["text"] if notice["kind"] == "wide_area" else f"{notice['title']}: {notice['text']}",
            "status": "",
            "estimated_restore_at": notice.get("estimated_restoration_at") or notice.get("ends_at"),
        }
        for notice in found["notices"]
    ]


def opted_in(customer: Customer) -> bool:
    return OutageAlertOptIn.objects.filter(customer=customer).exists()


def incidents_near(*, lat: float, lng: float, radius_m: float = 500) -> list:
    """Open outage incidents with a report within ``radius_m`` of a point, nearest first (dispatch's grouping):
    what the 123 console tells a caller about an outage near them."""
    return dispatch_selectors.open_incidents_near(lat=lat, lng=lng, radius_m=radius_m)
