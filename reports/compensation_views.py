"""Compensation in rupiah per unit and month (billing.compensation), with the CSV hand-over for the CIS."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from billing import compensation
from core import roles
from core.errors import ApplicationError

from . import selectors


def _month(value: str) -> date | None:
    try:
        year, month = (int(part) for part in value.split("-"))
        return date(year, month, 1)
    except (ValueError, TypeError):
        return None


def _lines(request):
    if not roles.has_role(request.user, *selectors.REPORT_ROLES):
        raise PermissionDenied
    default = (timezone.localdate().replace(day=1) - date.resolution).replace(day=1)
    month = _month(request.GET.get("month") or default.strftime("%Y-%m"))
    if month is None:
        raise ApplicationError(_("Enter the month as YYYY-MM."))
    unit = request.GET.get("unit") or None
    try:
        unit_id = int(unit) if unit else None
    except ValueError:
        raise ApplicationError(_("Unknown unit.")) from None
    end = (month.replace(day=28) + date.resolution * 4).replace(day=1) - date.resolution
    scope = selectors.report_scope(request.user, unit_id=unit_id, start=month, end=end)
    outages = selectors.monthly_outage_compensation(scope, limit=None)
    cases = [
        compensation.OutageCase(int(case["customer"][1:]), case["result"].indicator, case["result"].percent)
        for case in outages["top"]
        if str(case["customer"]).startswith("c") and case["month"] == f"{month:%Y-%m}"
    ]
    lines = compensation.monthly_compensation(unit_ids=scope.unit_ids, month=month, zone=scope.zone, outage_cases=cases)
    return scope, month, lines


@login_required
@require_GET
def compensation_page(request):
    try:
        scope, month, lines = _lines(request)
    except ApplicationError as exc:
        return render(request, "reports/compensation.html", {"error": exc.message}, status=400)
    units: dict[str, dict] = {}
    for line in lines:
        entry = units.setdefault(line.customer.unit.name, {"count": 0, "total": 0, "lines": []})
        entry["count"] += 1
        entry["total"] += line.amount or 0
        entry["lines"].append(line)
    context = {
        "month": month,
        "scope": scope,
        "units": units,
        "missing_rate": sum(1 for line in lines if line.amount is None),
        "query": f"month={month:%Y-%m}" + (f"&unit={scope.unit.pk}" if scope.unit else ""),
    }
    return render(request, "reports/compensation.html", context)


@login_required
@require_GET
def compensation_csv(request):
    try:
        _scope, month, lines = _lines(request)
    except ApplicationError as exc:
        return HttpResponse(exc.message, status=400, content_type="text/plain; charset=utf-8")
    response = HttpResponse(compensation.export_csv(lines), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kompensasi-{month:%Y-%m}.csv"'
    return response
