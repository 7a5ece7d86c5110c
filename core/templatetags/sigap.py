"""Template helpers: times in the service unit's own zone, with its WIB/WITA/WIT label."""

from zoneinfo import ZoneInfo

from django import template
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy

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


# Who did a step when no staff member did: stored as a machine word, shown in the reader's language.
ACTOR_NAMES = {
    "customer": gettext_lazy("Customer"),
    "system": gettext_lazy("System"),
    "dispatch": gettext_lazy("Dispatch"),
    "api": gettext_lazy("API client"),
    "open311": gettext_lazy("Open311 client"),
}


@register.filter
def actor_name(label: str) -> str:
    """``{{ event.actor_label|actor_name }}``: "customer" → "Pelanggan"; a staff member's name stays as it is."""
    return str(ACTOR_NAMES.get(label, label))
