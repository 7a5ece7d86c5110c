"""Third-ring discipline as the 123 rule means it: a call that rings out at an operator's set unanswered is a
violation, and the warning-letter ladder (rule data) runs reprimand → SP1 → SP2 → SP3 → a recommendation for
dismissal that a supervisor decides and records."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from core.errors import ApplicationError, ConflictError
from hotline import services
from hotline.models import OperatorSeat, Violation, WarningLetter, WarningLetterRule
from tests.factories import make_staff
from tests.hotline.conftest import event

pytestmark = pytest.mark.django_db


def rings_out(send, *, call_id: str, seconds: float, then: str = "hangup", start=None, **fields):
    """The call alerts operator 2001 and rings for ``seconds``; then the caller hangs up (or another set rings)."""
    rang = start or timezone.now() - timedelta(minutes=30)
    send(event("ring", call_id, operator="2001", caller_number="081234567890", at=rang))
    end = rang + timedelta(seconds=seconds)
    if then == "hangup":
        send(event("hangup", call_id, ended_by="caller", at=end, **fields))
    else:
        send(event("ring", call_id, operator=then, at=end))
        send(event("answer", call_id, operator=then, at=end + timedelta(seconds=2)))


def test_the_seeded_ladder_follows_the_123_rule():
    # then: one violation → reprimand; repeated ones → SP1, SP2, SP3; after SP3 a dismissal recommendation
    rules = {r.level: (r.violations, r.period_days, r.active) for r in WarningLetterRule.objects.all()}
    assert rules == {
        0: (1, 30, True),
        1: (2, 90, True),
        2: (2, 90, True),
        3: (2, 90, True),
        4: (1, 90, True),
    }


def test_a_call_rung_out_unanswered_past_the_third_ring_is_a_confirmed_violation(send, seat, operator):
    # when the caller gives up after 20 s of ringing at the operator's set
    rings_out(send, call_id="rna-1", seconds=20)
    # then
    violation = Violation.objects.get(call__pbx_call_id="rna-1")
    assert violation.kind == Violation.Kind.RING_NO_ANSWER
    assert violation.status == Violation.Status.CONFIRMED
    assert violation.operator == operator
    assert violation.answer_seconds == pytest.approx(20)


def test_a_caller_who_hangs_up_before_the_third_ring_is_nobodys_fault(send, seat):
    # when
    rings_out(send, call_id="short", seconds=9)
    # then
    assert not Violation.objects.exists()


def test_a_call_that_rings_out_and_moves_to_another_set_charges_the_first_operator_only(
    send, seat, operator, other_operator
):
    # given a second operator at extension 2002
    OperatorSeat.objects.create(user=other_operator, extension="2002")
    # when the call rings 16 s at 2001, then is offered to 2002 who answers at once
    rings_out(send, call_id="moved", seconds=16, then="2002")
    # then
    violations = list(Violation.objects.filter(call__pbx_call_id="moved"))
    assert [(v.kind, v.operator) for v in violations] == [(Violation.Kind.RING_NO_ANSWER, operator)]


def test_a_replayed_event_does_not_record_the_violation_twice(send, seat):
    # given
    rang = timezone.now() - timedelta(minutes=3)
    ring = event("ring", "twice", operator="2001", at=rang)
    hangup = event("hangup", "twice", ended_by="caller", at=rang + timedelta(seconds=30))
    # when
    for body in (ring, hangup, hangup, ring):
        send(body)
    # then
    assert Violation.objects.filter(kind=Violation.Kind.RING_NO_ANSWER).count() == 1


def test_the_first_ring_no_answer_earns_a_reprimand_and_the_repeats_reach_sp1(send, seat, operator):
    # when: one unanswered call, then two more
    start = timezone.now() - timedelta(hours=5)
    rings_out(send, call_id="r1", seconds=20, start=start)
    first = list(WarningLetter.objects.filter(operator=operator))
    rings_out(send, call_id="r2", seconds=25, start=start + timedelta(hours=1))
    rings_out(send, call_id="r3", seconds=18, start=start + timedelta(hours=2))
    # then
    assert [(letter.level, letter.number.split("/")[0]) for letter in first] == [(0, "TGR")]
    levels = list(WarningLetter.objects.filter(operator=operator).order_by("issued_at").values_list("level", flat=True))
    assert levels == [0, 1]
    sp1 = WarningLetter.objects.get(operator=operator, level=1)
    assert sp1.violations.count() == 2
    assert "SP1" in sp1.body


def _confirmed(operator, n: int, at) -> None:
    from hotline.models import Call

    for i in range(n):
        call = Call.objects.create(pbx_call_id=f"c-{at.timestamp()}-{i}", operator=operator, rang_at=at)
        Violation.objects.create(
            call=call, operator=operator, kind="ring_no_answer", status="confirmed", occurred_at=at, confirmed_at=at
        )


def test_after_sp3_the_ladder_ends_in_a_recommendation_a_supervisor_decides(operator, supervisor):
    # given the ladder climbed to SP3
    now = timezone.now()
    levels = []
    for step, count in enumerate([1, 2, 2, 2, 1]):
        at = now - timedelta(days=10 - step)
        _confirmed(operator, count, at)
        letter = services.issue_warning_letter_if_due(operator=operator, at=at + timedelta(minutes=1))
        levels.append(letter.level if letter else None)
    _confirmed(operator, 3, now - timedelta(hours=1))
    beyond = services.issue_warning_letter_if_due(operator=operator)
    recommendation = WarningLetter.objects.get(operator=operator, level=WarningLetter.Level.DISMISSAL)
    # then the ladder stops at the recommendation
    assert levels == [0, 1, 2, 3, 4]
    assert beyond is None
    assert recommendation.number.startswith("REK-PHK/")
    # when a supervisor decides without a reason, then with one
    with pytest.raises(ApplicationError):
        services.decide_dismissal(letter=recommendation, supervisor=supervisor, decision="dismiss", note=" ")
    client = Client()
    client.force_login(supervisor)
    page = client.get("/console/violations/")
    assert f'id="decide-{recommendation.pk}"' in page.content.decode()
    response = client.post(
        f"/console/letters/{recommendation.pk}/decide/", {"decision": "retain", "note": "Last chance, coached."}
    )
    # then it is recorded once
    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert (recommendation.decision, recommendation.decided_by) == ("retain", supervisor)
    assert recommendation.decision_note == "Last chance, coached."
    with pytest.raises(ConflictError):
        services.decide_dismissal(letter=recommendation, supervisor=supervisor, decision="dismiss", note="again")
    assert f'id="decide-{recommendation.pk}"' not in client.get("/console/violations/").content.decode()


def test_an_operator_cannot_decide_a_recommendation(operator, ulp):
    # given
    other = make_staff(role="operator", unit=ulp, username="op-two")
    client = Client()
    client.force_login(other)
    # when / then
    assert client.post("/console/letters/1/decide/", {"decision": "dismiss", "note": "x"}).status_code == 403
