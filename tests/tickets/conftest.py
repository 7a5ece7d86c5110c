"""Fixtures for service-level tests: staff with e-mail addresses in a WITA ULP under a UP3."""

import pytest

from tests.factories import make_staff
from tickets import roles


@pytest.fixture
def ulp_supervisor(ulp):
    user = make_staff(role=roles.SUPERVISOR, unit=ulp, username="ulla-ulp-supervisor")
    user.email = "ulla@ulp.example"
    user.save()
    return user


@pytest.fixture
def up3_supervisor(supervisor):
    supervisor.email = "sari@up3.example"
    supervisor.save()
    return supervisor


@pytest.fixture
def back_office_worker(back_office):
    back_office.email = "bob@ulp.example"
    back_office.save()
    return back_office
