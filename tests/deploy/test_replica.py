"""Reads that may lag go to the read replica; writes and reads that must see a write go to the primary
(core/replica.py). The "replica" alias mirrors the test database, so what it serves is real rows; queries are
told apart by the connection that ran them."""

import os

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from core import replica
from tests.factories import category
from tickets import services

pytestmark = pytest.mark.django_db(transaction=True, databases=["default", "replica"])


@pytest.fixture(autouse=True)
def _committed(transactional_db):
    """Rows must be committed for the replica's own connection to see them (and the categories reloaded)."""


@pytest.fixture
def replica_on(settings):
    settings.DATABASE_REPLICA_READS = True
    replica.breaker.reset()
    yield
    replica.breaker.reset()


@pytest.fixture
def outage(ulp):
    return services.open_ticket(
        category=category("GG-PADAM-1"), channel="web", description="Padam", reporter_phone="081234567890", unit=ulp
    )


def capture(client, method, path, **kwargs):
    with CaptureQueriesContext(connections["default"]) as primary, CaptureQueriesContext(
        connections["replica"]
    ) as mirror:
        response = getattr(client, method)(path, **kwargs)
    return response, [q["sql"] for q in primary.captured_queries], [q["sql"] for q in mirror.captured_queries]


def test_the_staff_ticket_list_reads_its_rows_from_the_replica_and_the_login_from_the_primary(
    client, supervisor, outage, replica_on
):
    client.force_login(supervisor)
    response, primary, mirror = capture(client, "get", "/api/v1/tickets/")
    assert response.status_code == 200
    assert outage.number in response.content.decode()
    assert any("tickets_ticket" in sql for sql in mirror)
    assert any("django_session" in sql for sql in primary)
    assert not any("django_session" in sql or "auth_user" in sql for sql in mirror)


def test_tracking_right_after_filing_reads_only_the_primary(client, outage, replica_on):
    response, primary, mirror = capture(
        client, "post", "/api/v1/track/", data={"number": outage.number, "phone": "081234567890"},
        content_type="application/json",
    )  # fmt: skip
    assert response.status_code == 200
    assert mirror == []
    assert any("tickets_ticket" in sql for sql in primary)


def test_after_a_staff_write_the_next_list_page_reads_the_primary(client, dispatcher, outage, replica_on):
    client.force_login(dispatcher)
    note = client.post(
        f"/api/v1/tickets/{outage.number}/notes/", {"message": "crew informed"}, content_type="application/json"
    )
    assert note.status_code == 201
    assert note.cookies[replica.PIN_COOKIE]["max-age"] == 15
    response, primary, mirror = capture(client, "get", "/api/v1/tickets/")
    assert response.status_code == 200
    assert mirror == []
    assert any("tickets_ticket" in sql for sql in primary)


def test_without_replica_reads_everything_goes_to_the_primary(client, supervisor, outage, settings):
    settings.DATABASE_REPLICA_READS = False
    client.force_login(supervisor)
    response, primary, mirror = capture(client, "get", "/api/v1/tickets/")
    assert response.status_code == 200
    assert mirror == [] and any("tickets_ticket" in sql for sql in primary)


def test_the_public_outage_map_and_the_reports_read_from_the_replica(client, supervisor, outage, replica_on):
    response, _primary, mirror = capture(client, "get", "/api/v1/outages/map/", data={"area": outage.unit.code})
    assert response.status_code == 200
    assert any("dispatch_incident" in sql or "tickets_serviceunit" in sql for sql in mirror), mirror
    client.force_login(supervisor)
    response, primary, mirror = capture(client, "get", "/reports/")
    assert response.status_code == 200
    assert any("tickets_ticket" in sql for sql in mirror)


def test_an_unreachable_replica_costs_no_error_the_page_is_read_from_the_primary(
    client, supervisor, outage, replica_on
):
    replica_connection = connections["replica"]
    if replica_connection.vendor != "postgresql":
        # On SQLite (./sigap test without DATABASE_URL) there is no server port to make unreachable; CI runs on
        # PostgreSQL, where skipping would hide the fallback, so there it fails instead.
        if os.environ.get("CI"):
            pytest.fail("this test needs DATABASE_URL on PostgreSQL in CI")
        pytest.skip("an unreachable replica is a PostgreSQL port nobody listens on")
    replica_connection.close()
    saved = dict(replica_connection.settings_dict)
    replica_connection.settings_dict["PORT"] = 1  # nobody listens there
    try:
        client.force_login(supervisor)
        with CaptureQueriesContext(connections["default"]) as primary:  # (capturing the replica would connect)
            response = client.get("/api/v1/tickets/")
        assert response.status_code == 200
        assert outage.number in response.content.decode()
        assert any("tickets_ticket" in q["sql"] for q in primary.captured_queries)
        assert replica.breaker.is_open()  # and left alone for a while
    finally:
        replica_connection.close()
        replica_connection.settings_dict.clear()
        replica_connection.settings_dict.update(saved)


def test_the_router_writes_and_migrates_only_on_the_primary():
    from tickets.models import Ticket

    router = replica.ReplicaRouter()
    with replica.reads():
        assert router.db_for_write(Ticket) == "default"
        assert router.allow_migrate("replica", "tickets") is False
        assert router.allow_migrate("default", "tickets") is True


def test_every_view_named_for_the_replica_exists():
    from django.urls import reverse

    for name in sorted(replica.REPLICA_VIEWS):
        assert reverse(name).startswith("/"), name
