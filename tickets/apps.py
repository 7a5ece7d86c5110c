from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TicketsConfig(AppConfig):
    name = "tickets"
    verbose_name = _("Tickets")

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from . import feedback, reference, selectors  # noqa: F401  (feedback: the ticket_opened receiver)
        from .models import Category, PublicHoliday, ServiceLevelTarget, ServiceUnit
        from .sla import receivers, tasks  # noqa: F401  (signal receivers and the beat task)

        def forget_unit_tree(**kwargs):
            selectors.forget_unit_tree()

        post_save.connect(forget_unit_tree, sender=ServiceUnit, dispatch_uid="tickets-unit-tree")
        post_delete.connect(forget_unit_tree, sender=ServiceUnit, dispatch_uid="tickets-unit-tree-delete")
        # The process's copy of the reference tables intake reads (tickets/reference.py) follows every change.
        for model in (Category, ServiceUnit, ServiceLevelTarget, PublicHoliday):
            post_save.connect(reference.forget, sender=model, dispatch_uid=f"tickets-reference-{model.__name__}")
            post_delete.connect(
                reference.forget, sender=model, dispatch_uid=f"tickets-reference-{model.__name__}-delete"
            )
