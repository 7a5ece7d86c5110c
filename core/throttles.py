"""Throttles for the public (no-login) endpoints. Rates live in REST_FRAMEWORK settings.

The counters live in the cache; when the cache (Redis) is unreachable the throttles fail open so
that intake keeps working while Redis is down.
"""

from rest_framework.throttling import AnonRateThrottle


class _FailOpenThrottle(AnonRateThrottle):
    def allow_request(self, request, view):
        from core import circuit

        if circuit.cache.is_open():
            return True
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # cache down: never block intake because of a counter
            circuit.cache.trip(exc)
            return True


class PublicIntakeThrottle(_FailOpenThrottle):
    scope = "public_intake"

    def allow_request(self, request, view):
        if request.method != "POST" or (request.user and request.user.is_authenticated):
            return True
        return super().allow_request(request, view)


class PublicTrackingThrottle(_FailOpenThrottle):
    scope = "public_tracking"
