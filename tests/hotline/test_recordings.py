"""Call recordings: audio only, size-limited, played only by those allowed, every playback logged."""

import json
import struct
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from django.utils import timezone
from rest_framework.test import APIClient

from core import roles
from hotline import pbx
from hotline.models import Call, CallEvent, RecordingPlayback
from tests.factories import make_staff
from tests.hotline.conftest import SECRET, event

pytestmark = pytest.mark.django_db


def wav_bytes(samples: int = 800) -> bytes:
    data = b"\x00\x00" * samples
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data


def send_recording(call_id: str, content: bytes, *, name: str = "call.wav"):
    body = event("recording_ready", call_id)
    raw = encode_multipart(
        BOUNDARY, {"event": json.dumps(body), "recording": SimpleUploadedFile(name, content, "audio/wav")}
    )
    headers = pbx.signed_headers(raw, secret=SECRET)
    return APIClient().generic("POST", "/api/v1/calls/events/", raw, content_type=MULTIPART_CONTENT, headers=headers)


@pytest.fixture
def answered_call(send, seat):
    rang = timezone.now() - timedelta(minutes=4)
    send(event("ring", "rec-1", operator="2001", caller_number="081234567890", at=rang))
    send(event("answer", "rec-1", operator="2001", at=rang + timedelta(seconds=4), recorded_notice_played=True))
    send(event("hangup", "rec-1", ended_by="caller", at=rang + timedelta(seconds=90)))
    return Call.objects.get(pbx_call_id="rec-1")


@pytest.fixture
def recorded_call(answered_call):
    response = send_recording("rec-1", wav_bytes())
    assert response.status_code == 201, response.content
    answered_call.refresh_from_db()
    return answered_call


def test_a_wav_recording_is_stored_through_the_recordings_storage(recorded_call, tmp_path):
    # then
    assert recorded_call.recording.name.endswith(".wav")
    assert recorded_call.recording_content_type == "audio/wav"
    assert (tmp_path / "recordings" / recorded_call.recording.name).exists()


def test_a_file_that_is_not_audio_is_refused_whatever_its_name(answered_call):
    # when
    response = send_recording("rec-1", b"%PDF-1.7 not audio at all", name="call.wav")
    # then
    assert response.status_code == 400
    assert "recording" in response.json()["extra"]["fields"]
    assert not CallEvent.objects.filter(kind="recording_ready").exists()
    answered_call.refresh_from_db()
    assert not answered_call.recording


def test_a_recording_over_the_size_limit_is_refused(answered_call, settings):
    # given
    settings.RECORDING_MAX_BYTES = 1000
    # when
    response = send_recording("rec-1", wav_bytes(samples=2000))
    # then
    assert response.status_code == 400
    answered_call.refresh_from_db()
    assert not answered_call.recording


def test_a_recording_ready_event_without_the_file_is_a_400(send, answered_call):
    # when
    response = send(event("recording_ready", "rec-1"))
    # then
    assert response.status_code == 400


def play(user, call: Call, **headers):
    client = Client()
    client.force_login(user)
    return client.get(f"/console/calls/{call.pk}/recording/", headers=headers)


def test_the_operator_who_took_the_call_can_play_it_and_the_playback_is_logged(recorded_call, operator):
    # when
    response = play(operator, recorded_call)
    # then
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert b"".join(response.streaming_content).startswith(b"RIFF")
    assert RecordingPlayback.objects.get().user == operator


def test_a_supervisor_of_the_unit_above_can_play_it(recorded_call, supervisor):
    # when
    response = play(supervisor, recorded_call)
    # then
    assert response.status_code == 200
    assert RecordingPlayback.objects.filter(user=supervisor).count() == 1


def test_an_admin_can_play_it(recorded_call, admin_user_sigap):
    assert play(admin_user_sigap, recorded_call).status_code == 200


def test_a_supervisor_of_another_unit_is_denied_and_nothing_is_logged(recorded_call, far_supervisor):
    # when
    response = play(far_supervisor, recorded_call)
    # then
    assert response.status_code == 404
    assert not RecordingPlayback.objects.exists()


def test_another_operator_of_the_same_unit_is_denied(recorded_call, ulp):
    # given
    colleague = make_staff(role=roles.OPERATOR, unit=ulp, username="cici-operator")
    # when
    response = play(colleague, recorded_call)
    # then
    assert response.status_code == 404


def test_a_supervisor_of_a_sibling_ulp_is_denied(recorded_call, other_ulp):
    # given
    sibling = make_staff(role=roles.SUPERVISOR, unit=other_ulp, username="sibling-supervisor")
    # when / then
    assert play(sibling, recorded_call).status_code == 404


def test_each_playback_is_logged_but_not_each_range_request_of_one_playback(recorded_call, operator):
    # when
    play(operator, recorded_call)
    play(operator, recorded_call, Range="bytes=100-")
    play(operator, recorded_call, Range="bytes=0-")
    # then
    assert RecordingPlayback.objects.count() == 2


def test_the_operator_who_answered_keeps_access_after_transferring_the_call(
    send, recorded_call, operator, other_operator
):
    # given
    from hotline.models import OperatorSeat

    OperatorSeat.objects.create(user=other_operator, extension="2002")
    send(event("transfer", "rec-1", transfer_to="2002"))
    recorded_call.refresh_from_db()
    # when / then
    assert recorded_call.operator == other_operator
    assert play(operator, recorded_call).status_code == 200
    assert play(other_operator, recorded_call).status_code == 200
