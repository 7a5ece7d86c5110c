"""Fail fast while Redis is down: a per-process circuit breaker for the broker and the cache.

When Redis stops, every publish costs the retry policy (about 0.6 s) and every cache call a connect
attempt; at storm rates that turns into seconds of latency on intake. After one failure the breaker stays
open for ``BREAKER_OPEN_SECONDS`` (default 5): callers skip Redis at once (tasks are left to the sweepers,
which re-publish from PostgreSQL; throttles fail open), then one call tries again.
"""

import logging
import threading
import time

from django.conf import settings

logger = logging.getLogger(__name__)


class Breaker:
    def __init__(self, name: str):
        self.name = name
        self._open_until = 0.0
        self._lock = threading.Lock()

    def is_open(self) -> bool:
        return time.monotonic() < self._open_until

    def trip(self, exc: BaseException) -> None:
        seconds = getattr(settings, "BREAKER_OPEN_SECONDS", 5.0)
        with self._lock:
            if not self.is_open():
                logger.warning("%s unreachable (%s): skipping it for %.0f s", self.name, exc, seconds)
            self._open_until = time.monotonic() + seconds

    def reset(self) -> None:
        self._open_until = 0.0


broker = Breaker("broker")
cache = Breaker("cache")

# One quick retry only: the request path must not wait on a broker that is down. Sweepers catch up.
WEB_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.1, "interval_max": 0.1}


def publish(task, *args) -> bool:
    """Publish ``task(*args)`` unless the broker is known to be down; True if it was handed to the broker.

    Never raises: a task that could not be published is the sweepers' job (its row stays pending in the
    database). In-process mode (no broker) runs the task here, as ``delay`` does.
    """
    if settings.CELERY_TASK_ALWAYS_EAGER:
        task.delay(*args)
        return True
    if broker.is_open():
        return False
    try:
        task.apply_async(args, retry=True, retry_policy=WEB_PUBLISH_RETRY_POLICY)
    except Exception as exc:  # kombu/redis connection errors of many kinds
        broker.trip(exc)
        return False
    return True


def queue_length(name: str) -> int | None:
    """Messages waiting in a broker queue, or None when that cannot be told (in-process tasks, the broker down
    or not Redis)."""
    if settings.CELERY_TASK_ALWAYS_EAGER or broker.is_open():
        return None
    from celery import current_app as app

    try:
        with app.connection_for_read() as conn:
            return int(conn.default_channel.client.llen(name))
    except Exception:  # not a Redis transport, or unreachable: the caller goes on as if the queue were short
        logger.debug("could not read the length of queue %s", name, exc_info=True)
        return None
