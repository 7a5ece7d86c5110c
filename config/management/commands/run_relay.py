"""The outbox relay: publish the work of what requests committed (notifications to send, outage tickets to
route) in batches, a few times a second, so that no request waits on the broker.

    manage.py run_relay [--once] [--interval 0.2]

A round reads the pending rows nobody has published yet (an index of a handful of rows), marks them and
publishes one task per chunk (``notifications.services.relay_outbox``, ``dispatch.relay.relay_waiting_tickets``);
a full round is followed by another at once, an empty one by a pause of ``RELAY_INTERVAL_SECONDS``. Several
relays may run (one per node): they skip each other's rows. While Redis is down the rows wait in PostgreSQL and
the relay publishes them when it is back; without a broker (``./sigap run`` on a laptop) it runs the tasks in
its own process. Idle unless ``OUTBOX_RELAY`` is on (requests then publish nothing themselves).
"""

import logging
import signal
import time

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import close_old_connections

from config.celery import app

logger = logging.getLogger("relay")


def relay_round() -> int:
    """One round of both halves; returns how many rows were published."""
    from dispatch.relay import relay_waiting_tickets
    from notifications.services import relay_outbox

    done = 0
    for half in (relay_waiting_tickets, relay_outbox):
        try:
            done += half()
        except Exception:  # the database away for a moment: the next round tries again
            logger.warning("relay round of %s failed", half.__module__, exc_info=True)
            close_old_connections()
    return done


class Command(BaseCommand):
    help = "Publish the work of new outbox rows and tickets to route in batches (the outbox relay)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run one round and exit.")
        parser.add_argument("--interval", type=float, default=None, help="Seconds between empty rounds.")

    def handle(self, *args, once: bool = False, interval: float | None = None, **options):
        app.loader.import_default_modules()  # the tasks it publishes (or runs, without a broker)
        pause = settings.RELAY_INTERVAL_SECONDS if interval is None else interval
        stopping = []
        signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
        if not settings.OUTBOX_RELAY:
            # Requests publish their own work: publishing their rows again would only add duplicate tasks.
            logger.warning("OUTBOX_RELAY is off: the relay stays idle (requests publish after their commit)")
            while not stopping and not once:
                time.sleep(1)
            return
        while not stopping:
            done = relay_round()
            if once:
                return
            if done < settings.RELAY_BATCH:
                time.sleep(pause)
