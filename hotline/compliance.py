"""Answer-time rules: the ring cadence turns "answered by the third ring" into seconds.

Ring *n* starts at (n − 1) × cycle, where cycle = tone + silence (1 s + 4 s in Indonesia). Answering
by ring N means answering before ring N + 1 starts: within N × cycle seconds of the call alerting the
operator's set (15 s by default). Cadence and ring count are settings.
"""

import math

from django.conf import settings


def ring_cycle_seconds() -> float:
    return settings.CALL_RING_ON_SECONDS + settings.CALL_RING_OFF_SECONDS


def answer_threshold_seconds() -> float:
    """The longest answer time that still counts as answered by the allowed ring."""
    return settings.CALL_ANSWER_BY_RING * ring_cycle_seconds()


def rings_elapsed(answer_seconds: float) -> float:
    """Answer time in rings (15 s → 3.0 rings with a 5 s cycle)."""
    return answer_seconds / ring_cycle_seconds()


def rings_heard(answer_seconds: float) -> int:
    """The ring the call was answered in, counting full cycles (4 s → 1, 14.5 s → 3, 15.5 s → 4)."""
    return max(1, math.ceil(rings_elapsed(answer_seconds) - 1e-9))


def is_late(answer_seconds: float) -> bool:
    return answer_seconds > answer_threshold_seconds() + 1e-9
