from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class Open311Config(AppConfig):
    """GeoReport v2 (Open311) intake: an adapter over tickets, like the operator console."""

    name = "open311"
    verbose_name = _("Open311")
