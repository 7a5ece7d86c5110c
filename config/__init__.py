"""Site package of Sigap 123: settings, root URLs, the Celery application, WSGI/ASGI entry points, the health
check, the staff landing page and the audit-log registration. It sits on top of every app and may import any
of them; no app imports it (except for the Celery application object, reached as ``celery.current_app``)."""

from .celery import app as celery_app

__all__ = ("celery_app",)
