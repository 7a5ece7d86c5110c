"""Who publishes the outbox's work: the request after its commit, or the relay (``manage.py run_relay``).

With ``OUTBOX_RELAY`` on, a request that writes notifications or a ticket to route publishes nothing: the rows
it committed are the queue's source of truth, and the relay publishes their work in batches moments later. A
test that switches Celery to run tasks in-process (``task_always_eager`` on the app, with a broker configured)
gets the request's own publish back, as if there were no relay.
"""

from django.conf import settings


def relayed() -> bool:
    """True when the relay publishes the work of new outbox rows and new tickets to route."""
    if not getattr(settings, "OUTBOX_RELAY", False):
        return False
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return True  # no broker (``./sigap run`` on a laptop): the relay runs the tasks in its process
    from celery import current_app

    return not current_app.conf.task_always_eager
