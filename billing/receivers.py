"""Signal receivers of billing: a meter check's reading goes onto its billing complaint."""

from django.dispatch import receiver

from dispatch.models import FieldJob
from dispatch.signals import field_job_finished


@receiver(field_job_finished, sender=FieldJob, dispatch_uid="billing.meter_check_finished")
def meter_check_finished(sender, job, result, **kwargs):
    if job.kind != FieldJob.Kind.METER_CHECK:
        return
    from . import services

    services.record_meter_check_result(job=job, result=result or {})
