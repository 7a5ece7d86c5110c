"""Health endpoint: reports whether the database and the broker answer."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse


def _database_up() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return True
    except Exception:  # any failure means "down" for a health probe
        return False


def _broker_state() -> str:
    if not settings.CELERY_BROKER_URL:
        return "in-process"
    from core.redis_client import broker_client

    try:
        client = broker_client(timeout=1)  # through the Sentinels when they are configured
        client.ping()
        return "up"
    except Exception:  # the probe reports; it never raises
        return "down"


def healthz(request):
    database = "up" if _database_up() else "down"
    broker = _broker_state()
    healthy = database == "up" and broker != "down"
    return JsonResponse(
        {"status": "ok" if healthy else "degraded", "db": database, "broker": broker},
        status=200 if healthy else 503,
    )
