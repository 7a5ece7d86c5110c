"""Celery tasks of the notification outbox: send one row, and sweep rows left pending."""

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .channels import TransientSendError


@shared_task(
    name="tickets.send_notification",
    autoretry_for=(TransientSendError, OperationalError),
    retry_backoff=settings.NOTIFY_RETRY_BACKOFF,
    # Must stay below the broker's visibility_timeout (300 s), or Redis redelivers a waiting retry.
    retry_backoff_max=settings.NOTIFY_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.NOTIFY_MAX_ATTEMPTS + 2,
)
def send_notification(notification_id: int) -> str:
    from . import services

    return services.deliver_notification(notification_id=notification_id)


@shared_task(
    name="tickets.send_notifications",
    autoretry_for=(OperationalError,),
    retry_backoff=settings.NOTIFY_RETRY_BACKOFF,
    retry_backoff_max=settings.NOTIFY_RETRY_BACKOFF_MAX,
    retry_jitter=True,
    max_retries=settings.NOTIFY_MAX_ATTEMPTS + 2,
)
def send_notifications(notification_ids: list[int]) -> int:
    """A chunk of swept rows, sent one after the other (each claimed and sent at most once)."""
    from . import services

    return services.deliver_batch(notification_ids=notification_ids)


@shared_task(name="tickets.sweep_notifications")
def sweep_notifications() -> int:
    from . import services

    return len(services.sweep_notifications())
