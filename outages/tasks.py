from celery import shared_task

from . import services


@shared_task(name="outages.sweep_outages")
def sweep_outages() -> dict[str, int]:
    """Planned-outage notices due, planned windows ended, restoration checks left unanswered."""
    return services.sweep()
