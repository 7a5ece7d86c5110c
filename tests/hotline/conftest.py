"""Call-centre fixtures: a shared PBX secret, a signed-event sender and an operator at a seat."""

import json
import uuid
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from hotline import pbx
from hotline.models import OperatorSeat

SECRET = "test-pbx-secret"
EVENTS_URL = "/api/v1/calls/events/"


@pytest.fixture(autouse=True)
def _pbx_secret(settings):
    settings.PBX_SHARED_SECRET = SECRET
    settings.CALL_RING_ON_SECONDS = 1.0
    settings.CALL_RING_OFF_SECONDS = 4.0
    settings.CALL_ANSWER_BY_RING = 3


@pytest.fixture(autouse=True)
def _recordings_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "recordings")},
        },
    }


@pytest.fixture
def seat(operator):
    return OperatorSeat.objects.create(user=operator, extension="2001")


def event(kind: str, call_id: str = "pbx-1", *, at: datetime | None = None, **fields) -> dict:
    """One PBX event as the bridge would send it."""
    body = {
        "event_id": fields.pop("event_id", None) or str(uuid.uuid4()),
        "type": kind,
        "call_id": call_id,
        "occurred_at": (at or timezone.now()).isoformat(),
    }
    body.update(fields)
    return body


@pytest.fixture
def send():
    """``send(body_dict)`` → the response of a correctly signed JSON post to the events endpoint."""
    client = APIClient()

    def post(body: dict, *, timestamp: int | None = None, secret: str = SECRET, headers: dict | None = None):
        raw = json.dumps(body).encode()
        signed = pbx.signed_headers(raw, timestamp=timestamp, secret=secret)
        if headers is not None:
            signed = headers
        return client.generic("POST", EVENTS_URL, raw, content_type="application/json", headers=signed)

    return post


def times(seconds_after_ring: float, base: datetime | None = None) -> tuple[datetime, datetime]:
    rang = base or (timezone.now() - timedelta(minutes=5))
    return rang, rang + timedelta(seconds=seconds_after_ring)


# Supervisor reports: a ULP supervisor for each ULP under the test UP3.


@pytest.fixture
def ulp_a_supervisor(ulp):
    from core import roles
    from tests.factories import make_staff

    return make_staff(role=roles.SUPERVISOR, unit=ulp, username="ani-ulp-a")


@pytest.fixture
def ulp_b_supervisor(other_ulp):
    from core import roles
    from tests.factories import make_staff

    return make_staff(role=roles.SUPERVISOR, unit=other_ulp, username="beni-ulp-b")
