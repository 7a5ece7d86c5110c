"""Small reference tables that every intake reads, held in each process: categories, service units,
service-level targets and public holidays.

Reading them from PostgreSQL cost five statements per report (the category, the unit and the units above
it, the target, the holidays), each rebuilt by the ORM. They change only in the admin, a few times a year,
so each process keeps one copy and reads the tables again when they change:

1. Saving or deleting a row of one of them drops this process's copy at once and moves a generation token
   in the shared cache on, again after the commit (a process that read the tables between the save and
   the commit read the old rows under the new token; the second move makes it read them again).
2. Every process compares its copy's token with the shared one at most once per
   ``REFERENCE_RECHECK_SECONDS`` (1 s): a change made in another process is seen within that time.
3. A copy older than ``REFERENCE_MAX_AGE_SECONDS`` (5 min) is read again anyway: a change that sends no
   signal (a queryset ``update``, a migration, SQL) is seen within that time.
4. A transaction that changed one of the tables reads them into a copy of its own until it ends (it sees
   its change, nobody else does, and it may roll back). With the cache down (``core.circuit``) each call
   reads the database, as before.

The rows are shared by every request of the process: treat them as read-only.
"""

import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction

GENERATION_KEY = "sigap:reference-generation"


@dataclass(frozen=True)
class Tables:
    generation: str | None
    loaded_at: float
    categories: dict = field(default_factory=dict)  # code → Category (active or not)
    units: dict = field(default_factory=dict)  # id → ServiceUnit
    units_by_code: dict = field(default_factory=dict)  # code → ServiceUnit
    targets: dict = field(default_factory=dict)  # category id → [ServiceLevelTarget] by id
    holidays: tuple[date, ...] = ()  # sorted

    def active_category(self, code: str):
        category = self.categories.get(code)
        return category if category is not None and category.active else None

    def active_unit(self, code: str):
        unit = self.units_by_code.get(code)
        return unit if unit is not None and unit.active else None

    def ancestry(self, unit_id: int) -> list[int]:
        """The unit's id and those of the units above it, nearest first."""
        ids, current = [], unit_id
        while current is not None and current not in ids:
            ids.append(current)
            row = self.units.get(current)
            current = row.parent_id if row is not None else None
        return ids


_lock = threading.Lock()
_copy: Tables | None = None
_checked_at = 0.0


def _load(generation: str | None) -> Tables:
    from .models import Category, PublicHoliday, ServiceLevelTarget, ServiceUnit

    units = {unit.pk: unit for unit in ServiceUnit.objects.order_by("pk")}
    targets: dict[int, list] = {}
    for target in ServiceLevelTarget.objects.filter(category__isnull=False).order_by("pk"):
        targets.setdefault(target.category_id, []).append(target)
    return Tables(
        generation=generation,
        loaded_at=time.monotonic(),
        categories={category.code: category for category in Category.objects.all()},
        units=units,
        units_by_code={unit.code: unit for unit in units.values()},
        targets=targets,
        holidays=tuple(PublicHoliday.objects.order_by("date").values_list("date", flat=True)),
    )


def _shared_generation() -> str | None:
    from core import circuit

    if circuit.cache.is_open():
        return None
    try:
        generation = cache.get(GENERATION_KEY)
        if generation is None:
            cache.add(GENERATION_KEY, uuid.uuid4().hex, None)
            generation = cache.get(GENERATION_KEY)
        return generation
    except Exception as exc:  # cache down: read the database this time
        circuit.cache.trip(exc)
        return None


def _own_copy() -> Tables | None:
    """The copy of a transaction that changed reference rows, while that transaction is open; else None.

    Such a transaction sees its own changes, nobody else does yet, and it may roll back: it reads the tables
    into a copy of its own (kept on its connection) instead of the process's. It is open as long as one of
    the commit callbacks ``forget`` registered is still pending: Django drops them on a rollback (of the
    transaction, or of the savepoint they were registered in) and runs them on the commit.
    """
    pending = getattr(connection, "_sigap_reference_pending", None)
    if pending is None:
        return None
    callbacks, copy = pending
    waiting = {id(entry[1]) for entry in connection.run_on_commit}
    live = [callback for callback in callbacks if id(callback) in waiting]
    if not live:
        connection._sigap_reference_pending = None  # committed or rolled back
        return None
    if copy is None or len(live) < len(callbacks):  # a savepoint with a change rolled back: read again
        copy = _load(None)
        connection._sigap_reference_pending = (live, copy)
    return copy


def tables() -> Tables:
    """The reference tables as this process holds them (see the module's docstring for how fresh)."""
    global _copy, _checked_at
    own = _own_copy()
    if own is not None:
        return own
    now = time.monotonic()
    held = _copy
    if held is not None and now - held.loaded_at < settings.REFERENCE_MAX_AGE_SECONDS:
        if now - _checked_at < settings.REFERENCE_RECHECK_SECONDS:
            return held
        generation = _shared_generation()
        if generation is not None and generation == held.generation:
            _checked_at = now
            return held
    else:
        generation = _shared_generation()
    fresh = _load(generation)
    if generation is not None:
        with _lock:
            _copy, _checked_at = fresh, now
    return fresh


def forget_local() -> None:
    """Drop this process's copy: the next call reads the tables again."""
    global _copy
    with _lock:
        _copy = None


def _move_generation() -> None:
    from core import circuit

    try:
        cache.set(GENERATION_KEY, uuid.uuid4().hex, None)
    except Exception as exc:  # the other processes see the change when their copy expires
        circuit.cache.trip(exc)


def forget(**kwargs) -> None:
    """Receiver of post_save / post_delete of the reference models."""
    forget_local()
    _move_generation()
    if connection.in_atomic_block:

        def committed():
            forget_local()
            _move_generation()

        transaction.on_commit(committed)
        pending = getattr(connection, "_sigap_reference_pending", None)
        callbacks = pending[0] if pending is not None else []
        connection._sigap_reference_pending = ([*callbacks, committed], None)
