"""Due-time arithmetic: calendar hours, Indonesian working days per zone, holidays and pauses."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from tickets.sla import rules as sla

WIB, WITA, WIT = "Asia/Jakarta", "Asia/Makassar", "Asia/Jayapura"


def local(zone: str, *args) -> datetime:
    return datetime(*args, tzinfo=ZoneInfo(zone))


def test_an_hour_target_runs_round_the_clock_even_at_night_on_a_sunday():
    # given a report at 23:30 WITA on Sunday 29 November 2026
    start = local(WITA, 2026, 11, 29, 23, 30)
    # when
    due = sla.due_at(start, 1, clock=sla.HOURS, zone=WITA)
    # then
    assert due == local(WITA, 2026, 11, 30, 0, 30)


def test_five_working_days_from_a_friday_afternoon_fall_on_the_next_friday():
    # given Friday 27 November 2026, 14:00 WITA
    start = local(WITA, 2026, 11, 27, 14, 0)
    # when
    due = sla.due_at(start, 5, clock=sla.WORKING_DAYS, zone=WITA)
    # then
    assert due == local(WITA, 2026, 12, 4, 14, 0)
    assert due.tzinfo == UTC


def test_the_same_instant_counts_differently_in_wib_and_wit():
    # given Friday 15:30 UTC: Friday 22:30 in WIB, but already Saturday 00:30 in WIT
    start = datetime(2026, 11, 27, 15, 30, tzinfo=UTC)
    # when
    due_wib = sla.due_at(start, 1, clock=sla.WORKING_DAYS, zone=WIB)
    due_wit = sla.due_at(start, 1, clock=sla.WORKING_DAYS, zone=WIT)
    # then WIB counts the rest of Friday; WIT starts counting on Monday 00:00
    assert due_wib == local(WIB, 2026, 11, 30, 22, 30)
    assert due_wit == local(WIT, 2026, 12, 1, 0, 0)


def test_wita_is_one_hour_ahead_of_wib_for_the_same_local_rule():
    start = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)  # Wednesday 09:00 WIB, 10:00 WITA
    assert sla.due_at(start, 2, clock=sla.WORKING_DAYS, zone=WITA) == local(WITA, 2026, 11, 27, 10, 0)
    assert sla.due_at(start, 2, clock=sla.WORKING_DAYS, zone=WIB) == local(WIB, 2026, 11, 27, 9, 0)


def test_a_public_holiday_is_not_a_working_day():
    # given Friday 14 August 2026 and Independence Day on Monday 17 August
    start = local(WIB, 2026, 8, 14, 10, 0)
    holidays = frozenset({date(2026, 8, 17)})
    # when
    due = sla.due_at(start, 1, clock=sla.WORKING_DAYS, zone=WIB, holidays=holidays)
    # then
    assert due == local(WIB, 2026, 8, 18, 10, 0)


def test_a_pause_moves_an_hour_target_by_its_length():
    start = local(WIB, 2026, 11, 25, 9, 0)
    pause = (local(WIB, 2026, 11, 25, 9, 20), local(WIB, 2026, 11, 25, 9, 45))
    assert sla.due_at(start, 1, clock=sla.HOURS, zone=WIB, pauses=[pause]) == local(WIB, 2026, 11, 25, 10, 25)


def test_a_pause_over_a_weekend_moves_a_working_day_target_only_by_the_working_time_paused():
    # given a 1-working-day target from Friday 10:00 WITA, paused Friday 16:00 → Monday 10:00
    start = local(WITA, 2026, 11, 27, 10, 0)
    pause = (local(WITA, 2026, 11, 27, 16, 0), local(WITA, 2026, 11, 30, 10, 0))
    # when
    due = sla.due_at(start, 1, clock=sla.WORKING_DAYS, zone=WITA, pauses=[pause])
    # then the 8 h of Friday and 10 h of Monday count; the weekend does not
    unpaused = local(WITA, 2026, 11, 30, 10, 0)
    assert due == local(WITA, 2026, 12, 1, 4, 0)
    assert due - unpaused == timedelta(hours=18)


def test_a_pause_that_starts_after_the_due_time_does_not_undo_the_breach():
    start = local(WIB, 2026, 11, 25, 9, 0)
    late_pause = (local(WIB, 2026, 11, 25, 11, 0), local(WIB, 2026, 11, 25, 12, 0))
    assert sla.due_at(start, 1, clock=sla.HOURS, zone=WIB, pauses=[late_pause]) == local(WIB, 2026, 11, 25, 10, 0)


def test_two_pauses_add_up():
    start = local(WIT, 2026, 11, 25, 9, 0)
    pauses = [
        (local(WIT, 2026, 11, 25, 9, 10), local(WIT, 2026, 11, 25, 9, 20)),
        (local(WIT, 2026, 11, 25, 9, 30), local(WIT, 2026, 11, 25, 9, 50)),
    ]
    assert sla.due_at(start, 1, clock=sla.HOURS, zone=WIT, pauses=pauses) == local(WIT, 2026, 11, 25, 10, 30)


def test_negative_seconds_are_refused():
    with pytest.raises(ValueError):
        sla.add_clock_seconds(local(WIB, 2026, 1, 5, 9, 0), -1, clock=sla.WORKING_DAYS, zone=WIB)


@pytest.mark.parametrize(
    ("hours_above", "percent"),
    [(0, 0), (0.5, 50), (2, 50), (2.01, 75), (4, 75), (7, 100), (12, 200), (40, 300), (41, 500)],
)
def test_lama_gangguan_tiers_of_2019(hours_above, percent):
    assert sla.duration_tier_percent(hours_above) == percent


def test_monthly_compensation_pays_only_the_largest_indicator():
    # given 6 h of outage (5 h above a 1 h target → 100 %) and 14 outages (above 12 → 35 %)
    result = sla.monthly_outage_compensation(
        outage_hours=6,
        outage_count=14,
        duration_target_hours=1,
        count_target=12,
        tariff="R-1/TR",
        power_va=1300,
        month=date(2026, 11, 1),
    )
    # then
    assert result.indicator == "outage_duration"
    assert result.percent == 100
    assert result.rule == sla.RULE_2019


def test_the_2017_rule_needs_ten_percent_above_target_and_pays_twenty_percent_to_subsidised_classes():
    kwargs = {"duration_target_hours": 10, "count_target": 12, "tariff": "R-1/TR", "power_va": 900}
    assert sla.monthly_outage_compensation(outage_hours=10.5, outage_count=1, month=date(2019, 5, 1), **kwargs) is None
    result = sla.monthly_outage_compensation(outage_hours=11.5, outage_count=1, month=date(2019, 5, 1), **kwargs)
    assert (result.percent, result.rule) == (20, sla.RULE_2017)
