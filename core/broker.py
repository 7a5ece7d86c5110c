"""kombu's Redis transport, with a closed connection reported as a connection error.

When a broker connection is lost, kombu closes its channels; a channel that needs a new Redis client at that
moment (to give back unacknowledged messages, or to delete a temporary queue) reads the host from a connection
already cleared, and raises ``AttributeError: 'NoneType' object has no attribute 'hostname'``. Celery treats
that as a bug and stops the worker for good, where a connection error would make it reconnect — which is
what happened in drills/redis_outage.py once. This transport raises ``ConnectionError`` instead (an OSError,
among the transport's connection errors): the worker reconnects, and whatever it held is redelivered.

config/celery.py registers it for ``redis://`` URLs, and the Sentinel variant (the same fix on kombu's
``SentinelChannel``) for ``sentinel://`` URLs.
"""

from kombu.transport import redis


class _ClosedIsConnectionError:
    def _connparams(self, asynchronous=False):
        transport = getattr(self, "connection", None)
        if transport is None or getattr(transport, "client", None) is None:
            raise ConnectionError("the broker connection is already closed")
        return super()._connparams(asynchronous=asynchronous)


class Channel(_ClosedIsConnectionError, redis.Channel):
    pass


class Transport(redis.Transport):
    Channel = Channel


class SentinelChannel(_ClosedIsConnectionError, redis.SentinelChannel):
    pass


class SentinelTransport(redis.SentinelTransport):
    Channel = SentinelChannel
