"""PBX events racing on PostgreSQL: many gunicorn workers may apply events of one call at once."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline import services
from hotline.models import Call, CallEvent, OperatorSeat
from tests.integration.conftest import run_at_once

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]


def apply(event_id: str, kind: str, call_id: str, at, **payload):
    body = {"event_id": event_id, "type": kind, "call_id": call_id, "occurred_at": at.isoformat(), **payload}
    return services.apply_call_event(event_id=event_id, kind=kind, pbx_call_id=call_id, occurred_at=at, payload=body)


def test_the_events_of_one_call_applied_at_the_same_moment_all_count(operator):
    # given
    OperatorSeat.objects.create(user=operator, extension="2001")
    rang = timezone.now() - timedelta(minutes=5)
    events = [
        ("ring", rang, {"operator": "2001", "caller_number": "081234567890"}),
        ("answer", rang + timedelta(seconds=4), {"operator": "2001"}),
        ("hold", rang + timedelta(seconds=30), {}),
        ("hangup", rang + timedelta(seconds=80), {"ended_by": "caller"}),
    ]
    # when
    errors = run_at_once(
        [lambda k=k, at=at, p=p: apply(str(uuid.uuid4()), k, "race-1", at, **p) for k, at, p in events]
    )
    # then
    assert errors == []
    call = Call.objects.get(pbx_call_id="race-1")
    assert (call.status, call.hold_count, call.operator) == (Call.Status.ENDED, 1, operator)
    assert call.answer_seconds == 4
    assert CallEvent.objects.filter(call=call).count() == 4


def test_the_same_event_delivered_twice_at_the_same_moment_is_applied_once(operator):
    # given
    at = timezone.now() - timedelta(minutes=1)
    # when
    errors = run_at_once([lambda: apply("twin", "ring", "race-2", at, operator="x") for _ in range(3)])
    # then
    assert errors == []
    assert CallEvent.objects.filter(event_id="twin").count() == 1
    assert Call.objects.filter(pbx_call_id="race-2").count() == 1
