from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SiteConfig(AppConfig):
    """The site package as an app: it registers the audit log over every app's models once all are loaded."""

    name = "config"
    label = "site"
    verbose_name = _("Sigap 123")

    def ready(self):
        from auditlog.models import LogEntry
        from django.db.models.signals import pre_save

        import notifications.checks  # noqa: F401  (registers the deploy check on logging-only adapters)

        from .audit import register_audited_models, set_actor_from_request

        register_audited_models()
        pre_save.connect(set_actor_from_request, sender=LogEntry, dispatch_uid="sigap-audit-actor")
