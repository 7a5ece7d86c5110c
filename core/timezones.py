"""Staff pages show times in the zone of the staff member's own unit (WIB, WITA or WIT), not the server's."""

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils import timezone

SESSION_KEY = "sigap_unit_time_zone"
API_PREFIX = "/api/"


class UnitTimeZoneMiddleware:
    """Activate the unit's zone for a logged-in staff member; it is looked up once and kept in the session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        zone = self._zone_for(request)
        if zone:
            with timezone.override(zone):
                return self.get_response(request)
        return self.get_response(request)

    @staticmethod
    def _zone_for(request) -> ZoneInfo | None:
        if request.path.startswith(API_PREFIX):
            return None  # API answers carry ISO times with their offset; the zone is the client's business
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is None or user is None or not user.is_authenticated:
            return None
        name = session.get(SESSION_KEY)
        if name is None:
            profile = getattr(user, "staff_profile", None)
            unit = getattr(profile, "unit", None)
            name = getattr(unit, "time_zone", "") or ""
            session[SESSION_KEY] = name
        try:
            return ZoneInfo(name) if name else None
        except ZoneInfoNotFoundError:
            return None
