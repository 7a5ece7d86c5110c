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
