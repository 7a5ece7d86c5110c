"""Where Redis is, for the few callers that talk to it directly (health check, the beat lock).

Two ways to name it (settings, deployment block):

- ``REDIS_URL``: one server (``redis://host:port/db``);
- ``REDIS_SENTINELS`` (``host:port,host:port``) and ``REDIS_SENTINEL_MASTER`` (the master's name): the
  Sentinels say which server is the master now, so a failover to the replica is followed without a restart.

Celery (``sentinel://`` broker URL) and the cache (django-redis' Sentinel client) are configured from the same
settings in ``config/settings.py``; this module gives a client on the broker's database for everything else.
"""

from __future__ import annotations

from django.conf import settings


def parse_sentinels(value: str) -> list[tuple[str, int]]:
    """``"h1:26379, h2:26380"`` → ``[("h1", 26379), ("h2", 26380)]``; a bad entry raises ValueError."""
    sentinels = []
    for item in value.split(","):
        item = item.strip()
        if not item:
            continue
        host, sep, port = item.rpartition(":")
        if not sep or not host or not port.isdigit():
            raise ValueError(f"REDIS_SENTINELS entries are host:port, got {item!r}")
        sentinels.append((host.strip("[]"), int(port)))
    return sentinels


def uses_sentinel() -> bool:
    return bool(getattr(settings, "REDIS_SENTINELS", None))


def broker_client(*, timeout: float = 1.0):
    """A redis-py client on the broker's database (the current master when Sentinels are configured), or
    None when tasks run in-process. Creating it does not connect; the first command does."""
    import redis
    from redis.sentinel import Sentinel

    if uses_sentinel():
        sentinel = Sentinel(
            settings.REDIS_SENTINELS,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            sentinel_kwargs={"password": settings.REDIS_SENTINEL_PASSWORD} if settings.REDIS_SENTINEL_PASSWORD else {},
        )
        return sentinel.master_for(
            settings.REDIS_SENTINEL_MASTER,
            db=settings.REDIS_SENTINEL_DB,
            password=settings.REDIS_PASSWORD or None,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url or not url.startswith(("redis://", "rediss://", "unix://")):
        return None
    return redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
