"""Per-key throttling for Open311: each client key has its own rate; callers without a key share one.

Counters live in the cache. When the cache (Redis) is unreachable the throttle fails open, like the
public intake throttles, so reports keep coming in while Redis is down.
"""

import logging

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

logger = logging.getLogger(__name__)


class Open311KeyThrottle(SimpleRateThrottle):
    cache_format = "open311_throttle_%(scope)s_%(ident)s"

    def __init__(self):
        # The rate depends on the request's key, so it is chosen in allow_request, not here.
        self.rate = None

    def get_cache_key(self, request, view):
        client = getattr(request, "open311_client", None)
        if client is not None:
            return self.cache_format % {"scope": "key", "ident": client.pk}
        return self.cache_format % {"scope": "anon", "ident": self.get_ident(request)}

    def allow_request(self, request, view):
        client = getattr(request, "open311_client", None)
        self.rate = client.throttle_rate if client is not None else settings.OPEN311_ANONYMOUS_RATE
        if not self.rate:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # cache down: never block intake because of a counter
            logger.warning("open311 throttle cache unavailable, allowing request: %s", exc)
            return True
