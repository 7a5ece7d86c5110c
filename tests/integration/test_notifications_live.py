"""The outbox on the real stack: PostgreSQL row locks and a live Celery worker on Redis."""

import json
import threading

import pytest
from django.db import connection

from notifications import services as notifications
from tests.factories import category
from tests.integration.conftest import wait_for
from tests.tickets.fake_gateway import FakeGateway
from tests.tickets.seeding import reseed_categories
from tickets import services
from tickets.models import Notification, Ticket

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def _categories(transactional_db):
    """Live-server and worker tests run on a flushed database: seed the categories again."""
    reseed_categories()


@pytest.fixture
def worker_sms_gateway(monkeypatch, settings):
    """A local gateway that the worker process (configured by environment) and this process both use."""
    gateway = FakeGateway().start()
    monkeypatch.setenv("NOTIFY_SMS_ADAPTER", "http")
    monkeypatch.setenv("NOTIFY_SMS_GATEWAY_URL", gateway.url)
    monkeypatch.setenv("NOTIFY_RETRY_BACKOFF", "1")
    settings.NOTIFY_ADAPTERS = {**settings.NOTIFY_ADAPTERS, "sms": "http"}
    settings.NOTIFY_GATEWAYS = {**settings.NOTIFY_GATEWAYS, "sms": {"URL": gateway.url, "TIMEOUT": 5}}
    yield gateway
    gateway.stop()


def open_outage(unit):
    return services.open_ticket(
        category=category("GG-PADAM-1"),
        channel=Ticket.Channel.WEB,
        description="Listrik padam",
        reporter_phone="081234567890",
        unit=unit,
    )


def test_a_live_worker_sends_each_change_to_the_gateway_and_retries_a_gateway_error(
    worker_sms_gateway, celery_worker, ulp, dispatcher
):
    # given: the gateway is busy for the first request
    worker_sms_gateway.plan = [(503, '{"error": "busy"}', 0)]
    # when
    ticket = open_outage(ulp)
    services.change_status(ticket=ticket, to_status="assigned", actor=dispatcher)
    # then
    sent = wait_for(lambda: Notification.objects.filter(ticket=ticket, status="sent").count() == 2, timeout=30)
    assert sent, celery_worker()
    texts = [json.loads(request.body)["message"] for request in worker_sms_gateway.received]
    assert len(texts) == 2
    assert any("sudah diterima" in text for text in texts) and any("ditugaskan" in text for text in texts)
    assert sum(n.attempts for n in Notification.objects.filter(ticket=ticket)) == 3


def test_two_deliveries_racing_for_one_row_send_it_once(worker_sms_gateway, transactional_db, ulp):
    # given: a slow gateway, so the first delivery holds the row while the second arrives
    worker_sms_gateway.plan = [(200, '{"id": "slow"}', 0.5)]
    notification = open_outage(ulp).notifications.get()
    results = []

    def deliver():
        try:
            results.append(notifications.deliver_notification(notification_id=notification.pk))
        finally:
            connection.close()

    # when
    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # then
    assert sorted(results) == ["sent", "skipped"]
    assert len(worker_sms_gateway.received) == 1
    notification.refresh_from_db()
    assert notification.attempts == 1


def test_the_sweeper_does_not_publish_pending_rows_again_while_the_queue_is_behind(ulp, settings):
    """Rows waiting their turn in a long queue are not lost; a duplicate task each would only lengthen it."""
    from datetime import timedelta

    from django.utils import timezone

    from config.celery import app
    from notifications import tasks

    settings.NOTIFY_SWEEP_MAX_BACKLOG = 3
    app.control.purge()
    ticket = open_outage(ulp)
    overdue = timezone.now() - timedelta(minutes=5)
    Notification.objects.filter(ticket=ticket).update(status=Notification.Status.PENDING, next_attempt_at=overdue)
    app.control.purge()  # the rows' own tasks: as if lost
    for _ in range(5):  # no worker runs here: these wait in the queue
        tasks.sweep_notifications.apply_async(queue=settings.NOTIFY_QUEUE)
    try:
        # when: the queue is behind
        skipped = tasks.sweep_notifications()  # the beat task, called directly
        # then
        assert skipped == 0
        assert set(Notification.objects.filter(ticket=ticket).values_list("next_attempt_at", flat=True)) == {overdue}
        # when: the queue is short again, the overdue rows are published again
        app.control.purge()
        assert tasks.sweep_notifications() == Notification.objects.filter(ticket=ticket).count() >= 1
    finally:
        app.control.purge()
