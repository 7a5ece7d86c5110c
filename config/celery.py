"""The Celery application. Settings come from Django's, under the ``CELERY_`` namespace."""

import functools
import logging
import os

from celery import Celery, signals
from celery.beat import PersistentScheduler
from celery.worker.consumer import Consumer
from kombu.transport import TRANSPORT_ALIASES

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
# redis:// brokers use kombu's Redis transport with one fix (core/broker.py says which).
TRANSPORT_ALIASES["redis"] = "core.broker:Transport"
TRANSPORT_ALIASES["sentinel"] = "core.broker:SentinelTransport"  # REDIS_SENTINELS (docs/deploy.md)

app = Celery("sigap")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["reports"])  # the report export task lives below the site package


@signals.task_prerun.connect
@signals.task_postrun.connect
def keep_database_connection(sender=None, **kwargs) -> None:
    """Around each task, Django's own rule for requests: close the connection only if it is broken or older
    than CONN_MAX_AGE (DB_CONN_MAX_AGE).

    Celery's Django fix-up otherwise closes it before and after every task (settings set CELERY_DB_REUSE_MAX to
    turn that off), so each task paid for a new PostgreSQL connection and server process: a tenth of a storm's
    worker time in connecting alone (bench/RESULTS.md). Health checks (``conn_health_checks``) catch a
    connection PostgreSQL dropped before the task uses it. Tasks run in-process (no broker) are left alone:
    they run inside the caller's request or transaction.
    """
    request = getattr(sender, "request", None)
    if request is None or getattr(request, "is_eager", False):
        return
    from django.db import close_old_connections

    close_old_connections()


class QuickReconnectConsumer(Consumer):
    """Reconnect to the broker every 1–3 s after it is lost.

    kombu backs off by 2 s more on each attempt up to 30 s, so after a one-minute Redis outage a worker
    could sit idle for another 15 s; the failure drill (drills/redis_outage.py) measured it.
    """

    def ensure_connected(self, conn):
        conn.ensure_connection = functools.partial(
            conn.ensure_connection, interval_start=1, interval_step=1, interval_max=3
        )
        return super().ensure_connected(conn)

    def on_connection_error_after_connected(self, exc):
        # kombu may fail to close a Redis channel whose connection is already gone (AttributeError on the
        # missing connection info while restoring unacked messages); Celery then stops the worker for good.
        # The connection is dropped either way: carry on reconnecting. Seen in drills/redis_outage.py.
        try:
            return super().on_connection_error_after_connected(exc)
        except AttributeError:
            logging.getLogger("celery.worker").warning("broker connection closed uncleanly", exc_info=True)


class QuickReconnectScheduler(PersistentScheduler):
    """Beat, reconnecting every 1–3 s: the sweepers it schedules are how work held in PostgreSQL gets back
    to the broker after an outage, so they must not wait out kombu's 30 s back-off."""

    def _ensure_connected(self):
        def _error_handler(exc, interval):
            logging.getLogger("celery.beat").error("beat: broker unreachable (%s); again in %s s", exc, interval)

        return self.connection.ensure_connection(
            _error_handler,
            self.app.conf.broker_connection_max_retries,
            interval_start=1,
            interval_step=1,
            interval_max=3,
        )
