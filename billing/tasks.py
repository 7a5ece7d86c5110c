"""Celery tasks of billing: thin wrappers around the services."""

from celery import shared_task


@shared_task(name="billing.run_import_job")
def run_import_job(job_id: int) -> str:
    """Check and write an uploaded CIS file; progress goes to its ImportJob row."""
    from . import services

    return services.run_import_job(job_id=job_id).status
