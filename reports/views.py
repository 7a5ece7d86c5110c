"""Supervisor reports: the page, CSV/XLSX exports and the progress of large exports."""

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from core import roles
from core.errors import ApplicationError
from core.forms import IsoDateInput
from tickets.selectors import unit_subtree_ids
from tickets.selectors import visible_unit_ids as unit_visible_ids
from tickets.sla import selectors as sla_selectors

from . import charts, exports, jobs, selectors, tasks

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ReportForm(forms.Form):
    start = forms.DateField(label=gettext_lazy("From"), widget=IsoDateInput())
    end = forms.DateField(label=gettext_lazy("To"), widget=IsoDateInput())
    unit = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1)


def _scope(request):
    """(form, scope, error message); the scope is None when the input is refused."""
    if not roles.has_role(request.user, *selectors.REPORT_ROLES):
        raise PermissionDenied
    today = timezone.localdate()
    default_start, default_end = selectors.default_range(today)
    data = {
        "start": request.GET.get("start") or default_start.isoformat(),
        "end": request.GET.get("end") or default_end.isoformat(),
        "unit": request.GET.get("unit") or "",
    }
    form = ReportForm(data)
    if not form.is_valid():
        return form, None, _("Check the dates.")
    try:
        scope = selectors.report_scope(
            request.user,
            unit_id=form.cleaned_data["unit"],
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
        )
    except ApplicationError as exc:
        return form, None, exc.message
    return form, scope, ""


def _query(scope, **extra) -> str:
    params = {"start": scope.start.isoformat(), "end": scope.end.isoformat()}
    if scope.unit is not None:
        params["unit"] = scope.unit.pk
    params.update(extra)
    return "&".join(f"{k}={v}" for k, v in params.items())


@login_required
@require_GET
def index(request):
    form, scope, error = _scope(request)
    if scope is None:
        return render(request, "reports/index.html", {"form": form, "error": error}, status=400)
    open_rows = selectors.open_tickets_by_category_and_age(scope)
    open_per_unit = selectors.open_tickets_per_unit(scope)
    children = selectors.child_units(scope, request.user)
    child_rows = [
        {"unit": child, "open": sum(open_per_unit.get(pk, 0) for pk in unit_subtree_ids(child))} for child in children
    ]
    compliance = selectors.tmp_compliance(scope)
    outages = selectors.customer_outages(unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at)
    records = selectors.interruption_records(
        unit_ids=scope.unit_ids, start_at=scope.start_at, end_at=scope.end_at, outages=outages
    )
    reliability = selectors.reliability(scope, records=records)
    compensation = selectors.monthly_outage_compensation(scope, limit=10, outages=outages)
    context = {
        "form": form,
        "scope": scope,
        "breadcrumb": _breadcrumb_steps(scope, request.user),
        "charts": [
            charts.tickets_per_day_by_kind(scope),
            charts.compliance_over_time(scope),
            *charts.reliability_per_month(reliability),
            charts.answer_times_per_hour(scope),
        ],
        "children": child_rows,
        "open_rows": open_rows,
        "open_max": max((r["total"] for r in open_rows), default=0),
        "open_total": sum(r["total"] for r in open_rows),
        "compliance": compliance,
        "compensation_flags": selectors.compensation_flags(scope),
        "compensation": compensation,
        "escalations": selectors.escalation_counts(scope),
        "reliability": reliability,
        "saidi_max": max((row["indices"].saidi or 0 for row in reliability["months"]), default=0),
        "referrals": list(selectors.referrals(scope)[:50]),
        "feedback": selectors.feedback_summary(scope),
        "feedback_chart": charts.feedback_per_day_by_kind(scope),
        "query": _query(scope),
        "today": timezone.localdate(),
        "max_days": settings.REPORT_MAX_DAYS,
        "kpi_url": "/console/kpi/",
        "indicator_labels": dict(sla_selectors.ServiceLevelTarget.Indicator.choices),
    }
    return render(request, "reports/index.html", context)


def _breadcrumb_steps(scope, viewer) -> list[dict]:
    """The units above the report's unit; only those the viewer may report on are links (no link to a 403)."""
    visible = unit_visible_ids(viewer)
    return [{"unit": unit, "link": visible is None or unit.pk in visible} for unit in selectors.breadcrumb(scope)]


def _refused(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def _filename(scope, kind: str, extension: str) -> str:
    code = scope.unit.code if scope.unit else "all"
    return f"sigap-{kind}-{code}-{scope.start:%Y%m%d}-{scope.end:%Y%m%d}.{extension}"


@login_required
@require_GET
def export(request, fmt: str):
    """``/reports/export.csv`` or ``.xlsx``; ``kind=summary`` (default) or ``kind=tickets``."""
    _form, scope, error = _scope(request)
    if scope is None:
        return _refused(error)
    kind = request.GET.get("kind", "summary")
    if kind not in {"summary", "tickets"}:
        return _refused(_("Unknown export."))
    if kind == "summary":
        tables = exports.summary_tables(scope)
        if fmt == "csv":
            response = StreamingHttpResponse(exports.csv_rows(tables), content_type="text/csv; charset=utf-8")
        else:
            response = FileResponse(exports.write_xlsx(tables), content_type=XLSX)
    else:
        rows = selectors.tickets_for_export(scope).count()
        if rows > settings.REPORT_MAX_TICKET_ROWS:
            return _refused(
                _("%(rows)s tickets are more than one export holds (%(max)s); split the date range.")
                % {"rows": rows, "max": settings.REPORT_MAX_TICKET_ROWS}
            )
        if fmt == "csv":
            response = StreamingHttpResponse(exports.csv_ticket_rows(scope), content_type="text/csv; charset=utf-8")
        elif rows > settings.REPORT_SYNC_ROWS:
            job_id = jobs.create_job(
                user_id=request.user.pk,
                unit_id=scope.unit.pk if scope.unit else None,
                start=scope.start,
                end=scope.end,
                total=rows,
            )
            tasks.build_ticket_export.delay(job_id)
            return redirect("reports:job", job_id=job_id)
        else:
            response = FileResponse(
                exports.write_xlsx([("tickets", exports.TICKET_HEADER, exports.ticket_rows(scope))]), content_type=XLSX
            )
    response["Content-Disposition"] = f'attachment; filename="{_filename(scope, kind, fmt)}"'
    return response


def _own_job(request, job_id: str) -> dict:
    job = jobs.get_job(job_id)
    if job is None or job["user_id"] != request.user.pk:
        raise Http404
    return job


@login_required
@require_GET
def job(request, job_id: str):
    job = _own_job(request, job_id)
    return render(
        request,
        "reports/job.html",
        {
            "job": job,
            "job_id": job_id,
            "status_url": reverse("reports:job-status", args=[job_id]),
            "download_url": reverse("reports:job-download", args=[job_id]),
        },
    )


@login_required
@require_GET
def job_status(request, job_id: str):
    job = _own_job(request, job_id)
    return JsonResponse({"state": job["state"], "done": job["done"], "total": job["total"]})


@login_required
@require_GET
def job_download(request, job_id: str):
    job = _own_job(request, job_id)
    handle = jobs.open_file(job_id) if job["state"] == "done" else None
    if handle is None:
        raise Http404
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"sigap-tickets-{job['start']}-{job['end']}.xlsx",
        content_type=XLSX,
    )
