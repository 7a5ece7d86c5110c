"""The migration that gives incident reports their position fills it from the tickets already grouped."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from dispatch import services
from dispatch.models import IncidentReport
from tests.dispatch.conftest import open_outage


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(target)


@pytest.mark.django_db(transaction=True)
def test_reports_filed_before_the_migration_get_their_tickets_position(transactional_db, ulp):
    tickets = [open_outage(ulp, 0), open_outage(ulp, 40), open_outage(ulp, 90)]
    services.attach_many(tickets=tickets)
    migrate([("dispatch", "0001_initial")])
    try:
        # when
        migrate([("dispatch", "0002_report_position")])
    finally:
        migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    # then
    positions = dict(IncidentReport.objects.values_list("ticket_id", "lat"))
    assert positions == {t.pk: pytest.approx(t.lat) for t in tickets}
    assert all(lng is not None for lng in IncidentReport.objects.values_list("lng", flat=True))
