from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from . import sla_receivers, sla_tasks  # noqa: F401  (signal receivers and the beat task)
