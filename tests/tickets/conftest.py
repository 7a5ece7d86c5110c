"""Fixtures for the tickets tests: staff with e-mail addresses (service levels), a local SMS gateway."""

import pytest

from core import roles
from tests.factories import make_staff
from tests.tickets.fake_gateway import FakeGateway


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


@pytest.fixture
def sms_gateway(settings):
    """A real local HTTP gateway, configured as the SMS channel's adapter."""
    gateway = FakeGateway().start()
    settings.NOTIFY_ADAPTERS = {**settings.NOTIFY_ADAPTERS, "sms": "http", "email": "email"}
    settings.NOTIFY_GATEWAYS = {
        **settings.NOTIFY_GATEWAYS,
        "sms": {"URL": gateway.url, "CONTENT_TYPE": "json", "TOKEN": "secret-token", "TIMEOUT": 2},
    }
    yield gateway
    gateway.stop()


@pytest.fixture
def eager_celery(monkeypatch):
    """Run tasks in-process even when a broker is configured (the test has no worker)."""
    from config.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
