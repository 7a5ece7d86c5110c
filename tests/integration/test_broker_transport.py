"""The Redis broker transport reports a connection closed under it as a connection error (core/broker.py)."""

import pytest

pytestmark = pytest.mark.integration


def test_a_channel_whose_connection_is_gone_raises_a_connection_error_the_worker_recovers_from():
    # given: a live connection to the real Redis broker
    from config.celery import app
    from core.broker import Transport

    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1)
        assert isinstance(conn.transport, Transport)
        channel = conn.default_channel
        client = channel.connection.client
        # when the connection is cleared under the channel (as kombu leaves it after losing Redis)
        channel.connection.client = None
        try:
            with pytest.raises(ConnectionError) as caught:
                channel._connparams()
        finally:
            channel.connection.client = client
    # then the error is one the worker's consumer treats as "reconnect", not as a crash
    assert isinstance(caught.value, conn.connection_errors)
