"""A live worker keeps its PostgreSQL connection from one task to the next instead of connecting for each."""

import pytest
from django.db import connection

from dispatch import tasks
from tests.integration.conftest import wait_for

pytestmark = pytest.mark.integration


def sessions_opened() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


def test_forty_tasks_on_a_two_process_worker_open_a_few_connections_not_forty(transactional_db, celery_worker):
    runs = 40
    log = celery_worker
    tasks.route_ticket.delay(0)  # each process's first task connects (that is not what is measured)
    tasks.route_ticket.delay(0)
    assert wait_for(lambda: log().count(" succeeded in ") >= 2, timeout=30), log()
    before = sessions_opened()
    # when: tasks that each read the database (a ticket that does not exist)
    for _ in range(runs):
        tasks.route_ticket.delay(0)
    done = wait_for(lambda: log().count(" succeeded in ") >= runs + 2, timeout=60)
    # then
    assert done, log()
    opened = sessions_opened() - before
    assert opened <= 3, f"{opened} connections opened for {runs} tasks"
