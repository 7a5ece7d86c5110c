"""The process's copy of the reference tables intake reads (tickets/reference.py) follows every change."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from tests.factories import category
from tickets import reference, services
from tickets.models import PublicHoliday, ServiceLevelTarget, Ticket
from tickets.sla import selectors as sla_selectors

pytestmark = pytest.mark.django_db
WITA = ZoneInfo("Asia/Makassar")
URL = "/api/v1/tickets/"


def report(api_client, code="LY-BN"):
    return api_client.post(
        URL,
        {"category": code, "description": "Mohon dibantu", "reporter_phone": "081234567890", "unit": "ULP-TEST-A"},
        format="json",
    )


def target_days(ulp, on=date(2027, 1, 4)):
    target = sla_selectors.target_for(category=ulp.lyb_category, unit=ulp, on=on)
    return target.resolution_time


@pytest.fixture(autouse=True)
def _lyb(ulp):
    ulp.lyb_category = category("LY-BN")


def new_version(days: int, **extra) -> ServiceLevelTarget:
    return ServiceLevelTarget(
        indicator="internal", category=category("LY-BN"), clock="working_days", resolution_time=days,
        valid_from=date(2027, 1, 1), **extra,
    )  # fmt: skip


# Tests taking transactional_db: their rows are committed, so they read the process's shared copy.


def test_a_warm_copy_costs_no_query(transactional_db, ulp):
    target_days(ulp)
    with CaptureQueriesContext(connection) as captured:
        target_days(ulp)
        sla_selectors.holidays(start=date(2026, 12, 1))
        sla_selectors.unit_ancestry(ulp)
    assert captured.captured_queries == []


def test_a_saved_target_version_applies_at_once_in_this_process(ulp):
    before = target_days(ulp)
    new_version(2).save()
    assert target_days(ulp) == 2 != before


def test_a_version_for_the_unit_beats_the_general_one_as_before(ulp):
    new_version(2).save()
    new_version(7, unit=ulp.parent).save()
    assert target_days(ulp) == 7


def test_a_rolled_back_change_is_not_kept(ulp):
    before = target_days(ulp)
    with pytest.raises(RuntimeError), transaction.atomic():
        new_version(2).save()
        assert target_days(ulp) == 2  # the transaction sees its own change
        raise RuntimeError("rolled back")
    assert target_days(ulp) == before
    assert reference.tables().targets == reference._load(None).targets


def test_a_committed_change_moves_the_shared_generation_on(transactional_db, ulp):
    target_days(ulp)
    generation = cache.get(reference.GENERATION_KEY)
    new_version(2).save()
    assert cache.get(reference.GENERATION_KEY) not in (None, generation)
    assert target_days(ulp) == 2


def test_another_process_change_is_seen_after_the_recheck(transactional_db, ulp, settings):
    before = target_days(ulp)
    # another process writes a version (no signal here) and moves the shared generation on
    ServiceLevelTarget.objects.bulk_create([new_version(2)])
    cache.set(reference.GENERATION_KEY, "moved-by-another-process", None)
    settings.REFERENCE_RECHECK_SECONDS = 3600
    assert target_days(ulp) == before  # not checked again yet
    settings.REFERENCE_RECHECK_SECONDS = 0
    assert target_days(ulp) == 2


def test_a_change_without_a_signal_is_seen_after_the_maximum_age(transactional_db, ulp, settings):
    before = target_days(ulp)
    ServiceLevelTarget.objects.bulk_create([new_version(2)])  # SQL, a migration: no signal, no generation
    assert target_days(ulp) == before
    settings.REFERENCE_MAX_AGE_SECONDS = 0
    assert target_days(ulp) == 2


def test_a_new_holiday_moves_the_due_time(ulp, api_client):
    with time_machine.travel(datetime(2027, 1, 4, 9, 0, tzinfo=WITA), tick=False):
        new_version(2).save()
        first = report(api_client)
        PublicHoliday.objects.create(date=date(2027, 1, 5), name="Libur")
        second = report(api_client)
    due = {r.json()["number"]: Ticket.objects.get(number=r.json()["number"]).resolution_due_at for r in (first, second)}
    assert list(due.values()) == [datetime(2027, 1, 6, 9, 0, tzinfo=WITA), datetime(2027, 1, 7, 9, 0, tzinfo=WITA)]


def test_a_deactivated_category_is_refused_at_once(api_client, ulp):
    assert report(api_client).status_code == 201
    lyb = category("LY-BN")
    lyb.active = False
    lyb.save()
    refused = report(api_client)
    assert refused.status_code == 400
    assert "category" in refused.json()["extra"]["fields"]


def test_an_unknown_category_or_unit_keeps_the_field_message(api_client, ulp):
    response = api_client.post(
        URL,
        {"category": "NOPE", "description": "x", "reporter_phone": "081234567890", "unit": "ULP-NOPE"},
        format="json",
    )
    assert response.status_code == 400
    fields = response.json()["extra"]["fields"]
    assert "NOPE" in fields["category"][0]
    assert "ULP-NOPE" in fields["unit"][0]


def test_with_the_cache_down_every_call_reads_the_database(transactional_db, ulp, settings):
    from core import circuit

    target_days(ulp)
    settings.REFERENCE_RECHECK_SECONDS = 0
    circuit.cache.trip(RuntimeError("redis down"))
    with CaptureQueriesContext(connection) as captured:
        assert target_days(ulp) == target_days(ulp)
    assert len(captured.captured_queries) >= 2
    ServiceLevelTarget.objects.bulk_create([new_version(2)])
    assert target_days(ulp) == 2


def test_intake_still_opens_tickets_with_the_copy(api_client, ulp):
    services_ticket = services.open_ticket(
        category=category("LY-BN"), channel="phone", description="x", reporter_phone="081234567890", unit=ulp
    )
    response = report(api_client)
    assert response.status_code == 201
    assert Ticket.objects.get(number=response.json()["number"]).resolution_due_at is not None
    assert services_ticket.resolution_due_at is not None
