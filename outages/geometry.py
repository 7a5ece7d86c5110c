"""GeoJSON areas of planned outages: validation, point-in-polygon (shapely), centre and radius."""

from django.utils.translation import gettext as _
from shapely.geometry import Point, shape
from shapely.validation import explain_validity

from core.errors import InvalidInput
from core.geo import haversine_km

ACCEPTED_TYPES = ("Polygon", "MultiPolygon")


def parse_area(value):
    """A shapely geometry from a GeoJSON Polygon / MultiPolygon (or a Feature holding one); raises ValidationError."""
    if isinstance(value, dict) and value.get("type") == "Feature":
        value = value.get("geometry")
    if not isinstance(value, dict) or value.get("type") not in ACCEPTED_TYPES:
        raise InvalidInput({"area": _("Draw the area as a GeoJSON Polygon or MultiPolygon.")})
    try:
        geometry = shape(value)
    except (ValueError, TypeError, KeyError, IndexError, AttributeError) as exc:
        raise InvalidInput({"area": _("The area is not valid GeoJSON.")}) from exc
    if geometry.is_empty or not geometry.is_valid:
        reason = "" if geometry.is_empty else explain_validity(geometry)
        raise InvalidInput(
            {
                "area": [_("The area is not a valid polygon."), reason]
                if reason
                else [_("The area is not a valid polygon.")]
            }
        )
    minx, miny, maxx, maxy = geometry.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise InvalidInput({"area": _("Coordinates are longitude, latitude in degrees (GeoJSON order).")})
    return geometry


def contains(area: dict | None, *, lat: float, lng: float) -> bool:
    """Whether the point (WGS84) lies inside or on the edge of the GeoJSON area."""
    if not area:
        return False
    try:
        return shape(area).intersects(Point(lng, lat))
    except (ValueError, TypeError, KeyError, AttributeError):
        return False


def centre_and_radius(points: list[tuple[float, float]]) -> tuple[float | None, float | None, int]:
    """(lat, lng, radius in metres) around a list of (lat, lng) points; radius reaches the farthest plus 100 m."""
    if not points:
        return None, None, 0
    lat = sum(p[0] for p in points) / len(points)
    lng = sum(p[1] for p in points) / len(points)
    far_km = max(haversine_km(lat, lng, p[0], p[1]) for p in points)
    return round(lat, 6), round(lng, 6), int(far_km * 1000) + 100


def area_centre_and_radius(geometry) -> tuple[float, float, int]:
    centroid = geometry.centroid
    minx, miny, maxx, maxy = geometry.bounds
    corners = [(miny, minx), (miny, maxx), (maxy, minx), (maxy, maxx)]
    far_km = max(haversine_km(centroid.y, centroid.x, la, ln) for la, ln in corners)
    return round(centroid.y, 6), round(centroid.x, 6), int(far_km * 1000)
