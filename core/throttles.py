"""Throttles for the public (no-login) endpoints. Rates live in REST_FRAMEWORK settings.

The counters live in the cache; when the cache (Redis) is unreachable the throttles fail open so
that intake keeps working while Redis is down.

Each client and scope has one counter in a window that opens with its first request and lasts the rate's
period (``core.cache.hit``: one Redis round trip), instead of DRF's list of request times (a read and a
write of a pickled list per request). A client gets the rate's number of requests per window; the window
does not slide, so a client that waits for it to close starts again from zero.
"""

from rest_framework.throttling import AnonRateThrottle


class _FailOpenThrottle(AnonRateThrottle):
    _left: int | None = None

    def allow_request(self, request, view):
        from core import cache, circuit

        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None or circuit.cache.is_open():
            return True
        try:
            count, self._left = cache.hit(self.key, self.duration, cache=self.cache)
        except Exception as exc:  # cache down: never block intake because of a counter
            circuit.cache.trip(exc)
            return True
        return count <= self.num_requests

    def wait(self):
        """Seconds until the client's window closes (the Retry-After header)."""
        return self._left


class PublicIntakeThrottle(_FailOpenThrottle):
    scope = "public_intake"

    def allow_request(self, request, view):
        if request.method != "POST" or (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)


class PublicTrackingThrottle(_FailOpenThrottle):
    scope = "public_tracking"
