"""Billing pages: the public "info tagihan", the CIS file upload with its progress, back-office actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import roles
from core.errors import ApplicationError
from core.throttles import PublicTrackingThrottle
from tickets import selectors as ticket_selectors

from . import selectors, services
from .forms import CorrectionForm, ImportForm, LookupForm, MeterCheckForm, SolveForm, TokenStepForm
from .models import ImportJob
from .providers import ProviderUnavailable

ADMIN_ROLES = (roles.ADMIN,)
BACK_OFFICE_ROLES = (roles.BACK_OFFICE, roles.SUPERVISOR, roles.ADMIN)


def _require(request, *allowed):
    if not request.user.is_authenticated:
        return redirect(f"/accounts/login/?next={request.path}")
    if not (request.user.is_superuser or roles.has_role(request.user, *allowed)):
        raise PermissionDenied
    return None


@require_http_methods(["GET", "POST"])
def info_tagihan(request):
    """Public bill look-up by ID pelanggan (throttled like tracking; unknown IDs answer like bill-less ones)."""
    result, unavailable = None, ""
    status = 200
    if request.method == "POST":
        if not PublicTrackingThrottle().allow_request(request, None):
            return render(request, "tickets/too_many.html", status=429)
        form = LookupForm(request.POST)
        if form.is_valid():
            try:
                result = selectors.lookup(form.cleaned_data["id_pelanggan"])
            except ProviderUnavailable as exc:
                unavailable, status = str(exc), 503
        else:
            status = 400
    else:
        form = LookupForm()
    return render(
        request,
        "billing/info_tagihan.html",
        {"form": form, "result": result, "unavailable": unavailable},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def import_page(request):
    if (answer := _require(request, *ADMIN_ROLES)) is not None:
        return answer
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            job = services.create_import_job(
                kind=data["kind"],
                upload=data["file"],
                user=request.user,
                dry_run=data["dry_run"],
                skip_bad_lines=data["skip_bad_lines"],
            )
            return redirect("billing:import-job", pk=job.pk)
    else:
        form = ImportForm()
    jobs = ImportJob.objects.all()[:20]
    return render(request, "billing/import.html", {"form": form, "jobs": jobs}, status=400 if form.errors else 200)


def import_job(request, pk: int):
    if (answer := _require(request, *ADMIN_ROLES)) is not None:
        return answer
    job = get_object_or_404(ImportJob, pk=pk)
    return render(request, "billing/import_job.html", {"job": job})


def import_status(request, pk: int):
    if (answer := _require(request, *ADMIN_ROLES)) is not None:
        return answer
    job = get_object_or_404(ImportJob, pk=pk)
    from django.core.cache import cache

    from .importing import progress_key

    live = cache.get(progress_key(job)) or {}
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.finished,
            "lines_read": max(job.lines_read, live.get("lines_read", 0)),
            "lines_written": max(job.lines_written, live.get("lines_written", 0)),
            "bad_lines": job.bad_lines,
            "message": job.message,
        }
    )


@require_POST
def ticket_action(request, number: str):
    """Billing steps on a back-office ticket (the forms are on the back-office ticket page)."""
    if (answer := _require(request, *BACK_OFFICE_ROLES)) is not None:
        return answer
    ticket = ticket_selectors.tickets_visible_to(request.user).filter(number=number).select_related("category").first()
    if ticket is None:
        raise Http404
    action = request.POST.get("billing_action")
    try:
        if action == "correction":
            form = CorrectionForm(request.POST, prefix="correction")
            if form.is_valid():
                services.issue_correction(ticket=ticket, user=request.user, **form.cleaned_data)
                messages.success(request, _("Correction issued; the customer is told by SMS."))
            else:
                _form_errors(request, form)
        elif action == "token_step":
            form = TokenStepForm(
                request.POST, prefix="token", purchases=selectors.purchases_for_ticket(ticket, limit=20)
            )
            if form.is_valid():
                data = form.cleaned_data
                services.take_token_step(
                    ticket=ticket,
                    user=request.user,
                    kind=data["kind"],
                    symptom=data["symptom"],
                    purchase_id=data["purchase"],
                    note=data["note"],
                )
                messages.success(request, _("Step recorded."))
            else:
                _form_errors(request, form)
        elif action == "token_solve":
            form = SolveForm(request.POST, prefix="solve")
            if form.is_valid():
                services.solve_token_complaint(ticket=ticket, user=request.user, answer=form.cleaned_data["answer"])
                messages.success(request, _("Solved; the clock has stopped."))
            else:
                _form_errors(request, form)
        elif action == "meter_check":
            form = MeterCheckForm(request.POST, prefix="meter")
            if form.is_valid():
                services.order_meter_check(ticket=ticket, user=request.user, **form.cleaned_data)
                messages.success(request, _("Meter check ordered; the technician's reading will appear here."))
            else:
                _form_errors(request, form)
        else:
            messages.error(request, _("Unknown action."))
    except ValidationError as exc:
        for errors in exc.message_dict.values():
            messages.error(request, " ".join(errors))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("backoffice:ticket", number=ticket.number)


def _form_errors(request, form) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        messages.error(request, f"{label}: {' '.join(errors)}" if label else " ".join(errors))
