"""Site package of Sigap 123 and the 123 call-centre app."""

from .celery import app as celery_app

__all__ = ("celery_app",)
