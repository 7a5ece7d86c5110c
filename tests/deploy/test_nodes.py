"""Nothing may assume one process: what a node writes another must see (uploads and exports in the shared
storage, sessions in the database, counters and caches in Redis), and an unreachable Redis is a cache miss on
every node rather than an error page."""

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import storages
from openpyxl import load_workbook

from reports import jobs, tasks
from tests.factories import category
from tickets import services
from tickets.models import ServiceUnit
from tickets.selectors import unit_subtree_ids


def test_sessions_live_in_the_database_not_in_a_process(settings):
    assert settings.SESSION_ENGINE == "django.contrib.sessions.backends.db"


def test_a_background_export_goes_through_the_shared_storage_where_any_web_node_serves_it(
    client, supervisor, ulp, settings, tmp_path
):
    # given: uploads in a store of their own (as on a share, or an object store through MEDIA_STORAGE_BACKEND)
    shared = tmp_path / "shared-media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(shared)}},
    }
    settings.MEDIA_ROOT = str(tmp_path / "this-node-only")
    settings.REPORT_SYNC_ROWS = 1
    for n in range(3):
        services.open_ticket(category=category("TG-LONJAK"), channel="web", description=f"bill {n}",
                             reporter_phone="081234567890", unit=ulp)  # fmt: skip
    client.force_login(supervisor)
    start, end = (date.today() - timedelta(days=1)).isoformat(), (date.today() + timedelta(days=1)).isoformat()
    response = client.get("/reports/export.xlsx", {"start": start, "end": end, "kind": "tickets", "unit": ulp.pk})
    assert response.status_code == 302
    job_id = response["Location"].rstrip("/").split("/")[-1]
    # when a worker builds it
    tasks.build_ticket_export(job_id)
    # then it is in the shared store, nowhere else, and the download reads it from there
    assert storages["default"].exists(jobs.file_name(job_id))
    assert (shared / jobs.file_name(job_id)).exists()
    assert not (tmp_path / "this-node-only").exists()
    download = client.get(f"/reports/exports/{job_id}/download/")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content)), read_only=True)["tickets"]
    assert len(list(sheet.iter_rows(values_only=True))) == 4
    # a second build (the task delivered twice) keeps one file under the job's name
    tasks.build_ticket_export(job_id)
    assert storages["default"].listdir("report-exports")[1] == [jobs.file_name(job_id).split("/")[1]]


@pytest.fixture
def redis_unreachable(settings):
    from core import circuit

    settings.CACHES = {
        "default": {
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    circuit.cache.reset()
    yield
    circuit.cache.reset()


def test_with_redis_unreachable_the_cache_is_a_miss_and_pages_read_the_database(
    client, supervisor, ulp, redis_unreachable
):
    from django.core.cache import cache

    from core import circuit

    assert cache.get("anything", "default") == "default"
    assert circuit.cache.is_open()
    assert cache.add("k", 1) is False and cache.set("k", 1) is None
    assert ulp.pk in unit_subtree_ids(ServiceUnit.objects.get(pk=ulp.parent_id))
    client.force_login(supervisor)
    assert client.get("/api/v1/tickets/").status_code == 200
    assert client.get("/api/v1/outages/map/", {"area": ulp.code}).status_code == 200


def test_a_missing_counter_still_raises_as_django_documents(db):
    from django.core.cache import cache

    with pytest.raises(ValueError):
        cache.incr("never-set-counter")
