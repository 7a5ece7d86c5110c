from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    name = "hotline"
    verbose_name = _("123 call centre")

    def ready(self):
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        from .audit import register_audited_models, set_actor_from_request

        register_audited_models()
        pre_save.connect(set_actor_from_request, sender=LogEntry, dispatch_uid="sigap-audit-actor")
