"""API fuzzing: schemathesis generates requests from /api/schema/ for every operation, as each role.

In-process over WSGI (no server), on the test database. The number of cases per operation and role is
bounded (``SIGAP_FUZZ_EXAMPLES``, default 10) so the run fits the CI budget. Every answer must be
free of 5xx and match the schema (status code, content type, body, headers).

The PBX endpoints are fuzzed a second time with every request signed as the PBX signs it
(``SIGAP_FUZZ_SIGNED_EXAMPLES`` cases per operation, default 50), so their handlers see the generated events.
"""

import collections
import io
import json
import os
import struct
import uuid
from datetime import timedelta

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.authtoken.models import Token
from schemathesis.checks import ignored_auth, negative_data_rejection, positive_data_acceptance

from config.wsgi import application
from core import roles
from hotline import pbx
from hotline.models import CallEvent, OperatorSeat
from tests.factories import TicketFactory, make_staff

# "Schema-valid request rejected" is left out: a category or unit code must name an existing row and a phone
# number must be a real Indonesian number, which an OpenAPI string cannot say; such requests get a 400 with
# field messages, which the other checks verify.
EXAMPLES = int(os.environ.get("SIGAP_FUZZ_EXAMPLES", "10"))
FUZZ_ROLES = ["anonymous", roles.OPERATOR, roles.TECHNICIAN, roles.SUPERVISOR, roles.ADMIN]


@pytest.fixture
def api_schema(db):
    # Like Django's test client: requests must not close the test transaction's connection.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/", application)
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.fixture
def tokens(db, ulp, up3):
    """An API token per role, and a ticket of the unit so that some generated numbers can be found."""
    TicketFactory(unit=ulp)
    keys = {"anonymous": None}
    for role in FUZZ_ROLES[1:]:
        unit = up3 if role in {roles.SUPERVISOR, roles.ADMIN} else ulp
        user = make_staff(role=role, unit=unit, username=f"fz-{role}")
        keys[role] = Token.objects.get_or_create(user=user)[0].key
    return keys


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema_and_never_fails(case, tokens):
    """Each generated request is sent once per role: anonymous, operator, technician, supervisor, admin."""
    for role in FUZZ_ROLES:
        if tokens[role]:
            # The request carries valid credentials on purpose: schemathesis' "ignored auth" check assumes
            # generated (invalid) ones, so it runs for the anonymous pass only.
            case.call_and_validate(
                headers={"Authorization": f"Token {tokens[role]}"},
                excluded_checks=[positive_data_acceptance, ignored_auth],
            )
        else:
            case.call_and_validate(excluded_checks=[positive_data_acceptance])


# ---- The PBX endpoints, signed --------------------------------------------------------------------------------
#
# Unsigned, the PBX endpoints only ever answer 401. Here every generated request is signed over the exact bytes
# that reach the application, with a fresh timestamp, so the real handler sees it. The bodies are steered
# towards events that can be applied: most positive cases become events of the last hour (the handler refuses
# times older than a week or in the future) on one of three calls (so one call collects many events, in any
# order), with a new event id or one of two reused ones (replays with other content: 409), and a multipart
# ``event`` becomes a real recording_ready event, with a small WAV or the generated file.

PBX_SECRET = "fuzz-pbx-secret"
PBX_PATHS = r"^/api/v1/calls/(events|operators)/$"
SIGNED_EXAMPLES = int(os.environ.get("SIGAP_FUZZ_SIGNED_EXAMPLES", str(5 * EXAMPLES)))
SIGNED_ANSWERS: collections.Counter = collections.Counter()  # (method and path, status) of the signed run
STEERED_WITH_FILE: set[int] = set()  # ids of multipart cases steered into a valid recording_ready event


def signing(app):
    """WSGI wrapper that signs each request as the PBX bridge does, after schemathesis built it.

    Only a request that carries both signature headers is signed (their generated values are replaced): a
    request generated without one of them (a negative case) must still be refused.
    """

    def signed(environ, start_response):
        names = ["HTTP_" + name.upper().replace("-", "_") for name in (pbx.TIMESTAMP_HEADER, pbx.SIGNATURE_HEADER)]
        if not all(name in environ for name in names):
            return app(environ, start_response)
        length = int(environ.get("CONTENT_LENGTH") or 0)
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        environ["wsgi.input"] = io.BytesIO(body)
        for name, value in pbx.signed_headers(body, secret=PBX_SECRET).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        return app(environ, start_response)

    return signed


def wav(samples: int = 80) -> bytes:
    data = b"\x00\x00" * samples
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, 8000, 16000, 2, 16)
    return b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE" + fmt + b"data" + struct.pack("<I", len(data)) + data


def steer_event_case(context, case):
    """Keep a generated event as it is, or move it towards one the handler can apply.

    Only positive cases are steered: a negative one must stay invalid, or its acceptance would be reported.
    """
    body = case.body
    meta = case.meta
    negative = (
        meta is None
        or meta.generation.mode.is_negative
        or any(info.mode.is_negative for info in meta.components.values())
    )
    if case.path != "/api/v1/calls/events/" or negative or not isinstance(body, dict):
        return st.just(case)

    def with_body(steered):
        case.body = steered
        if "recording" in steered:
            # Schemathesis cannot re-validate a body holding a file and would take it for a negative case.
            STEERED_WITH_FILE.add(id(case))
        return case

    return st.one_of(steered_bodies(body).map(with_body), st.just(case))


def steered_bodies(body: dict):
    def fresh(seconds_ago: int) -> str:
        return (timezone.now() - timedelta(seconds=seconds_ago)).isoformat()

    def event(event_id, call_id, seconds, kind, operator, ended_by, extra=None):
        steered = {
            **(extra or {}),
            "event_id": event_id,
            "type": kind,
            "call_id": call_id,
            "occurred_at": fresh(seconds),
        }
        if operator:
            steered["operator"] = operator
        if kind == "hangup":
            steered["ended_by"] = ended_by
        if kind == "transfer":
            steered["transfer_to"] = "2002"
        return steered

    parts = {
        # A fresh id each time (as the PBX sends), or a reused one.
        "event_id": st.one_of(st.builds(lambda: str(uuid.uuid4())), st.sampled_from(["fz-e1", "fz-e2"])),
        "call_id": st.sampled_from(["fz-c1", "fz-c2", "fz-c3"]),
        "seconds": st.integers(min_value=0, max_value=3600),
        "operator": st.sampled_from(["", "2001", "fz-operator", "9999"]),
        "ended_by": st.sampled_from(["caller", "operator", "system"]),
    }
    if "event" in body:  # multipart: a recording_ready event as JSON text, with a small WAV or what was generated
        texts = st.builds(event, kind=st.just("recording_ready"), **parts).map(json.dumps)
        audio = st.sampled_from([wav(), body.get("recording", b"")])
        return st.builds(lambda text, data: {**body, "event": text, "recording": data}, texts, audio)
    kinds = st.sampled_from(["ring", "answer", "hold", "resume", "transfer", "hangup"])
    return st.builds(event, kind=kinds, extra=st.just(body), **parts)


@pytest.fixture
def signed_pbx_schema(db, settings, tmp_path, ulp):
    settings.PBX_SHARED_SECRET = PBX_SECRET
    settings.STORAGES = {
        **settings.STORAGES,
        "recordings": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "recordings")},
        },
    }
    OperatorSeat.objects.create(
        user=make_staff(role=roles.OPERATOR, unit=ulp, username="fz-operator"), extension="2001"
    )
    SIGNED_ANSWERS.clear()
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        loaded = schemathesis.openapi.from_wsgi("/api/schema/", signing(application))
        loaded.hook("flatmap_case")(steer_event_case)
        yield loaded
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)
    # The run reached the handler: events were applied and refused for their content, the seats were read.
    events = "POST /api/v1/calls/events/"
    assert {(events, 201), (events, 400), ("GET /api/v1/calls/operators/", 200)} <= set(SIGNED_ANSWERS), SIGNED_ANSWERS
    assert CallEvent.objects.exists()


signed_schema = schemathesis.pytest.from_fixture("signed_pbx_schema").include(path_regex=PBX_PATHS)


@signed_schema.parametrize()
@settings(
    max_examples=SIGNED_EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_signed_pbx_requests_reach_the_handler_and_never_fail(case):
    """No 5xx, answers as the schema says; a request with both signature headers is never refused as unsigned."""
    excluded = [positive_data_acceptance]
    if id(case) in STEERED_WITH_FILE:
        excluded.append(negative_data_rejection)
    response = case.call_and_validate(excluded_checks=excluded)
    SIGNED_ANSWERS[(f"{case.method.upper()} {case.path}", response.status_code)] += 1
    if all(name in (case.headers or {}) for name in (pbx.TIMESTAMP_HEADER, pbx.SIGNATURE_HEADER)):
        assert response.status_code != 401, response.text
