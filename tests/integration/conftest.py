"""Real-service fixtures: a live Celery worker on Redis, using the PostgreSQL test database.

Tests that use ``celery_worker`` must also use ``transactional_db`` so that what they write is
committed and visible to the worker process.
"""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _test_database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """Start ``celery -A config worker`` against the test database; stop it afterwards.

    Yields a function that returns the worker's log so far (for failure messages).
    """
    from config.celery import app

    app.control.purge()
    log = tmp_path / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": _test_database_url(),
        "SIGAP_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@%h"
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-l",
                "info",
                "-c",
                "2",
                "-P",
                "prefork",
                "-n",
                hostname,
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 30
        while "ready." not in log.read_text():
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"Celery worker did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield lambda: log.read_text()
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(predicate, *, timeout: float = 20.0, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value or the timeout passes; return the value."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


def tasks_succeeded(log, task: str) -> int:
    """How many runs of the task named ``task`` (e.g. "dispatch.route_ticket") the worker's log says succeeded;
    ``log`` is the ``celery_worker`` fixture's value."""
    return sum(1 for line in log().splitlines() if f"Task {task}[" in line and " succeeded in " in line)


def run_at_once(functions) -> list:
    """Run each function in its own thread, all released together by a barrier; return the exceptions raised.

    Each thread closes its own database connection, so the functions race on PostgreSQL for real.
    """
    barrier = threading.Barrier(len(functions))
    errors = []

    def wrap(function):
        try:
            barrier.wait()
            function()
        except Exception as exc:  # collected and asserted on by the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=wrap, args=(f,)) for f in functions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
