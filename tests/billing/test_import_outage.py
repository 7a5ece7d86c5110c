"""An uploaded import survives a broker outage: the job waits in PostgreSQL and the sweeper publishes it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from kombu.exceptions import OperationalError

from billing import services, tasks
from billing.models import ImportJob
from config.celery import app as celery_app
from tickets.models import Customer

from .conftest import CUSTOMER_HEADER, csv_bytes, customer_row


def _upload(client, admin_user_sigap, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(admin_user_sigap)
    upload = SimpleUploadedFile("pelanggan.csv", csv_bytes(CUSTOMER_HEADER, [customer_row(1), customer_row(2)]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/billing/import/", {"kind": "customers", "file": upload})
    assert response.status_code == 302
    return ImportJob.objects.get()


@pytest.fixture
def broker_down(monkeypatch, settings):
    """Publishing fails as kombu fails when Redis refuses the connection."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(celery_app.conf, "task_always_eager", False)  # Celery may have read the setting already
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_import_job, "apply_async", refuse)
    return calls


@pytest.mark.django_db
def test_an_upload_while_the_broker_is_down_waits_and_the_sweeper_runs_it(
    client, ulp, admin_user_sigap, django_capture_on_commit_callbacks, broker_down, monkeypatch, settings
):
    from core import circuit

    # given: an upload while the broker refuses connections
    job = _upload(client, admin_user_sigap, django_capture_on_commit_callbacks)
    # then: the page answered, the job waits unpublished, nothing was imported
    assert len(broker_down) == 1
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and job.published_at is None
    assert Customer.objects.count() == 0
    # a sweep while the broker is still down leaves it waiting
    circuit.broker.reset()
    later = timezone.now() + timedelta(seconds=settings.IMPORT_SWEEP_AFTER_SECONDS + 1)
    assert services.sweep_imports(now=later) == 0
    assert ImportJob.objects.get().status == ImportJob.Status.PENDING
    # when: the broker is back (in-process tasks stand for the worker) and the sweeper runs
    circuit.broker.reset()
    monkeypatch.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)  # read once by Celery: set it there too
    assert services.sweep_imports(now=later) == 1
    # then
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.created == 2, job.message
    assert Customer.objects.count() == 2
    assert services.sweep_imports(now=later) == 0  # nothing left waiting


@pytest.mark.django_db
def test_a_job_runs_once_however_often_its_message_arrives(ulp, write_csv, settings):
    # given: a waiting upload
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BILLING_IMPORT_DIR = str(write_csv("x.csv", CUSTOMER_HEADER, []).rsplit("/", 1)[0])
    upload = SimpleUploadedFile("p.csv", csv_bytes(CUSTOMER_HEADER, [customer_row(1)]))
    job = services.create_import_job(kind="customers", upload=upload)
    # when: the message arrives twice (re-published after a lost message)
    first = services.run_import_job(job_id=job.pk)
    second = services.run_import_job(job_id=job.pk)
    # then
    assert first.status == second.status == ImportJob.Status.DONE
    assert (second.created, second.unchanged) == (1, 0)
    assert ImportJob.objects.get().created == 1


@pytest.mark.django_db
def test_a_job_whose_worker_died_mid_write_is_run_again_from_the_start(ulp, write_csv, settings, monkeypatch):
    # given: a job a worker claimed and then lost while writing (nothing of it was committed), and a fresh one
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.BILLING_IMPORT_DIR = str(write_csv("x.csv", CUSTOMER_HEADER, []).rsplit("/", 1)[0])
    upload = SimpleUploadedFile("p.csv", csv_bytes(CUSTOMER_HEADER, [customer_row(1), customer_row(2)]))
    job = services.create_import_job(kind="customers", upload=upload)
    claimed_at = timezone.now() - timedelta(seconds=settings.IMPORT_STALE_SECONDS + 5)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.WRITING,
        started_at=claimed_at,
        lines_read=2,
        created=1,
        published_at=claimed_at,
        created_at=claimed_at,
    )
    running = services.create_import_job(kind="customers", upload=SimpleUploadedFile("q.csv", b"x"))
    ImportJob.objects.filter(pk=running.pk).update(status=ImportJob.Status.CHECKING, started_at=timezone.now())
    # when: the sweeper runs (in-process tasks stand for the worker)
    settings.CELERY_TASK_ALWAYS_EAGER = True
    monkeypatch.setattr(celery_app.conf, "task_always_eager", True)
    services.sweep_imports()
    # then: the lost job ran again from the start and its counts are its own; the live one was left alone
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.message
    assert (job.created, job.lines_read) == (2, 2)
    assert Customer.objects.count() == 2
    assert ImportJob.objects.get(pk=running.pk).status == ImportJob.Status.CHECKING


def test_the_sweeper_is_scheduled_and_imports_have_their_queue(settings):
    from config.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["sweep-imports"]
    assert entry["task"] == "billing.sweep_imports" and entry["schedule"] <= 60
    assert app.amqp.router.route({}, "billing.run_import_job")["queue"].name == "imports"
    assert tasks.run_import_job.time_limit >= 600  # a 1,000,000-line file takes minutes


@pytest.mark.integration
def test_the_sweeper_hands_a_job_left_by_a_broker_outage_to_the_real_broker(
    client, ulp, admin_user_sigap, django_capture_on_commit_callbacks, broker_down, monkeypatch, settings
):
    from config.celery import app
    from core import circuit

    # given: an upload while the broker was down, and the real Redis broker back
    job = _upload(client, admin_user_sigap, django_capture_on_commit_callbacks)
    assert ImportJob.objects.get().published_at is None
    monkeypatch.undo()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app.conf, "task_always_eager", False)
    circuit.broker.reset()
    with app.connection_for_write() as conn:
        redis = conn.default_channel.client
        redis.delete("imports")
        # when
        published = services.sweep_imports(now=timezone.now() + timedelta(seconds=settings.IMPORT_SWEEP_AFTER_SECONDS))
        # then: one message for the job is in the imports queue of the real broker, and the job knows it
        assert published == 1
        assert redis.llen("imports") == 1
        assert str(job.pk) in redis.lindex("imports", 0).decode()
        redis.delete("imports")
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and job.published_at is not None
    # what the worker then runs, on PostgreSQL
    services.run_import_job(job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and Customer.objects.count() == 2
