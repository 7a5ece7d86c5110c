"""Celery tasks of the notification outbox: send one row, and sweep rows left pending."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

from .channels import TransientSendError

logger = logging.getLogger(__name__)


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
    """Publish again the rows whose send is overdue — unless the worker is behind.

    A send queue longer than NOTIFY_SWEEP_MAX_BACKLOG means the pending rows are waiting their turn, not lost:
    publishing them again adds a duplicate task for each (found sent or claimed when it runs) to the queue that
    is already behind, every grace period (in a storm benchmark run whose queue fell minutes behind, the rows
    claimed rose from 27,600 to 45,600 for the same 20,000 reports).
    A message really lost while the queue is long is published once the queue is short again.
    """
    from hotline import circuit

    from . import services

    waiting = circuit.queue_length(settings.CELERY_TASK_DEFAULT_QUEUE)
    if waiting is not None and waiting > settings.NOTIFY_SWEEP_MAX_BACKLOG:
        logger.info("notification sweep skipped: %s tasks waiting in the queue", waiting)
        return 0
    return len(services.sweep_notifications())
