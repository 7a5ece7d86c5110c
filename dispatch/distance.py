"""How far a technician is from an incident, behind a small interface.

Routing asks a ``DistanceProvider`` for the distance from one origin to many points at once, so a road
travel-time service (OSRM, a maps API) can replace the straight line later by naming its class in
``DISPATCH_DISTANCE_PROVIDER``; the ranking does not change.
"""

from collections.abc import Sequence
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string

from core.geo import haversine_km

Point = tuple[float, float]


class DistanceProvider(Protocol):
    def distances_m(self, origin: Point, points: Sequence[Point]) -> list[float]:
        """Distance (or its travel-time equivalent) in metres from ``origin`` to each point, in order."""
        ...


class HaversineDistance:
    """Great-circle distance: no network, no cost, a lower bound of the road distance."""

    def distances_m(self, origin: Point, points: Sequence[Point]) -> list[float]:
        lat, lng = origin
        return [haversine_km(lat, lng, p_lat, p_lng) * 1000.0 for p_lat, p_lng in points]


@lru_cache(maxsize=4)
def _provider_class(path: str):
    return import_string(path)


def distance_provider() -> DistanceProvider:
    return _provider_class(settings.DISPATCH_DISTANCE_PROVIDER)()


def distance_m(a: Point, b: Point) -> float:
    return haversine_km(a[0], a[1], b[0], b[1]) * 1000.0
