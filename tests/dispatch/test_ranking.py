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


def test_only_on_duty_skilled_fresh_technicians_with_room_are_candidates(place_technician, ulp):
    # given
    good = place_technician("good", 100)
    place_technician("off", 50, on_duty=False, state="off")
    place_technician("stale", 60, last_position_at=timezone.now() - timedelta(hours=2))
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
