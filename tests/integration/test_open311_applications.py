"""Two retries of one Open311 power-change application racing on PostgreSQL: one application, one request."""

import pytest

from connections.models import Application
from open311 import services
from open311.models import Open311Request
from tests.factories import CustomerFactory
from tests.integration.conftest import run_at_once
from tickets.models import Ticket

pytestmark = pytest.mark.integration


def test_two_retries_with_one_idempotency_key_at_once_make_one_application(transactional_db, ulp):
    # given
    client, _key = services.create_client(name="Kota Balikpapan app")
    customer = CustomerFactory(unit=ulp, power_va=900, tariff="R-1/TR", payment_type="prepaid")
    results = []

    def post():
        results.append(
            services.submit_application(
                client=client,
                kind="power_change",
                applicant_name="Budi Santoso",
                nik="6471054507900003",
                phone="081234567002",
                requested_va="1300",
                tariff="R-1/TR",
                payment_type="prepaid",
                attributes={"requested_power_va": "1300"},
                id_pelanggan=customer.id_pelanggan,
                idempotency_key="retry-1",
            )
        )

    # when
    errors = run_at_once([post, post])
    # then: both answered with the one request (the second sees the first's ticket, or finds it by its key)
    assert errors == []
    assert sorted(result.was_created for result in results) == [False, True]
    assert len({result.ticket_id for result in results}) == 1
    assert Application.objects.count() == Ticket.objects.count() == Open311Request.objects.count() == 1
