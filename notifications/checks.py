"""System check for deploys: SMS and WhatsApp must reach a gateway in production, not only the log."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

LOGGING_ADAPTERS = {"console"}
CHECK_IDS = {"sms": "sigap.W001", "whatsapp": "sigap.W002", "email": "sigap.W003"}


@register(Tags.compatibility, deploy=True)
def logging_adapters_in_production(app_configs=None, **kwargs):
    if settings.DEBUG:
        return []
    return [
        Warning(
            f"{channel.upper()} messages are only written to the log (adapter {name!r}): customers receive nothing.",
            hint=f"Set NOTIFY_{channel.upper()}_ADAPTER to a gateway adapter (e.g. 'http') and its gateway settings.",
            id=CHECK_IDS.get(channel, "sigap.W009"),
        )
        for channel, name in sorted(settings.NOTIFY_ADAPTERS.items())
        if name in LOGGING_ADAPTERS
    ]
