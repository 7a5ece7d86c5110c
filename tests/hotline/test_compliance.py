"""Answer-time compliance, hang-up review and warning letters SP1 → SP2 → SP3."""

from datetime import timedelta

import pytest
from django.utils import timezone

from core.errors import ConflictError
from hotline import compliance, services
from hotline.models import Call, Violation, WarningLetter, WarningLetterRule
from tests.hotline.conftest import event

pytestmark = pytest.mark.django_db


def ring_and_answer(send, *, call_id: str, answer_after: float, rang=None):
    rang = rang or timezone.now() - timedelta(minutes=10)
    send(event("ring", call_id, operator="2001", caller_number="081234567890", at=rang))
    send(event("answer", call_id, operator="2001", at=rang + timedelta(seconds=answer_after)))
    return Call.objects.get(pbx_call_id=call_id)


def test_the_default_threshold_is_the_start_of_the_fourth_ring():
    # then: 1 s tone + 4 s silence, answer by ring 3 → 15 s
    assert compliance.ring_cycle_seconds() == 5
    assert compliance.answer_threshold_seconds() == 15


@pytest.mark.parametrize(
    "rings, late",
    [(2.9, False), (3.0, False), (3.1, True)],
)
def test_answering_at_2_9_3_and_3_1_rings(send, seat, rings, late):
    # given
    seconds = rings * compliance.ring_cycle_seconds()
    # when
    call = ring_and_answer(send, call_id=f"c-{rings}", answer_after=seconds)
    # then
    assert call.answer_seconds == pytest.approx(seconds)
    violations = Violation.objects.filter(call=call, kind=Violation.Kind.LATE_ANSWER)
    assert violations.exists() is late
    if late:
        assert violations.get().status == Violation.Status.CONFIRMED


def test_the_threshold_follows_the_ring_cadence_and_ring_count_settings(send, seat, settings):
    # given: 2 s tone + 4 s silence, answer by the second ring → 12 s
    settings.CALL_RING_ON_SECONDS = 2
    settings.CALL_ANSWER_BY_RING = 2
    # when
    on_time = ring_and_answer(send, call_id="a", answer_after=11.9)
    late = ring_and_answer(send, call_id="b", answer_after=12.1)
    # then
    assert compliance.answer_threshold_seconds() == 12
    assert not on_time.violations.exists()
    assert late.violations.get().kind == Violation.Kind.LATE_ANSWER


def test_a_call_ended_by_the_operator_is_a_suspected_hang_up(send, seat, operator):
    # given
    call = ring_and_answer(send, call_id="h", answer_after=3)
    # when
    send(event("hangup", "h", ended_by="operator", at=call.answered_at + timedelta(seconds=20)))
    # then
    violation = Violation.objects.get(call=call)
    assert violation.kind == Violation.Kind.HANG_UP
    assert violation.status == Violation.Status.SUSPECTED
    assert violation.operator == operator


def test_a_call_ended_by_the_caller_is_no_violation(send, seat):
    # given
    call = ring_and_answer(send, call_id="h", answer_after=3)
    # when
    send(event("hangup", "h", ended_by="caller", at=call.answered_at + timedelta(seconds=20)))
    # then
    assert not Violation.objects.exists()


def test_a_supervisor_dismisses_a_suspected_hang_up_and_it_cannot_be_reviewed_twice(send, seat, supervisor):
    # given
    call = ring_and_answer(send, call_id="h", answer_after=3)
    send(event("hangup", "h", ended_by="operator"))
    violation = Violation.objects.get(call=call)
    # when
    reviewed = services.review_violation(
        violation=violation, reviewer=supervisor, confirm=False, note="caller had gone"
    )
    # then
    assert reviewed.status == Violation.Status.DISMISSED
    assert reviewed.reviewed_by == supervisor
    with pytest.raises(ConflictError):
        services.review_violation(violation=violation, reviewer=supervisor, confirm=True)


def confirmed(operator, *, days_ago: float, call_id: str) -> Violation:
    occurred = timezone.now() - timedelta(days=days_ago)
    call = Call.objects.create(pbx_call_id=call_id, operator=operator, rang_at=occurred, answered_at=occurred)
    return Violation.objects.create(
        call=call,
        operator=operator,
        kind=Violation.Kind.HANG_UP,
        status=Violation.Status.CONFIRMED,
        occurred_at=occurred,
        confirmed_at=occurred,
    )


@pytest.fixture(autouse=True)
def sp_ladder(db):
    """These tests pin the SP1 → SP2 → SP3 mechanics on a ladder of SP letters only (SP1: 3 within 30 days);
    the seeded ladder with its reprimand and dismissal steps is tested in test_ring_no_answer.py."""
    WarningLetterRule.objects.filter(level__in=[0, 4]).update(active=False)
    WarningLetterRule.objects.filter(level=1).update(violations=3, period_days=30)


def test_no_letter_below_the_sp1_count(operator):
    # given
    confirmed(operator, days_ago=3, call_id="a")
    confirmed(operator, days_ago=2, call_id="b")
    # when
    letter = services.issue_warning_letter_if_due(operator=operator)
    # then
    assert letter is None


def test_violations_older_than_the_rule_period_do_not_count(operator):
    # given: 3 confirmed, but one 31 days ago (SP1: 3 within 30 days)
    confirmed(operator, days_ago=31, call_id="a")
    confirmed(operator, days_ago=2, call_id="b")
    confirmed(operator, days_ago=1, call_id="c")
    # when
    letter = services.issue_warning_letter_if_due(operator=operator)
    # then
    assert letter is None


def test_three_confirmed_violations_within_30_days_earn_sp1_with_printable_text(operator, ulp):
    # given
    for n in range(3):
        confirmed(operator, days_ago=10 - n, call_id=f"v{n}")
    # when
    letter = services.issue_warning_letter_if_due(operator=operator)
    # then
    assert letter.level == WarningLetterRule.Level.SP1
    assert letter.number.startswith("SP1/123/")
    assert letter.unit == ulp
    assert letter.violations.count() == 3
    assert "SP1" in letter.body
    assert operator.username in letter.body
    assert "v0" in letter.body


def test_escalation_sp1_then_sp2_then_sp3_and_nothing_beyond(operator):
    # given
    for n in range(3):
        confirmed(operator, days_ago=20, call_id=f"a{n}")
    now = timezone.now()
    sp1 = services.issue_warning_letter_if_due(operator=operator, at=now - timedelta(days=15))
    # when: two more after SP1 (SP2 rule: 2 within 90 days while SP1 is in force)
    confirmed(operator, days_ago=5, call_id="b1")
    assert services.issue_warning_letter_if_due(operator=operator, at=now - timedelta(days=4.5)) is None
    confirmed(operator, days_ago=4, call_id="b2")
    sp2 = services.issue_warning_letter_if_due(operator=operator, at=now - timedelta(days=3))
    confirmed(operator, days_ago=2, call_id="c1")
    confirmed(operator, days_ago=1, call_id="c2")
    sp3 = services.issue_warning_letter_if_due(operator=operator)
    confirmed(operator, days_ago=0.5, call_id="d1")
    confirmed(operator, days_ago=0.1, call_id="d2")
    beyond = services.issue_warning_letter_if_due(operator=operator)
    # then
    assert (sp1.level, sp2.level, sp3.level) == (1, 2, 3)
    assert beyond is None
    assert sp2.violations.count() == 2
    assert WarningLetter.objects.count() == 3


def test_after_a_letter_lapses_the_next_one_starts_again_at_sp1(operator):
    # given an SP1 issued long ago, no longer in force
    for n in range(3):
        confirmed(operator, days_ago=400, call_id=f"old{n}")
    services.issue_warning_letter_if_due(operator=operator, at=timezone.now() - timedelta(days=399))
    # when
    for n in range(3):
        confirmed(operator, days_ago=3, call_id=f"new{n}")
    letter = services.issue_warning_letter_if_due(operator=operator)
    # then
    assert letter.level == 1


def test_rules_changed_in_data_change_the_escalation(operator):
    # given SP1 after a single violation within 7 days
    WarningLetterRule.objects.filter(level=1).update(violations=1, period_days=7)
    confirmed(operator, days_ago=1, call_id="one")
    # when
    letter = services.issue_warning_letter_if_due(operator=operator)
    # then
    assert letter.level == 1


def test_confirming_a_suspected_hang_up_can_issue_the_letter(send, seat, supervisor, operator):
    # given two confirmed violations and a suspected third
    confirmed(operator, days_ago=3, call_id="a")
    confirmed(operator, days_ago=2, call_id="b")
    call = ring_and_answer(send, call_id="h", answer_after=3)
    send(event("hangup", "h", ended_by="operator"))
    suspected = Violation.objects.get(call=call)
    # when
    reviewed = services.review_violation(violation=suspected, reviewer=supervisor, confirm=True)
    # then
    reviewed.refresh_from_db()
    assert reviewed.letter is not None
    assert reviewed.letter.level == 1


def test_late_answers_count_toward_letters_without_review(send, seat, operator, settings):
    # given SP1 after two violations
    WarningLetterRule.objects.filter(level=1).update(violations=2)
    # when
    ring_and_answer(send, call_id="l1", answer_after=20)
    ring_and_answer(send, call_id="l2", answer_after=25)
    # then
    letter = WarningLetter.objects.get(operator=operator)
    assert letter.level == 1
    assert letter.violations.count() == 2
