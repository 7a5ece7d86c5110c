"""Run the periodic jobs of CELERY_BEAT_SCHEDULE in this process (for set-ups without Redis).

With ``REDIS_URL`` set, Celery beat does this job; without it tasks run in-process and this
command stands in for beat, so the sweepers still recover left-behind work on a laptop.
"""

import logging
import time
from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand

from config.celery import app

logger = logging.getLogger(__name__)


def _interval_seconds(schedule) -> float:
    if isinstance(schedule, timedelta):
        return schedule.total_seconds()
    if isinstance(schedule, (int, float)):
        return float(schedule)
    run_every = getattr(schedule, "run_every", None)
    if isinstance(run_every, timedelta):
        return run_every.total_seconds()
    return 60.0


class Command(BaseCommand):
    help = "Run the Celery beat schedule in-process (no broker needed)."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="Run every job once and exit.")

    def handle(self, *args, once: bool = False, **options):
        # The apps' tasks modules, as a worker imports them at start: a management command imports none, and a
        # task no other module happened to import was not registered ("periodic job … failed").
        app.loader.import_default_modules()
        entries = {
            name: (entry["task"], _interval_seconds(entry["schedule"]), entry.get("args", ()))
            for name, entry in settings.CELERY_BEAT_SCHEDULE.items()
        }
        next_run = dict.fromkeys(entries, 0.0)
        while True:
            now = time.monotonic()
            for name, (task_name, interval, args) in entries.items():
                if now < next_run[name]:
                    continue
                next_run[name] = now + interval
                try:
                    app.tasks[task_name].apply(args=args)
                except Exception:  # a failing sweep must not stop the others
                    logger.exception("periodic job %s failed", name)
            if once:
                return
            time.sleep(1)
