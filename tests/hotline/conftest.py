"""Fixtures for the supervisor reports: a ULP supervisor for each ULP under the test UP3."""

import pytest

from tests.factories import make_staff
from tickets import roles


@pytest.fixture
def ulp_a_supervisor(ulp):
    return make_staff(role=roles.SUPERVISOR, unit=ulp, username="ani-ulp-a")


@pytest.fixture
def ulp_b_supervisor(other_ulp):
    return make_staff(role=roles.SUPERVISOR, unit=other_ulp, username="beni-ulp-b")
