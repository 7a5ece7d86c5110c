"""Celery task that builds a large XLSX ticket export and reports its progress."""

from celery import shared_task


@shared_task(name="reports.build_ticket_export")
def build_ticket_export(job_id: str) -> None:
    """Write the ticket list of the job's scope to an XLSX file; safe to run again (rewrites the file)."""
    from datetime import date

    from django.contrib.auth import get_user_model

    from core import replica

    from . import exports, jobs, selectors

    job = jobs.get_job(job_id)
    if job is None or job.get("state") == "done":
        return
    viewer = get_user_model().objects.get(pk=job["user_id"])
    scope = selectors.report_scope(
        viewer, unit_id=job["unit_id"], start=date.fromisoformat(job["start"]), end=date.fromisoformat(job["end"])
    )
    jobs.update_job(job_id, state="running")

    def build():
        return exports.write_xlsx(
            [("tickets", exports.TICKET_HEADER, exports.ticket_rows(scope))],
            progress=lambda done: jobs.update_job(job_id, done=done),
        )

    try:
        handle = replica.read_with_fallback(build)  # from the read replica if there is one
        jobs.save_file(job_id, handle)
    except Exception:
        jobs.update_job(job_id, state="failed")
        raise
    jobs.update_job(job_id, state="done", done=job["total"])
