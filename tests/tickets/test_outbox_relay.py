"""The outbox relay: with OUTBOX_RELAY on, a request publishes nothing; ``manage.py run_relay`` publishes the
work of the rows it committed, once, and what it could not publish waits for the next round or the sweeper."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from config.management.commands.run_relay import relay_round
from core import circuit
from notifications import services as notifications
from tests.factories import CustomerFactory, category
from tickets import services
from tickets.models import Notification, Ticket

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def relay_in_process(settings, monkeypatch):
    """The relay on, its tasks run in this process (as ``./sigap run`` without Redis)."""
    from config.celery import app

    # The app's configuration first: it is read from the settings on first use, and must not read these.
    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
    settings.OUTBOX_RELAY = True
    settings.CELERY_TASK_ALWAYS_EAGER = True


class Published(list):
    """(task name, *args) of each publish; ``accept[0] = False`` makes the broker refuse."""

    def __init__(self):
        super().__init__()
        self.accept = [True]


@pytest.fixture
def relay_with_broker(settings, monkeypatch):
    """The relay on with a broker configured; ``published`` records what was handed to it (nothing runs)."""
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", False)
    settings.OUTBOX_RELAY = True
    settings.CELERY_TASK_ALWAYS_EAGER = False
    published = Published()
    accept = published.accept

    def publish(task, *args):
        if accept[0]:
            published.append((task.name, *args))
        return accept[0]

    monkeypatch.setattr(circuit, "publish", publish)
    return published


def open_outage(unit, **overrides):
    values = {
        "category": category("GG-PADAM-1"),
        "channel": Ticket.Channel.WEB,
        "description": "Listrik padam",
        "reporter_phone": "081234567890",
        "unit": unit,
    }
    return services.open_ticket(**{**values, **overrides})


def test_with_the_relay_the_request_publishes_nothing_and_the_relay_sends_and_routes_once(
    api_client, ulp, relay_in_process, sms_gateway, django_capture_on_commit_callbacks
):
    # given
    customer = CustomerFactory(unit=ulp)
    body = {
        "category": "GG-PADAM-1",
        "description": "Listrik padam sejak sore",
        "reporter_phone": "081234567890",
        "id_pelanggan": customer.id_pelanggan,
    }
    # when: the report is taken, its commit hooks run
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post("/api/v1/tickets/", body, format="json", HTTP_IDEMPOTENCY_KEY="relay-1")
    # then: the answer promises the ticket; nothing was sent or routed by the request
    assert response.status_code == 201
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.dispatch_state == Ticket.DispatchState.PENDING
    notification = ticket.notifications.get()
    assert notification.status == "pending" and notification.published_at is None
    assert sms_gateway.received == []
    # when: the relay's round
    relayed = relay_round()
    # then: sent once and routed (nobody on duty: waiting for a crew)
    assert relayed == 2
    notification.refresh_from_db()
    assert notification.status == "sent" and notification.published_at is not None
    assert len(sms_gateway.received) == 1
    ticket.refresh_from_db()
    assert ticket.incident_report.incident_id
    assert ticket.dispatch_state != Ticket.DispatchState.PENDING
    # and a second round finds nothing to do
    assert relay_round() == 0
    assert len(sms_gateway.received) == 1


def test_the_relay_publishes_in_chunks_and_never_takes_a_row_twice(ulp, relay_with_broker, settings):
    # given: twelve reports, three notifications to a chunk
    settings.RELAY_NOTIFY_CHUNK = 5
    tickets = [open_outage(ulp, reporter_phone=f"0812345678{n:02d}") for n in range(12)]
    # when
    first, second = relay_round(), relay_round()
    # then: one routing task for the twelve tickets, three send tasks for the twelve rows
    assert (first, second) == (24, 0)
    names = [name for name, *_ in relay_with_broker]
    assert names.count("dispatch.route_tickets") == 1
    assert names.count("tickets.send_notifications") == 3
    sent_ids = sorted(i for name, ids in relay_with_broker if name == "tickets.send_notifications" for i in ids)
    assert sent_ids == sorted(Notification.objects.filter(ticket__in=tickets).values_list("pk", flat=True))
    assert not Ticket.objects.filter(pk__in=[t.pk for t in tickets], dispatch_state="pending").exists()


def test_what_the_broker_refused_waits_for_the_next_round(ulp, relay_with_broker):
    # given: the broker refuses
    ticket = open_outage(ulp)
    relay_with_broker.accept[0] = False
    # when
    relay_round()
    # then: nothing handed over, both rows as the request left them
    notification = ticket.notifications.get()
    assert notification.published_at is None
    ticket.refresh_from_db()
    assert ticket.dispatch_state == Ticket.DispatchState.PENDING
    # when: the broker is back
    relay_with_broker.accept[0] = True
    assert relay_round() == 2
    # then: each published once
    assert sorted(name for name, *_ in relay_with_broker) == ["dispatch.route_tickets", "tickets.send_notifications"]


def test_the_relay_waits_while_the_broker_is_known_down(ulp, relay_with_broker):
    # given
    open_outage(ulp)
    circuit.broker.trip(ConnectionRefusedError("down"))
    # when / then
    assert relay_round() == 0
    assert relay_with_broker == []
    circuit.broker.reset()
    assert relay_round() == 2


def test_a_row_published_and_then_lost_is_swept_after_its_grace(ulp, relay_with_broker, settings):
    # given: the relay published the row, and the message was lost (a worker died with it)
    notification = open_outage(ulp).notifications.get()
    relay_round()
    relay_with_broker.clear()
    # then: not before its grace has passed
    assert notifications.sweep_notifications() == []
    # when
    with time_machine.travel(timezone.now() + timedelta(seconds=settings.NOTIFY_SWEEP_GRACE_SECONDS + 1)):
        swept = notifications.sweep_notifications()
    # then
    assert swept == [notification.pk]


def test_without_the_relay_the_request_publishes_after_its_commit(ulp, settings, django_capture_on_commit_callbacks):
    # given
    settings.OUTBOX_RELAY = False
    # when
    with django_capture_on_commit_callbacks() as callbacks:
        open_outage(ulp)
    # then: the routing mark and publish, and the notification's publish
    assert len(callbacks) == 2


def test_the_relay_is_on_wherever_a_broker_is_configured_outside_the_tests():
    # given: the settings module read as a deployment reads it
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL")}
    env.update(REDIS_URL="redis://127.0.0.1:6379/15", SIGAP_TESTING="0", DJANGO_SETTINGS_MODULE="config.settings")
    code = "from django.conf import settings; import django; django.setup(); print(settings.OUTBOX_RELAY)"
    # when
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    # then
    assert done.stdout.strip().splitlines()[-1] == "True", done.stdout + done.stderr


def test_run_relay_runs_a_round_in_a_fresh_process(tmp_path):
    # given: a migrated SQLite database, no broker, the relay on (as `./sigap run` on a laptop)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env.update(SQLITE_PATH=str(tmp_path / "db.sqlite3"), DJANGO_SETTINGS_MODULE="config.settings", OUTBOX_RELAY="1")
    manage = [sys.executable, str(ROOT / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True, timeout=300)
    # when
    done = subprocess.run(
        [*manage, "run_relay", "--once"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    # then
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "failed" not in output and "Traceback" not in output, output
