"""API fuzzing: schemathesis generates requests from /api/schema/ for every operation, as each role.

In-process over WSGI (no server), on the test database. The number of cases per operation and role is
bounded (``SIGAP_FUZZ_EXAMPLES``, default 10) so the run fits the CI budget. Every answer must be
free of 5xx and match the schema (status code, content type, body, headers).
"""

import os

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import ignored_auth, positive_data_acceptance

from hotline.wsgi import application
from tests.factories import TicketFactory, make_staff
from tickets import roles

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
