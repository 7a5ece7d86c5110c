from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OutagesConfig(AppConfig):
    name = "outages"
    verbose_name = _("Outage communication")

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects to ticket and incident signals)
