"""Periodic service-level sweep (Celery beat each minute; ``manage.py run_sweepers`` without Redis)."""

from celery import shared_task


@shared_task(name="tickets.check_service_levels")
def check_service_levels() -> dict[str, int]:
    """Warn, record breaches and escalate; idempotent (each escalation level once per ticket)."""
    from . import services as sla_services

    return sla_services.check_service_levels()
