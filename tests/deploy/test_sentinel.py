"""Redis Sentinel (REDIS_SENTINELS, REDIS_SENTINEL_MASTER): broker, cache, health check and the beat lock
follow a failover to the replica without a restart. Real Redis servers and a real Sentinel on free ports
(the drill harness starts them); the settings are loaded in a separate process, as on a node."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from drills.harness import ROOT, Stack

pytestmark = pytest.mark.integration

PROBE = """
import json, uuid
from django.conf import settings
from django.core.cache import cache, caches
from config.celery import app
from config.health import _broker_state
from core.redis_client import broker_client
value = uuid.uuid4().hex
cache.set("sentinel-probe", value, 60)
with app.connection_for_write() as conn:
    conn.ensure_connection(max_retries=3)
    with conn.SimpleQueue("sentinel-probe") as queue:
        queue.put({"value": value})
        message = queue.get(timeout=5)
        message.ack()
print(json.dumps({"cache": cache.get("sentinel-probe") == value, "queue": message.payload["value"] == value,
                  "health": _broker_state(), "transport": type(conn.transport).__name__,
                  "cache_backend": type(caches["default"]).__name__,
                  "port": broker_client().connection_pool.get_master_address()[1]}))
"""


def probe(stack: Stack) -> dict:
    env = {k: v for k, v in stack.env.items() if k not in {"DATABASE_URL", "REDIS_URL"}}
    env["SIGAP_TESTING"] = "1"
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def sentinel_stack():
    if not shutil.which("redis-server"):
        # CI has redis-server (the drills need it too): there a missing one is a failure, elsewhere a skip.
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed")
        pytest.skip("needs redis-server (apt-get install redis-server)")
    stack = Stack("sentinel-test")
    try:
        stack.start_redis_ha()
        yield stack
    finally:
        stack.stop()


def test_broker_and_cache_follow_the_sentinel_through_a_failover(sentinel_stack):
    before = probe(sentinel_stack)
    assert before == {"cache": True, "queue": True, "health": "up", "transport": "SentinelTransport",
                      "cache_backend": "FailSoftDjangoRedisCache", "port": sentinel_stack.redis_port}  # fmt: skip
    # when the master dies and the Sentinel promotes the replica
    sentinel_stack.fail_redis_over()
    after = probe(sentinel_stack)
    # then the same settings reach the new master
    assert after["port"] != sentinel_stack.redis_port
    assert after["cache"] and after["queue"] and after["health"] == "up"


def test_a_malformed_sentinel_list_fails_loudly():
    from tests.hotline.test_settings import run_manage

    result = run_manage("check", REDIS_SENTINELS="10.0.0.1:26379,nonsense")
    assert result.returncode != 0
    assert "REDIS_SENTINELS entries are host:port" in result.stderr
