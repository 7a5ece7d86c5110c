"""Connections listens to dispatch: the result of a survey or an installation moves the application on."""

from django.dispatch import receiver

from dispatch import signals


@receiver(signals.field_job_finished, dispatch_uid="connections.field_job_finished")
def on_field_job_finished(sender, job, result, **kwargs) -> None:
    if job.kind not in ("survey", "installation"):
        return
    from . import services

    services.field_job_finished(job=job, result=result)
