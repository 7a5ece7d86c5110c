"""Service-level arithmetic: due times in calendar hours or Indonesian working days, pauses, compensation.

Pure functions, no database. Instants are aware datetimes (stored in UTC); working days are counted in
the unit's own zone (WIB / WITA / WIT, no daylight saving).

Two clocks:

- ``hours``: the clock runs round the clock (e.g. "respond to an outage report within 1 hour").
- ``working_days``: only Monday–Friday that are not public holidays count, each as a full day of
  24 hours in the unit's zone (TMP counts lead times "in working days"). A target of N working days
  from Friday 14:00 is due the N-th following working day at 14:00; a start on a weekend counts from
  00:00 of the next working day.

A pause (waiting for the customer) moves the due time on by the clock time the pause took.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

HOURS = "hours"
WORKING_DAYS = "working_days"
DAY = 86400


def is_working_day(day: date, holidays: frozenset[date] | set[date] = frozenset()) -> bool:
    return day.weekday() < 5 and day not in holidays


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=zone)


def clock_seconds(
    start: datetime, end: datetime, *, clock: str, zone: str, holidays: frozenset[date] = frozenset()
) -> float:
    """Seconds between two instants that count on ``clock`` (0 when end is before start)."""
    if end <= start:
        return 0.0
    if clock == HOURS:
        return (end - start).total_seconds()
    tz = ZoneInfo(zone)
    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    total = 0.0
    day = local_start.date()
    while day <= local_end.date():
        if is_working_day(day, holidays):
            day_start = max(local_start, _midnight(day, tz))
            day_end = min(local_end, _midnight(day + timedelta(days=1), tz))
            if day_end > day_start:
                total += (day_end - day_start).total_seconds()
        day += timedelta(days=1)
    return total


def add_clock_seconds(
    start: datetime, seconds: float, *, clock: str, zone: str, holidays: frozenset[date] = frozenset()
) -> datetime:
    """The instant at which ``seconds`` of ``clock`` time have passed since ``start``."""
    if seconds < 0:
        raise ValueError("seconds must not be negative")
    if clock == HOURS:
        return start + timedelta(seconds=seconds)
    tz = ZoneInfo(zone)
    current = start.astimezone(tz)
    remaining = float(seconds)
    # Skip to the start of the next working day when starting on a day off.
    while not is_working_day(current.date(), holidays):
        current = _midnight(current.date() + timedelta(days=1), tz)
    while True:
        day_end = _midnight(current.date() + timedelta(days=1), tz)
        available = (day_end - current).total_seconds()
        if remaining <= available:
            return (current + timedelta(seconds=remaining)).astimezone(UTC)
        remaining -= available
        current = day_end
        while not is_working_day(current.date(), holidays):
            current = _midnight(current.date() + timedelta(days=1), tz)


def target_seconds(amount: Decimal | float | int, clock: str) -> float:
    """A target amount (hours or working days) in clock seconds."""
    return float(amount) * (3600 if clock == HOURS else DAY)


def due_at(
    start: datetime,
    amount: Decimal | float | int,
    *,
    clock: str,
    zone: str,
    holidays: frozenset[date] = frozenset(),
    pauses: Iterable[tuple[datetime, datetime]] = (),
) -> datetime:
    """When a target of ``amount`` (hours or working days) from ``start`` falls due, after pauses.

    A pause that starts after the (moving) due time does not move it: the breach has happened.
    """
    due = add_clock_seconds(start, target_seconds(amount, clock), clock=clock, zone=zone, holidays=holidays)
    for pause_start, pause_end in sorted(pauses):
        if pause_start >= due or pause_end <= start:
            continue
        paused = clock_seconds(max(pause_start, start), pause_end, clock=clock, zone=zone, holidays=holidays)
        due = add_clock_seconds(due, paused, clock=clock, zone=zone, holidays=holidays)
    return due


# --- Compensation (Permen ESDM 27/2017 as amended by 18/2019, docs/domain.md §5.2) -----------------------

RULE_2019 = "Permen ESDM 18/2019"
RULE_2017 = "Permen ESDM 27/2017"
RULE_2019_FROM = date(2020, 1, 1)

# Hours above the monthly lama-gangguan target → percent of biaya beban / rekening minimum.
DURATION_TIERS = ((2, 50), (4, 75), (8, 100), (16, 200), (40, 300))
DURATION_TOP_TIER = 500

# Subsidised (non tariff-adjustment) classes get 20 %, the others 35 %.
SUBSIDISED_PERCENT = 20
ADJUSTMENT_PERCENT = 35


def is_subsidised(tariff: str, power_va: int) -> bool:
    """Social classes and small (≤ 900 VA, not R-1M) households are outside tariff adjustment."""
    if tariff.startswith("S-"):
        return True
    return tariff == "R-1/TR" and power_va <= 900


def flat_percent(tariff: str, power_va: int) -> int:
    return SUBSIDISED_PERCENT if is_subsidised(tariff, power_va) else ADJUSTMENT_PERCENT


def duration_tier_percent(hours_above: float) -> int:
    """The 2019 lama-gangguan tier for hours above target (0 when not above)."""
    if hours_above <= 0:
        return 0
    for limit, percent in DURATION_TIERS:
        if hours_above <= limit:
            return percent
    return DURATION_TOP_TIER


def rule_for(day: date) -> str:
    return RULE_2019 if day >= RULE_2019_FROM else RULE_2017


@dataclass(frozen=True)
class MonthlyCompensation:
    """The one indicator paid for a customer's month (the largest amount) and its percentage."""

    indicator: str
    percent: int
    rule: str
    outage_hours: float
    outage_count: int


def monthly_outage_compensation(
    *,
    outage_hours: float,
    outage_count: int,
    duration_target_hours: float,
    count_target: int,
    tariff: str,
    power_va: int,
    month: date,
) -> MonthlyCompensation | None:
    """Compensation for one customer and month from their outage records, or None.

    Under the 2019 rule a realisation above target triggers it and lama gangguan is tiered; under the
    2017 rule realisation must be more than 10 % above target and every indicator pays 35 % / 20 %.
    Only the indicator giving the largest amount is paid.
    """
    rule = rule_for(month)
    flat = flat_percent(tariff, power_va)
    candidates: list[tuple[int, str]] = []
    if rule == RULE_2019:
        if outage_hours > duration_target_hours:
            candidates.append((duration_tier_percent(outage_hours - duration_target_hours), "outage_duration"))
        if outage_count > count_target:
            candidates.append((flat, "outage_count"))
    else:
        if outage_hours > duration_target_hours * 1.1:
            candidates.append((flat, "outage_duration"))
        if outage_count > count_target * 1.1:
            candidates.append((flat, "outage_count"))
    if not candidates:
        return None
    percent, indicator = max(candidates)
    return MonthlyCompensation(
        indicator=indicator, percent=percent, rule=rule, outage_hours=outage_hours, outage_count=outage_count
    )
