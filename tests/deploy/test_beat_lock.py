"""Beat runs once however many are started (config/beat_lock.py): the lock against the real Redis, and two
real ``celery beat`` processes of which only one sends."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def redis_client():
    from core.redis_client import broker_client

    client = broker_client()
    key = f"sigap:test-beat-lock:{os.getpid()}:{time.monotonic_ns()}"
    yield client, key
    client.delete(key)


def test_one_lock_holder_at_a_time_and_a_standby_takes_over_when_it_stops_or_dies(redis_client):
    from config.beat_lock import BeatLock

    client, key = redis_client
    first = BeatLock(client, ttl_seconds=30, key=key, token="first")
    second = BeatLock(client, ttl_seconds=30, key=key, token="second")
    assert first.hold() is True
    assert second.hold() is False
    assert first.hold() is True  # renewing
    assert second.release() is False and first.holder() == "first"  # not the holder: nothing released
    # the holder stops: released, the standby takes it
    assert first.release() is True
    assert second.hold() is True and first.hold() is False
    # the holder dies: its lock expires (made to expire now), the other takes it
    client.pexpire(key, 1)
    assert wait_for(lambda: client.get(key) is None, timeout=5)
    assert first.hold() is True and second.hold() is False


def test_a_lock_nobody_can_ask_for_means_do_not_send():
    import redis

    from config.beat_lock import BeatLock

    unreachable = redis.Redis(port=1, socket_connect_timeout=0.2)
    assert BeatLock(unreachable, ttl_seconds=5).hold() is None


def _start_beat(tmp_path: Path, name: str) -> tuple[subprocess.Popen, Path]:
    log = tmp_path / f"{name}.log"
    env = {
        **os.environ,
        "SIGAP_TESTING": "1",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "NOTIFY_SWEEP_INTERVAL_SECONDS": "0.5",
        "BEAT_LOCK_TTL_SECONDS": "3",
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "beat", "-l", "info",
             "--schedule", str(tmp_path / f"{name}-schedule")],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip
    return process, log


def _sends(log: Path) -> int:
    return log.read_text().count("Sending due task sweep-notifications")


def test_two_beat_processes_send_the_periodic_tasks_once(tmp_path):
    from config.beat_lock import LOCK_KEY
    from config.celery import app
    from core.redis_client import broker_client

    broker_client().delete(LOCK_KEY)
    first, first_log = _start_beat(tmp_path, "beat-1")
    assert wait_for(lambda: "beat lock: held by this beat" in first_log.read_text(), timeout=30), first_log.read_text()
    second, second_log = _start_beat(tmp_path, "beat-2")
    try:
        # given: both running, the first holding the lock
        assert wait_for(lambda: "standing by" in second_log.read_text(), timeout=30), second_log.read_text()
        standby_seen_at = _sends(first_log)
        # then: the first sends round after round, the second nothing
        assert wait_for(lambda: _sends(first_log) >= standby_seen_at + 4, timeout=30), first_log.read_text()
        assert _sends(second_log) == 0
        # when the first stops, the second takes over
        first.terminate()
        first.wait(timeout=20)
        assert "beat lock: released" in first_log.read_text()
        assert wait_for(lambda: _sends(second_log) >= 2, timeout=30), second_log.read_text()
    finally:
        for process in (first, second):
            if process.poll() is None:
                process.terminate()
                process.wait(timeout=20)
        app.control.purge()
