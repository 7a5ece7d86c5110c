"""SAIFI, SAIDI and CAIDI per IEEE 1366 on a small example computed by hand."""

from datetime import UTC, datetime, timedelta

import pytest

from reports.indices import InterruptionRecord, merge_per_customer, reliability_indices

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def record(unit_id: int, minutes: float, customers: int, start: datetime = T0) -> InterruptionRecord:
    return InterruptionRecord(unit_id, start, start + timedelta(minutes=minutes), customers)


def test_indices_of_a_hand_computed_example():
    # given a unit of 100 customers: 10 out for 60 min, 5 out for 30 min, 20 out for 3 min (momentary)
    records = [record(1, 60, 10), record(1, 30, 5), record(1, 3, 20)]
    # when
    indices = reliability_indices(records, customers_served={1: 100})[1]
    # then SAIFI = 15 / 100; SAIDI = (10·60 + 5·30) / 100 = 7.5 min; CAIDI = 750 / 15 = 50 min
    assert indices.customers_interrupted == 15
    assert indices.saifi == pytest.approx(0.15)
    assert indices.saidi == pytest.approx(7.5)
    assert indices.caidi == pytest.approx(50.0)
    assert indices.caidi == pytest.approx(indices.saidi / indices.saifi)


def test_exactly_five_minutes_is_momentary_and_not_counted():
    indices = reliability_indices([record(1, 5, 10), record(1, 5.1, 1)], customers_served={1: 10})[1]
    assert indices.customers_interrupted == 1


def test_indices_are_kept_apart_per_unit_and_month():
    records = [record(1, 60, 2), record(2, 10, 4), record(1, 20, 1, start=T0 + timedelta(days=31))]
    result = reliability_indices(
        records, customers_served={1: 10, 2: 40}, key=lambda r: (r.unit_id, r.started_at.strftime("%Y-%m"))
    )
    assert result[(1, "2026-11")].saidi == pytest.approx(12.0)
    assert result[(2, "2026-11")].saifi == pytest.approx(0.1)
    assert result[(1, "2026-12")].caidi == pytest.approx(20.0)


def test_a_unit_without_customers_has_no_index_rather_than_a_division_error():
    indices = reliability_indices([record(9, 30, 1)], customers_served={})[9]
    assert indices.saifi is None and indices.saidi is None
    assert indices.caidi == pytest.approx(30.0)


def test_overlapping_reports_of_one_customer_merge_into_one_interruption():
    a = (T0, T0 + timedelta(minutes=60))
    b = (T0 + timedelta(minutes=30), T0 + timedelta(minutes=90))
    c = (T0 + timedelta(hours=5), T0 + timedelta(hours=6))
    assert merge_per_customer([b, a, c]) == [(T0, T0 + timedelta(minutes=90)), c]
