"""PBX call events: signature, freshness, replay, idempotency, order and bad input."""

import json
import logging
import time
from datetime import timedelta

import pytest
from django.utils import timezone

from hotline import pbx
from hotline.models import Call, CallEvent
from tests.hotline.conftest import SECRET, event

pytestmark = pytest.mark.django_db


def test_a_ring_event_creates_the_call_with_the_caller_in_e164_and_the_operator(send, seat, operator, ulp):
    # given
    body = event("ring", caller_number="0812-3456-7890", queue="gangguan", operator="2001")
    # when
    response = send(body)
    # then
    assert response.status_code == 201, response.json()
    call = Call.objects.get(pbx_call_id="pbx-1")
    assert call.caller_number == "+6281234567890"
    assert call.operator == operator
    assert call.unit == ulp
    assert call.status == Call.Status.RINGING
    assert response.json()["duplicate"] is False


def test_the_same_event_twice_changes_nothing_and_answers_duplicate(send, seat):
    # given
    body = event("ring", operator="2001", caller_number="081234567890")
    first = send(body)
    # when
    second = send(body)
    # then
    assert first.status_code == 201
    assert second.status_code == 200
    assert second.json()["duplicate"] is True
    assert CallEvent.objects.count() == 1
    assert Call.objects.count() == 1


def test_an_event_id_reused_for_other_content_is_a_conflict(send, seat):
    # given
    body = event("ring", operator="2001", event_id="ev-1")
    send(body)
    # when
    response = send({**body, "type": "answer"})
    # then
    assert response.status_code == 409
    assert CallEvent.objects.get().kind == "ring"


def test_events_arriving_in_reverse_order_build_the_same_call(send, seat, operator):
    # given
    rang = timezone.now() - timedelta(minutes=3)
    ring = event("ring", operator="2001", caller_number="081234567890", at=rang)
    answer = event("answer", operator="2001", at=rang + timedelta(seconds=8), recorded_notice_played=True)
    hangup = event("hangup", at=rang + timedelta(seconds=120), ended_by="caller")
    # when
    for body in (hangup, answer, ring):
        assert send(body).status_code == 201
    # then
    call = Call.objects.get()
    assert call.status == Call.Status.ENDED
    assert call.rang_at == rang
    assert call.answered_at == rang + timedelta(seconds=8)
    assert call.ended_by == Call.EndedBy.CALLER
    assert call.answer_seconds == 8
    assert call.recorded_notice_played is True
    assert call.operator == operator
    assert not call.violations.exists()


def test_a_hang_up_before_the_late_answer_arrives_is_first_abandoned_then_ended(send, seat):
    # given
    rang = timezone.now() - timedelta(minutes=3)
    send(event("ring", operator="2001", at=rang))
    send(event("hangup", at=rang + timedelta(seconds=60), ended_by="caller"))
    assert Call.objects.get().status == Call.Status.ABANDONED
    # when
    send(event("answer", operator="2001", at=rang + timedelta(seconds=4)))
    # then
    assert Call.objects.get().status == Call.Status.ENDED


def test_hold_and_transfer_are_recorded(send, seat, other_operator):
    # given
    from hotline.models import OperatorSeat

    OperatorSeat.objects.create(user=other_operator, extension="2002")
    rang = timezone.now() - timedelta(minutes=3)
    send(event("ring", operator="2001", at=rang))
    send(event("answer", operator="2001", at=rang + timedelta(seconds=3)))
    # when
    send(event("hold", at=rang + timedelta(seconds=30)))
    send(event("resume", at=rang + timedelta(seconds=40)))
    send(event("transfer", at=rang + timedelta(seconds=50), transfer_to="2002"))
    # then
    call = Call.objects.get()
    assert call.hold_count == 1
    assert call.transferred_to == "2002"
    assert call.operator == other_operator


def test_an_event_for_an_unknown_operator_is_kept_and_flagged(send, db, caplog):
    # given
    body = event("ring", operator="9999", caller_number="081234567890")
    # when
    with caplog.at_level(logging.WARNING, logger="hotline.services"):
        response = send(body)
    # then
    assert response.status_code == 201
    call = Call.objects.get()
    assert call.operator is None
    assert call.unknown_operator is True
    assert call.operator_ref == "9999"
    assert CallEvent.objects.get().unknown_operator is True
    assert "unknown operator" in caplog.text


def test_an_unsigned_event_is_refused_with_401_logged_and_not_applied(send, db, caplog):
    # given
    body = event("ring", operator="2001")
    # when
    with caplog.at_level(logging.WARNING, logger="hotline.pbx"):
        response = send(body, headers={})
    # then
    assert response.status_code == 401
    assert "unsigned" in caplog.text
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()


def test_an_event_signed_with_another_secret_is_refused(send, db):
    # when
    response = send(event("ring"), secret="not-the-secret")
    # then
    assert response.status_code == 401
    assert not Call.objects.exists()


def test_a_body_changed_after_signing_is_refused(db, api_client):
    # given
    raw = json.dumps(event("ring", operator="2001")).encode()
    headers = pbx.signed_headers(raw, secret=SECRET)
    tampered = raw.replace(b"2001", b"2002")
    # when
    response = api_client.generic(
        "POST", "/api/v1/calls/events/", tampered, content_type="application/json", headers=headers
    )
    # then
    assert response.status_code == 401
    assert not Call.objects.exists()


@pytest.mark.parametrize("age", [301, -301])
def test_a_stale_or_future_timestamp_is_refused_even_with_a_good_signature(send, db, caplog, age, time_machine):
    # given: the clock held on a whole second, so the stamp is exactly ``age`` seconds off when it is checked
    time_machine.move_to("2026-11-25T03:05:00Z", tick=False)
    # when
    with caplog.at_level(logging.WARNING, logger="hotline.pbx"):
        response = send(event("ring"), timestamp=int(time.time()) - age)
    # then
    assert response.status_code == 401
    assert "stale" in caplog.text
    assert not Call.objects.exists()


def test_a_replayed_request_within_the_window_changes_nothing(send, seat, api_client):
    # given a captured, correctly signed request
    raw = json.dumps(event("hangup", ended_by="operator")).encode()
    headers = pbx.signed_headers(raw, secret=SECRET)
    first = api_client.generic("POST", "/api/v1/calls/events/", raw, content_type="application/json", headers=headers)
    # when an attacker replays the very same bytes
    replay = api_client.generic("POST", "/api/v1/calls/events/", raw, content_type="application/json", headers=headers)
    # then
    assert first.status_code == 201
    assert replay.status_code == 200
    assert replay.json()["duplicate"] is True
    assert CallEvent.objects.count() == 1


@pytest.mark.parametrize(
    "body, field",
    [
        ({"type": "ring", "call_id": "x", "occurred_at": "2026-11-25T10:00:00+07:00"}, "event_id"),
        ({"event_id": "e", "type": "explode", "call_id": "x", "occurred_at": "2026-11-25T03:00:00Z"}, "type"),
        ({"event_id": "e", "type": "ring", "call_id": "x", "occurred_at": "yesterday"}, "occurred_at"),
        ({"event_id": "e", "type": "hangup", "call_id": "x", "occurred_at": "2026-11-25T03:00:00Z"}, "ended_by"),
        ({"event_id": "e", "type": "transfer", "call_id": "x", "occurred_at": "2026-11-25T03:00:00Z"}, "transfer_to"),
    ],
)
def test_a_malformed_event_is_a_400_with_the_field_named_and_nothing_is_written(send, db, body, field, time_machine):
    # given
    time_machine.move_to("2026-11-25T03:05:00Z")
    # when
    response = send(body)
    # then
    assert response.status_code == 400, response.json()
    assert field in response.json()["extra"]["fields"]
    assert not Call.objects.exists()
    assert not CallEvent.objects.exists()


def test_a_body_that_is_not_json_is_a_400(db, api_client):
    # given
    raw = b"{not json"
    # when
    response = api_client.generic(
        "POST",
        "/api/v1/calls/events/",
        raw,
        content_type="application/json",
        headers=pbx.signed_headers(raw, secret=SECRET),
    )
    # then
    assert response.status_code == 400
    assert not CallEvent.objects.exists()


def test_a_json_list_instead_of_one_event_is_a_400(send, db):
    # when
    response = send([event("ring")])
    # then
    assert response.status_code == 400
    assert not CallEvent.objects.exists()


def test_the_event_payloads_are_documented_in_the_openapi_schema(client):
    # when
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    # then
    schema = response.json()
    operation = schema["paths"]["/api/v1/calls/events/"]["post"]
    assert "X-Sigap-Signature" in {p["name"] for p in operation["parameters"]}
    assert "CallEventInputRequest" in schema["components"]["schemas"]
    assert set(schema["components"]["schemas"]["CallEventTypeEnum"]["enum"]) >= {
        "ring",
        "answer",
        "hangup",
        "recording_ready",
    }
    error = {"$ref": "#/components/schemas/Error"}
    for path, method, codes in [
        ("/api/v1/calls/events/", "post", ["400", "401", "409", "415"]),
        ("/api/v1/calls/operators/", "get", ["401"]),
    ]:
        responses = schema["paths"][path][method]["responses"]
        for code in codes:
            assert responses[code]["content"]["application/json"]["schema"] == error, (path, code)
        assert "WWW-Authenticate" in responses["401"]["headers"]


def test_the_pbx_reads_which_operators_are_ready_and_on_a_call(send, seat, other_operator, api_client):
    # given
    from hotline.models import OperatorSeat
    from hotline.services import set_operator_state

    set_operator_state(user=seat.user, state="ready")
    OperatorSeat.objects.create(user=other_operator, extension="2002", state="paused")
    send(event("ring", operator="2001"))
    # when
    response = api_client.get("/api/v1/calls/operators/", headers=pbx.signed_headers(b"", secret=SECRET))
    unsigned = api_client.get("/api/v1/calls/operators/")
    # then
    assert response.status_code == 200
    assert [(s["extension"], s["state"], s["on_call"]) for s in response.json()] == [
        ("2001", "ready", True),
        ("2002", "paused", False),
    ]
    assert unsigned.status_code == 401
