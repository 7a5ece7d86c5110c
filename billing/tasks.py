"""Celery tasks of billing: thin wrappers around the services."""

from celery import shared_task


# A 1,000,000-line file takes minutes: longer than the default task time limit.
@shared_task(name="billing.run_import_job", soft_time_limit=1800, time_limit=1860)
def run_import_job(job_id: int) -> str:
    """Check and write an uploaded CIS file; progress goes to its ImportJob row."""
    from . import services

    return services.run_import_job(job_id=job_id).status


@shared_task(name="billing.sweep_imports")
def sweep_imports() -> int:
    """Publish uploaded imports left waiting by a broker outage (beat, every 30 s)."""
    from . import services

    return services.sweep_imports()
