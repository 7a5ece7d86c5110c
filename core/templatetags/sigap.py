"""Template helpers: times in the service unit's own zone, with its WIB/WITA/WIT label."""

from zoneinfo import ZoneInfo

from django import template
from django.utils.formats import date_format

register = template.Library()

ZONE_LABELS = {"Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


@register.filter
def unit_time(value, unit) -> str:
    """``{{ event.created_at|unit_time:ticket.unit }}`` → "25 Nov 2026 18.05 WITA"."""
    if not value:
        return ""
    zone = getattr(unit, "time_zone", None) or "Asia/Jakarta"
    local = value.astimezone(ZoneInfo(zone))
    return f"{date_format(local, 'j M Y H:i')} {ZONE_LABELS.get(zone, '')}".strip()
