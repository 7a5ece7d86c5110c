"""Fixtures for the ticket notifications: a local SMS gateway and in-process Celery."""

import pytest

from tests.tickets.fake_gateway import FakeGateway


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
    from hotline.celery import app

    monkeypatch.setattr(app.conf, "task_always_eager", True)
    monkeypatch.setattr(app.conf, "task_eager_propagates", True)
