"""Celery beat, exactly once however many are started: a lock in Redis.

Beat is the only process of the product that must not run twice: two would publish every periodic task twice
(harmless for the sweepers, which are idempotent, but twice the work at the worst moment). On several servers
someone will start a second one, by mistake or on purpose as a standby. So each beat, before it sends anything,
holds ``sigap:beat-lock`` in the broker's Redis: ``SET NX PX`` with its own token, renewed on every tick
(``BEAT_LOCK_TTL_SECONDS``, 20 s). A beat that does not hold the lock sends nothing and asks again every few
seconds; when the holder stops (its lock is released) or dies (its lock expires), one standby takes over.

With Sentinel the lock lives on the current master; a failover may lose it (replication is asynchronous), and
then the beats race for it again: one wins, as with ``SET NX`` anywhere. If Redis cannot be asked, a beat does
not send (it could not publish anyway).
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from django.conf import settings

from config.celery import QuickReconnectScheduler

logger = logging.getLogger("celery.beat")

LOCK_KEY = "sigap:beat-lock"

# Take the lock if free, or renew it if it is ours; 1 if we hold it now.
_HOLD = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
"""
# Delete the lock only if it is ours.
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""


class BeatLock:
    def __init__(self, client, *, ttl_seconds: float, key: str = LOCK_KEY, token: str | None = None):
        self.client = client
        self.key = key
        self.ttl_ms = max(1000, int(ttl_seconds * 1000))
        self.token = token or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

    def hold(self) -> bool | None:
        """Take or renew the lock: True if this beat holds it now, False if another does, None if Redis cannot
        be asked (then do not send either)."""
        try:
            return bool(self.client.eval(_HOLD, 1, self.key, self.token, self.ttl_ms))
        except Exception as exc:  # Redis down or failing over: do not send, ask again on the next tick
            logger.warning("beat lock: Redis unreachable (%s); not sending until it answers", exc)
            return None

    def release(self) -> bool:
        try:
            return bool(self.client.eval(_RELEASE, 1, self.key, self.token))
        except Exception:  # it expires by itself
            return False

    def holder(self) -> str | None:
        value = self.client.get(self.key)
        return value.decode() if isinstance(value, bytes) else value


class SingleBeatScheduler(QuickReconnectScheduler):
    """Beat's scheduler (reconnecting quickly, config/celery.py) that sends only while it holds the lock."""

    def __init__(self, *args, **kwargs):
        from core.redis_client import broker_client

        client = broker_client(timeout=2)
        ttl = float(getattr(settings, "BEAT_LOCK_TTL_SECONDS", 20))
        self.beat_lock = BeatLock(client, ttl_seconds=ttl) if client is not None else None
        self._holding: bool | None = None
        super().__init__(*args, **kwargs)
        if self.beat_lock is None:
            logger.warning("beat lock: the broker is not Redis; nothing stops a second beat")

    def tick(self, *args, **kwargs):
        if self.beat_lock is None:
            return super().tick(*args, **kwargs)
        ttl = self.beat_lock.ttl_ms / 1000
        holding = self.beat_lock.hold()
        if holding is None:  # Redis unreachable: already logged; keep the last state for the next change
            return ttl / 4
        if holding != self._holding:
            if holding:
                logger.info("beat lock: held by this beat (%s); sending periodic tasks", self.beat_lock.token)
            else:
                logger.info("beat lock: another beat holds it; standing by (asking every %.0f s)", ttl / 4)
            self._holding = holding
        if not holding:
            return ttl / 4
        # Renew well within the lock's lifetime, however far away the next due task is.
        return min(super().tick(*args, **kwargs), ttl / 3)

    def close(self):
        try:
            super().close()
        finally:
            if self.beat_lock is not None and self._holding:
                self.beat_lock.release()
                logger.info("beat lock: released")
