"""Cache backends that treat an unreachable Redis as a cache miss, never as an error page.

The cache is a copy of what PostgreSQL holds (unit trees, the outage map, reference-table generations) or a
counter that may fail open (throttles). While Redis is down, restarting or failing over to its replica
(Sentinel), a call that raised would turn a staff list or the public map into a 500 on every node at once. Here
a connection error opens the cache circuit (``core.circuit.cache``, ``BREAKER_OPEN_SECONDS``) and the call
answers as a miss: ``get`` gives its default, ``add`` False, ``set`` and ``delete`` nothing; callers read
PostgreSQL. ``incr`` of a missing key still raises ValueError, as Django documents.

Found by drills/scale_out.py: the ticket list answered 500 for the two seconds the Sentinel took to promote the
replica. The settings use ``FailSoftRedisCache`` for REDIS_URL and ``FailSoftDjangoRedisCache`` with Sentinels.
"""

from __future__ import annotations

import functools

from django.core.cache.backends.redis import RedisCache

from core import circuit


def _unreachable_errors() -> tuple[type[BaseException], ...]:
    import redis

    errors: list[type[BaseException]] = [redis.exceptions.ConnectionError, redis.exceptions.TimeoutError,
                                         redis.exceptions.ReadOnlyError, OSError]  # fmt: skip
    try:
        from django_redis.exceptions import ConnectionInterrupted

        errors.append(ConnectionInterrupted)
    except ImportError:  # django-redis is only needed with Sentinels
        pass
    return tuple(errors)


# What each call answers while Redis cannot be reached.
_MISS = {
    "get": lambda *a, default=None, **k: a[1] if len(a) > 1 else default,
    "get_many": lambda *a, **k: {},
    "has_key": lambda *a, **k: False,
    "add": lambda *a, **k: False,
    "set": lambda *a, **k: None,
    "set_many": lambda *a, **k: [],
    "touch": lambda *a, **k: False,
    "delete": lambda *a, **k: False,
    "delete_many": lambda *a, **k: None,
    "get_or_set": lambda key, default, *a, **k: default() if callable(default) else default,
    "clear": lambda *a, **k: None,
}


def _fail_soft(method_name: str, method):
    miss = _MISS[method_name]

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        if circuit.cache.is_open():
            return miss(*args, **kwargs)
        try:
            return method(self, *args, **kwargs)
        except self._unreachable as exc:
            circuit.cache.trip(exc)
            return miss(*args, **kwargs)

    return call


def _make(base: type, name: str) -> type:
    namespace = {name: _fail_soft(name, getattr(base, name)) for name in _MISS}
    namespace["_unreachable"] = property(lambda self: _unreachable_errors())
    namespace["__doc__"] = f"{base.__module__}.{base.__name__}, answering a miss while Redis is unreachable."
    return type(name, (base,), namespace)


FailSoftRedisCache = _make(RedisCache, "FailSoftRedisCache")


def __getattr__(name: str):
    if name == "FailSoftDjangoRedisCache":  # imported only when configured (Sentinels)
        from django_redis.cache import RedisCache as DjangoRedisCache

        cls = _make(DjangoRedisCache, name)
        globals()[name] = cls
        return cls
    raise AttributeError(name)


def hit(key: str, seconds: int, *, cache=None) -> tuple[int, int]:
    """Count one hit on ``key`` in a window that opens with its first hit and lasts ``seconds``; returns the
    count so far in the window and the seconds until it closes.

    On Redis this is one round trip (``INCR`` and ``EXPIRE … NX`` in a pipeline); on another backend (the
    in-memory cache of a one-process setup) an ``add`` and an ``incr``. Errors reaching Redis are raised: a
    caller that may fail open (a throttle) decides.
    """
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy

    if cache is None or isinstance(cache, ConnectionProxy):  # ``django.core.cache.cache``: the backend behind it
        cache = caches[getattr(cache, "_alias", "default")]
    client, made = _redis_client(cache, key)
    if client is None:
        cache.add(key, 0, seconds)
        try:
            return cache.incr(key), seconds
        except ValueError:  # expired between the add and the incr: the window opens again
            cache.set(key, 1, seconds)
            return 1, seconds
    pipe = client.pipeline(transaction=False)
    pipe.incr(made)
    pipe.expire(made, seconds, nx=True)
    pipe.ttl(made)
    count, _set, left = pipe.execute()
    return int(count), int(left) if left and left > 0 else seconds


def _redis_client(cache, key: str):
    """The raw redis-py client and the full key for ``key`` (Django's RedisCache or django-redis), or
    (None, None) for a cache that is not Redis."""
    from django.core.cache import caches
    from django.utils.connection import ConnectionProxy

    if isinstance(cache, ConnectionProxy):
        cache = caches[cache._alias]
    inner = getattr(cache, "_cache", None)
    if isinstance(cache, RedisCache) and inner is not None:
        made = cache.make_and_validate_key(key)
        return inner.get_client(made, write=True), made
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "get_client") and hasattr(client, "make_key"):  # django-redis
        return client.get_client(write=True), client.make_key(key)
    return None, None
