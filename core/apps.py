from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    """Shared plumbing; installed so its template tags (``{% load sigap %}``) are found."""

    name = "core"
    verbose_name = _("Core")
