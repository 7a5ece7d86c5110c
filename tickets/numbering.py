"""Ticket numbers: short, speakable on the phone, unique, with a check digit.

Format ``YYMMDD-NNNNNN-C``: the local date of filing, a six-digit sequence and a Luhn check digit
over the twelve digits before it, so a digit misheard on the phone is caught before any lookup.
"""

import os
import re
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import F

from .models import NumberCounter

SEQUENCE_NAME = "tickets_ticket_number_seq"
NUMBER_RE = re.compile(r"^\d{13}$")


def luhn_check_digit(digits: str) -> int:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 0:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return (10 - total % 10) % 10


# PostgreSQL: each process draws this many values of the sequence in one statement and hands them out
# itself, so an intake costs no round trip for its number (one in NUMBER_BLOCK does). Values left unused when
# the process stops are gaps, as after a rollback: harmless.
NUMBER_BLOCK = 50
_drawn: dict[tuple[int, str], list[int]] = {}  # (process id, database name) → values drawn, not yet used
_drawn_lock = threading.Lock()


def _next_sequence_value() -> int:
    if connection.vendor == "postgresql":
        # A native sequence never blocks concurrent intake. The process id in the key: a forked child never
        # hands out its parent's values.
        key = (os.getpid(), connection.settings_dict["NAME"])
        with _drawn_lock:
            values = _drawn.get(key)
            if not values:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [SEQUENCE_NAME, NUMBER_BLOCK])
                    values = sorted((row[0] for row in cursor.fetchall()), reverse=True)
                _drawn[key] = values
            return values.pop()
    with transaction.atomic():
        updated = NumberCounter.objects.filter(name=SEQUENCE_NAME).update(value=F("value") + 1)
        if not updated:
            NumberCounter.objects.create(name=SEQUENCE_NAME, value=1)
        return NumberCounter.objects.get(name=SEQUENCE_NAME).value


def format_number(digits: str) -> str:
    return f"{digits[:6]}-{digits[6:12]}-{digits[12]}"


def new_ticket_number(at: datetime, tz_name: str) -> str:
    day = at.astimezone(ZoneInfo(tz_name)).strftime("%y%m%d")
    body = f"{day}{_next_sequence_value() % 1_000_000:06d}"
    return format_number(body + str(luhn_check_digit(body)))


def normalize_ticket_number(raw: str) -> str | None:
    """Canonical form of a number typed or spoken with any separators; None when it cannot be one."""
    digits = "".join(ch for ch in (raw or "") if ch.isdigit())
    if not NUMBER_RE.match(digits):
        return None
    if luhn_check_digit(digits[:12]) != int(digits[12]):
        return None
    return format_number(digits)
