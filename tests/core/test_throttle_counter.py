"""The throttles' counter (``core.cache.hit``): one count per client and scope in a window opened by its first
request, on Redis in one round trip."""

import pytest
from django.core.cache import cache
from rest_framework.throttling import SimpleRateThrottle

from core import cache as counters

ON_REDIS = counters._redis_client(cache, "probe")[0] is not None


def test_hits_count_up_within_the_window():
    assert [counters.hit("t:count", 60)[0] for _ in range(3)] == [1, 2, 3]
    assert counters.hit("t:other", 60)[0] == 1  # another client's counter


@pytest.mark.skipif(not ON_REDIS, reason="the window's end is Redis's expiry")
def test_the_window_is_opened_by_the_first_hit_and_not_moved_by_later_ones():
    _count, left = counters.hit("t:window", 60)
    assert 0 < left <= 60
    count, left = counters.hit("t:window", 3600)  # a later hit does not push the window's end out
    assert count == 2 and 0 < left <= 60


@pytest.mark.skipif(not ON_REDIS, reason="counts one round trip to Redis")
def test_a_hit_is_one_round_trip_to_redis(monkeypatch):
    from redis.client import Pipeline, Redis

    calls = []
    original_execute, original_command = Pipeline.execute, Redis.execute_command
    monkeypatch.setattr(
        Pipeline, "execute", lambda self, *a, **k: calls.append("pipeline") or original_execute(self, *a, **k)
    )
    monkeypatch.setattr(
        Redis, "execute_command", lambda self, *a, **k: calls.append(a[0]) or original_command(self, *a, **k)
    )
    counters.hit("t:trips", 60)
    assert calls == ["pipeline"]


@pytest.mark.django_db
def test_a_throttled_client_is_told_when_to_come_back(api_client, ulp, monkeypatch):
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "5/minute", "public_tracking": "1/minute"}
    )
    first = api_client.get("/api/v1/track/no-such-token-0000000000000/")
    second = api_client.get("/api/v1/track/no-such-token-0000000000000/")
    assert (first.status_code, second.status_code) == (404, 429)
    assert 0 < int(second["Retry-After"]) <= 60
