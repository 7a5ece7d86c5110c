"""Fail fast and leave nothing behind when Redis is down; API errors in the API's own format."""

import pytest

from core import circuit
from notifications import services as notifications
from notifications.models import Notification
from tests.factories import category
from tickets import services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


class UnreachableBroker:
    """A task whose publish fails the way kombu does when Redis refuses the connection."""

    def __init__(self):
        self.calls = 0

    def apply_async(self, args, **options):
        self.calls += 1
        raise ConnectionRefusedError(111, "Connection refused")


def test_after_one_failed_publish_the_broker_is_skipped_for_a_while(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    task = UnreachableBroker()
    assert circuit.publish(task, 1) is False
    assert [circuit.publish(task, n) for n in range(2, 50)] == [False] * 48
    assert task.calls == 1  # the other 48 did not wait for Redis
    circuit.broker.reset()
    assert circuit.publish(task, 50) is False and task.calls == 2


def test_notifications_that_could_not_be_published_are_due_for_the_next_sweep(settings, ulp):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    circuit.broker.trip(ConnectionRefusedError("down"))
    ticket = services.open_ticket(
        category=category("TG-LONJAK"),
        channel=Ticket.Channel.WEB,
        description="Tagihan naik",
        reporter_phone="081234567890",
        unit=ulp,
    )
    row = Notification.objects.get(ticket=ticket)
    notifications.enqueue([row.pk])  # what the commit hook does while Redis is down
    row.refresh_from_db()
    assert row.status == Notification.Status.PENDING
    assert notifications.sweep_notifications(limit=10) == [row.pk]  # due now, not after the grace period


def test_an_unknown_api_path_answers_json_404(client):
    response = client.get("/api/v1/calls/violations/not-a-number/review/")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/json"
    assert set(response.json()) == {"message", "extra"}


def test_an_unknown_page_still_gets_the_html_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "text/html" in response.headers["Content-Type"]


def test_page_size_must_be_a_whole_number(client_for, operator):
    response = client_for(operator).get("/api/v1/tickets/", {"page_size": "lots"})
    assert response.status_code == 400
    assert "page_size" in response.json()["extra"]["fields"]
    assert client_for(operator).get("/api/v1/tickets/", {"page_size": "5"}).status_code == 200


def test_a_cursor_that_does_not_decode_is_bad_input(client_for, operator):
    response = client_for(operator).get("/api/v1/tickets/", {"cursor": "mine"})
    assert response.status_code == 400
    assert "cursor" in response.json()["extra"]["fields"]


def test_every_operation_documents_its_error_answers(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/json").json()
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            assert {"403", "429", "503"} <= set(operation["responses"]), (method, path)
            if "{" in path:
                assert "404" in operation["responses"], (method, path)
