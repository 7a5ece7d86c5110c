"""Celery tasks of the tickets app (found by ``autodiscover_tasks``)."""

from notifications.tasks import send_notification, send_notifications, sweep_notifications

__all__ = ["send_notification", "send_notifications", "sweep_notifications"]
