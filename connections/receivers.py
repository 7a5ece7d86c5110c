"""Connections listens to dispatch: the result of a survey or an installation moves the application on."""

from django.dispatch import receiver

from dispatch import signals
from tickets import signals as ticket_signals


@receiver(signals.field_job_finished, dispatch_uid="connections.field_job_finished")
def on_field_job_finished(sender, job, result, **kwargs) -> None:
    if job.kind not in ("survey", "installation"):
        return
    from . import services

    services.field_job_finished(job=job, result=result)


@receiver(ticket_signals.ticket_opened, dispatch_uid="connections.bare_request_opened")
def on_ticket_opened(sender, ticket, **kwargs) -> None:
    """A LY-PB / LY-PD ticket opened elsewhere (the report form, a console category) without an application:
    after commit, the customer is told where to complete it. (Open311 makes a real application.)"""
    if ticket.category.code not in ("LY-PB", "LY-PD"):
        return
    from django.db import transaction

    from . import services

    ticket_id = ticket.pk
    transaction.on_commit(lambda: services.point_to_application_form(ticket_id=ticket_id))
