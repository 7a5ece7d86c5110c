"""The failure drills (drills/), each run as its own process on its own PostgreSQL, Redis, gunicorn and
Celery; marked ``drill`` and deselected by default (they take about a minute each). ``.ci/run`` runs them:
``./sigap test -m drill``."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.drill


def run_drill(module: str, *args: str) -> str:
    if not shutil.which("redis-server"):
        pytest.fail("the drills need redis-server (apt-get install redis-server)")
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "SIGAP_TESTING"}}
    result = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=420,
    )
    figures = result.stdout[result.stdout.rfind("==== ") :] if "==== " in result.stdout else result.stdout[-4000:]
    print(figures)
    assert result.returncode == 0, f"{module} failed:\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}"
    assert "DRILL PASSED" in result.stdout
    return figures


def test_redis_down_for_a_minute_during_intake_loses_nothing():
    figures = run_drill("drills.redis_outage")
    assert "lost (accepted, not stored)" in figures


def test_a_worker_killed_mid_sending_sends_each_notification_once():
    figures = run_drill("drills.worker_kill")
    assert "SMS delivered (distinct at gateway)" in figures


def test_several_nodes_lose_a_web_node_a_worker_the_redis_master_and_the_replica_without_loss():
    if not shutil.which("nginx"):
        pytest.fail("the scale-out drill needs Debian's nginx (apt-get install nginx; .ci/run installs it)")
    figures = run_drill("drills.scale_out")
    assert "lost (accepted, not stored)" in figures and "duplicated (two tickets for one report)" in figures


def test_postgres_down_under_load_answers_503_and_recovers_by_itself():
    figures = run_drill("drills.postgres_restart")
    assert "503 without Retry-After" in figures
