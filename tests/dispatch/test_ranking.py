"""Ranking of routing candidates: distance plus a load penalty, behind the distance interface."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dispatch import selectors
from dispatch.distance import HaversineDistance
from dispatch.models import Incident, Technician
from tests.factories import ServiceUnitFactory, TechnicianFactory

from .conftest import HERE, north_of


def _tech(pk: int, metres: float, active_jobs: int = 0, job_limit: int = 3) -> Technician:
    lat, lng = north_of(HERE, metres)
    return TechnicianFactory.build(pk=pk, last_lat=lat, last_lng=lng, active_jobs=active_jobs, job_limit=job_limit)


def test_the_nearest_technician_ranks_first():
    # given
    far, near, middle = _tech(1, 3000), _tech(2, 400), _tech(3, 1500)
    # when
    ranked = selectors.rank_candidates(
        origin=HERE, technicians=[far, near, middle], provider=HaversineDistance(), load_penalty_m=0
    )
    # then
    assert [c.technician.pk for c in ranked] == [2, 3, 1]
    assert ranked[0].distance_m == pytest.approx(400, abs=2)


def test_a_job_in_hand_counts_as_extra_distance():
    # given: the nearer technician already carries one job
    loaded, free = _tech(1, 500, active_jobs=1), _tech(2, 2000)
    # when
    ranked = selectors.rank_candidates(
        origin=HERE, technicians=[loaded, free], provider=HaversineDistance(), load_penalty_m=3000
    )
    # then
    assert [c.technician.pk for c in ranked] == [2, 1]
    assert ranked[1].score == pytest.approx(3500, abs=2)


def test_another_distance_provider_changes_the_order_without_touching_the_ranking():
    # given: a provider where roads make the straight-line nearest one the farthest
    class RoadDistance:
        def distances_m(self, origin, points):
            return [10_000.0 if abs(lat - HERE[0]) < 0.005 else 1_000.0 for lat, _lng in points]

    near, far = _tech(1, 300), _tech(2, 2000)
    # when
    ranked = selectors.rank_candidates(origin=HERE, technicians=[near, far], provider=RoadDistance(), load_penalty_m=0)
    # then
    assert [c.technician.pk for c in ranked] == [2, 1]


def test_candidates_beyond_the_limit_distance_are_left_out():
    # when
    ranked = selectors.rank_candidates(
        origin=HERE,
        technicians=[_tech(1, 500), _tech(2, 30_000)],
        provider=HaversineDistance(),
        load_penalty_m=0,
        max_distance_m=25_000,
    )
    # then
    assert [c.technician.pk for c in ranked] == [1]


def test_only_on_duty_skilled_technicians_with_room_are_candidates(place_technician, ulp):
    # given
    good = place_technician("good", 100)
    place_technician("off", 50, on_duty=False, state="off")
    place_technician("full", 70, active_jobs=1, job_limit=1, state="busy")
    place_technician("meter-only", 80, skills=["meter"])
    place_technician("shift-over", 90, shift_ends_at=timezone.now() - timedelta(minutes=1))
    incident = Incident.objects.create(unit=ulp, lat=HERE[0], lng=HERE[1], skill="lv")
    # when
    candidates = selectors.candidate_technicians(incident=incident)
    # then
    assert [t.pk for t in candidates] == [good.pk]


def test_technicians_of_another_ulp_count_only_within_the_search_radius(place_technician, ulp, settings):
    # given
    settings.DISPATCH_SEARCH_RADIUS_M = 5_000
    elsewhere = ServiceUnitFactory(code="ULP-NEIGHBOUR")
    own_far = place_technician("own-far", 9_000)
    neighbour_near = place_technician("neighbour-near", 2_000, unit=elsewhere)
    place_technician("neighbour-far", 8_000, unit=elsewhere)
    incident = Incident.objects.create(unit=ulp, lat=HERE[0], lng=HERE[1])
    # when
    ranked = selectors.ranked_candidates_for(incident=incident)
    # then
    assert [c.technician.pk for c in ranked] == [neighbour_near.pk, own_far.pk]


def test_an_old_position_ranks_behind_a_fresh_one_with_a_penalty_growing_with_its_age(place_technician, ulp, settings):
    # given: the locked-phone technician is nearer, but their position is 30 minutes old
    settings.DISPATCH_POSITION_MAX_AGE_SECONDS = 900
    settings.DISPATCH_STALE_PENALTY_M = 2_000
    settings.DISPATCH_STALE_PENALTY_M_PER_MINUTE = 100
    settings.DISPATCH_STALE_PENALTY_MAX_M = 20_000
    stale = place_technician("stale", 100, last_position_at=timezone.now() - timedelta(minutes=30))
    fresh = place_technician("fresh", 1_500)
    incident = Incident.objects.create(unit=ulp, lat=HERE[0], lng=HERE[1], skill="lv")
    # when
    ranked = selectors.ranked_candidates_for(incident=incident)
    # then: 100 m + 2 000 m + 15 minutes × 100 m = 3 600 m, behind the fresh one at 1 500 m
    assert [c.technician.pk for c in ranked] == [fresh.pk, stale.pk]
    assert ranked[1].stale is True and ranked[0].stale is False
    assert ranked[1].score == pytest.approx(3_600, abs=20)


def test_when_every_position_is_old_the_technicians_are_still_ranked_never_dropped(place_technician, ulp):
    # given: fifteen minutes after start every phone has locked its screen; one never sent a position
    long_ago = timezone.now() - timedelta(hours=3)
    near = place_technician("near", 300, last_position_at=long_ago)
    far = place_technician("far", 6_000, last_position_at=long_ago)
    never = place_technician("never", 0, last_lat=None, last_lng=None, last_position_at=None)
    incident = Incident.objects.create(unit=ulp, lat=HERE[0], lng=HERE[1], skill="lv")
    # when
    ranked = selectors.ranked_candidates_for(incident=incident)
    # then: all three, each with the largest penalty: the nearest last-known position first; the one without a
    # position ranked at the ULP's base (about 300 m from the outage)
    order = [c.technician.pk for c in ranked]
    assert sorted(order) == sorted([near.pk, far.pk, never.pk])
    assert order.index(near.pk) < order.index(far.pk) and order.index(never.pk) < order.index(far.pk)
    assert all(c.stale for c in ranked)
    assert ranked[-1].distance_m == pytest.approx(6_000, abs=20)


def test_the_penalty_grows_with_age_up_to_its_maximum(settings):
    # given
    settings.DISPATCH_POSITION_MAX_AGE_SECONDS = 900
    settings.DISPATCH_STALE_PENALTY_M = 2_000
    settings.DISPATCH_STALE_PENALTY_M_PER_MINUTE = 100
    settings.DISPATCH_STALE_PENALTY_MAX_M = 20_000
    now = timezone.now()
    # when
    fresh = selectors.staleness_penalty_m(now - timedelta(minutes=10), now)
    older = selectors.staleness_penalty_m(now - timedelta(minutes=25), now)
    oldest = selectors.staleness_penalty_m(now - timedelta(hours=10), now)
    # then
    assert fresh == 0
    assert older == pytest.approx(3_000)
    assert oldest == 20_000 == selectors.staleness_penalty_m(None, now)
