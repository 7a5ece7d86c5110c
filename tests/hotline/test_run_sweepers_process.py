"""``./sigap run`` without Redis starts ``manage.py run_sweepers`` in its own process: every job must run there."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_periodic_job_runs_in_a_fresh_run_sweepers_process(tmp_path):
    # given: a migrated SQLite database and no broker, as `./sigap run` on a laptop
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(SQLITE_PATH=str(tmp_path / "db.sqlite3"), DJANGO_SETTINGS_MODULE="config.settings")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    # when
    done = subprocess.run(
        [*manage, "run_sweepers", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    # then
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "failed" not in output and "NotRegistered" not in output, output
