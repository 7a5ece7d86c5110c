"""A database made by an earlier release migrates forward with every row still there.

Models that moved between apps keep their tables; only Django's record of the owning app (migration state and
content types, so permissions and audit-log entries stay attached) moves. This test builds data, goes back to the
migrations of the release before the move, and forward again.
"""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from notifications.models import Notification
from open311 import services as open311_services
from open311.models import Open311Client, Open311Request
from tests.factories import TicketFactory
from tickets.models import TicketEvent

# The newest migration of each app in the release before open311 became an app of its own.
BEFORE_OPEN311_MOVE = [
    ("open311", None),
    ("tickets", "0009_merge_outages_scale"),
]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def table_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_rows_survive_going_back_to_the_earlier_release_and_forward_again(transactional_db, ulp):
    ticket = TicketFactory(unit=ulp)
    Notification.objects.create(ticket=ticket, kind="received", channel="sms", address="+6281234567890")
    client, _key = open311_services.create_client(name="Kota app", contact="dev@example.id")
    Open311Request.objects.create(ticket=ticket, client=client)
    ContentType.objects.get_for_model(Open311Client)  # as an admin page or an audit entry would have made it
    counts = {t: table_count(t) for t in ("tickets_ticket", "tickets_ticketevent", "tickets_notification",
                                          "tickets_open311client", "tickets_open311request")}
    assert all(counts.values()), counts

    migrate(BEFORE_OPEN311_MOVE)
    try:
        # the earlier release sees its rows under the old owner
        assert ContentType.objects.filter(app_label="tickets", model="open311client").exists()
        assert {t: table_count(t) for t in counts} == counts
    finally:
        # when: the upgrade
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())

    # then: nothing lost, and the moved models are served by their new app
    assert {t: table_count(t) for t in counts} == counts
    assert Open311Request.objects.get().ticket_id == ticket.pk
    assert Notification.objects.filter(ticket=ticket).count() == 1
    assert TicketEvent.objects.filter(ticket=ticket).exists()
    assert not ContentType.objects.filter(app_label="tickets", model__startswith="open311").exists()
    assert ContentType.objects.get_for_model(Open311Client).app_label == "open311"
