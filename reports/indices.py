"""Reliability indices per IEEE 1366: SAIFI, SAIDI and CAIDI over interruption records (pure arithmetic).

An interruption record says that ``customers_interrupted`` customers of ``unit_id`` lost supply from
``started_at`` to ``restored_at``. Only sustained interruptions count: longer than five minutes.

- SAIFI = Σ customers interrupted ÷ customers served
- SAIDI = Σ (customers interrupted × duration) ÷ customers served  (minutes per customer)
- CAIDI = SAIDI ÷ SAIFI = Σ customer-minutes ÷ Σ customers interrupted
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

SUSTAINED = timedelta(minutes=5)


@dataclass(frozen=True)
class InterruptionRecord:
    unit_id: int
    started_at: datetime
    restored_at: datetime
    customers_interrupted: int = 1

    @property
    def minutes(self) -> float:
        return (self.restored_at - self.started_at).total_seconds() / 60

    @property
    def is_sustained(self) -> bool:
        return self.restored_at - self.started_at > SUSTAINED


@dataclass(frozen=True)
class Indices:
    customers_served: int
    customers_interrupted: int
    customer_minutes: float
    interruptions: int

    @property
    def saifi(self) -> float | None:
        return self.customers_interrupted / self.customers_served if self.customers_served else None

    @property
    def saidi(self) -> float | None:
        """Minutes per customer served."""
        return self.customer_minutes / self.customers_served if self.customers_served else None

    @property
    def caidi(self) -> float | None:
        """Minutes per customer interrupted (average restoration time)."""
        return self.customer_minutes / self.customers_interrupted if self.customers_interrupted else None


def reliability_indices(
    records: Iterable[InterruptionRecord],
    *,
    customers_served: dict[int, int],
    key: Callable[[InterruptionRecord], Hashable] = lambda r: r.unit_id,
    served_for: Callable[[Hashable], int] | None = None,
) -> dict[Hashable, Indices]:
    """Indices per group (by default per unit); momentary interruptions (≤ 5 min) are left out.

    ``served_for(group)`` gives the customers served of a group; by default the unit's own count
    (the first element of a tuple key is taken as the unit id).
    """
    interrupted: dict[Hashable, int] = defaultdict(int)
    minutes: dict[Hashable, float] = defaultdict(float)
    count: dict[Hashable, int] = defaultdict(int)
    for record in records:
        if not record.is_sustained:
            continue
        group = key(record)
        interrupted[group] += record.customers_interrupted
        minutes[group] += record.customers_interrupted * record.minutes
        count[group] += 1

    def default_served(group: Hashable) -> int:
        unit_id = group[0] if isinstance(group, tuple) else group
        return customers_served.get(unit_id, 0)

    served = served_for or default_served
    return {
        group: Indices(
            customers_served=served(group),
            customers_interrupted=interrupted[group],
            customer_minutes=minutes[group],
            interruptions=count[group],
        )
        for group in interrupted
    }


def merge_per_customer(intervals: Iterable[tuple[datetime, datetime]]) -> list[tuple[datetime, datetime]]:
    """Overlapping reports of one customer are one interruption (the union of their intervals)."""
    merged: list[list[datetime]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return [(start, end) for start, end in merged]
