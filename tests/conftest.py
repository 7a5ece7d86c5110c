"""Shared fixtures: a small named cast of staff in two ULPs under one UP3, and API clients."""

import os

import pytest
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from core import roles
from tests.factories import ServiceUnitFactory, make_staff

os.environ.setdefault("SIGAP_TESTING", "1")

REAL_SERVICES = bool(os.environ.get("DATABASE_URL")) and bool(os.environ.get("REDIS_URL"))


def pytest_collection_modifyitems(config, items):
    """Integration tests need the real PostgreSQL and Redis; without them they are reported as skipped."""
    if REAL_SERVICES:
        return
    skip = pytest.mark.skip(reason="needs DATABASE_URL (PostgreSQL) and REDIS_URL (Redis); .ci/run sets both")
    for item in items:
        if "integration" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _generous_throttles(monkeypatch):
    """Throttle counters persist in the cache across tests; tests of throttling set their own rates."""
    monkeypatch.setattr(
        SimpleRateThrottle, "THROTTLE_RATES", {"public_intake": "10000/minute", "public_tracking": "10000/minute"}
    )


@pytest.fixture(autouse=True)
def _reference_data(request):
    """Transactional tests empty every table between tests; put the seeded categories back."""
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        request.getfixturevalue("transactional_db")
        from tickets.categories import sync_reference_data

        sync_reference_data()


@pytest.fixture(autouse=True)
def _clear_cache():
    from django.core.cache import cache

    from core import circuit
    from tickets import reference

    circuit.broker.reset()
    reference.forget_local()  # rows of the last test's reference tables were rolled back
    circuit.cache.reset()
    cache.clear()
    yield


@pytest.fixture
def up3(db):
    return ServiceUnitFactory(code="UP3-TEST", name="UP3 Test", level="UP3")


@pytest.fixture
def ulp(up3):
    return ServiceUnitFactory(code="ULP-TEST-A", name="ULP Test A", parent=up3, center_lat=-1.21, center_lng=116.87)


@pytest.fixture
def other_ulp(up3):
    return ServiceUnitFactory(code="ULP-TEST-B", name="ULP Test B", parent=up3, center_lat=-1.27, center_lng=116.89)


@pytest.fixture
def far_ulp(db):
    uid = ServiceUnitFactory(code="UID-FAR", name="UID Far", level="UID", time_zone="Asia/Jakarta")
    up3 = ServiceUnitFactory(code="UP3-FAR", name="UP3 Far", level="UP3", parent=uid, time_zone="Asia/Jakarta")
    return ServiceUnitFactory(
        code="ULP-FAR", name="ULP Far", parent=up3, time_zone="Asia/Jakarta", center_lat=-6.98, center_lng=110.41
    )


@pytest.fixture
def operator(ulp):
    return make_staff(role=roles.OPERATOR, unit=ulp, username="alice-operator")


@pytest.fixture
def back_office(ulp):
    return make_staff(role=roles.BACK_OFFICE, unit=ulp, username="bob-backoffice")


@pytest.fixture
def dispatcher(ulp):
    return make_staff(role=roles.DISPATCHER, unit=ulp, username="dian-dispatcher")


@pytest.fixture
def technician_user(ulp):
    return make_staff(role=roles.TECHNICIAN, unit=ulp, username="tono-technician")


@pytest.fixture
def supervisor(up3):
    """Supervisor of the UP3: sees both ULPs below it."""
    return make_staff(role=roles.SUPERVISOR, unit=up3, username="sari-supervisor")


@pytest.fixture
def other_operator(other_ulp):
    return make_staff(role=roles.OPERATOR, unit=other_ulp, username="oscar-operator")


@pytest.fixture
def far_supervisor(far_ulp):
    return make_staff(role=roles.SUPERVISOR, unit=far_ulp.parent, username="fajar-supervisor")


@pytest.fixture
def outsider(db):
    """Logged in, but with no role and no unit."""
    from tests.factories import UserFactory

    return UserFactory(username="olga-outsider")


@pytest.fixture
def admin_user_sigap(db):
    from tests.factories import UserFactory

    return UserFactory(username="adam-admin", roles=[roles.ADMIN])


@pytest.fixture
def superuser(db):
    """Django's own superuser (staff, every permission): the admin site's pages."""
    from tests.factories import UserFactory

    user = UserFactory(username="root-admin")
    user.is_staff = user.is_superuser = True
    user.save()
    return user


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for():
    """``client_for(user)`` → an APIClient logged in as ``user``."""

    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
