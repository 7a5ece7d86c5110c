import pytest

from hotline import demo
from hotline.models import Call, Violation
from tickets import demo as tickets_demo

pytestmark = pytest.mark.django_db


def test_the_demo_calls_show_a_late_answer_and_a_hang_up_to_review_and_seeding_twice_adds_nothing():
    # given
    tickets_demo.seed(customers_per_unit=6)
    # when
    first = demo.seed()
    second = demo.seed()
    # then
    assert (first["calls"], second["calls"]) == (4, 0)
    assert Call.objects.count() == 4
    assert Violation.objects.get(kind=Violation.Kind.LATE_ANSWER).status == Violation.Status.CONFIRMED
    assert Violation.objects.get(kind=Violation.Kind.HANG_UP).status == Violation.Status.SUSPECTED
    assert Call.objects.get(pbx_call_id="demo-call-1").tickets.count() == 1
    assert Call.objects.get(pbx_call_id="demo-call-3").recording
