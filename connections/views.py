"""Pages of connections: the public application form and fee calculator, a document sent from the tracking
page, and the back office's actions on an application (its panel sits on the back-office ticket page)."""

from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from core import roles
from core.errors import ApplicationError
from core.throttles import PublicIntakeThrottle
from tickets import selectors as ticket_selectors
from tickets.models import Ticket

from . import quotes, rules, selectors, services
from .forms import ApplicationForm, CalculatorForm, DocumentForm, WindowForm
from .models import Programme

STAFF_ROLES = (roles.BACK_OFFICE, roles.SUPERVISOR, roles.ADMIN)
# Staff who take an application for a caller (123) or a visitor at the office: the documents may follow.
INTAKE_ROLES = (roles.OPERATOR, roles.BACK_OFFICE, roles.SUPERVISOR)
LOCATION_FIELD = "location"


def _put_errors(form, exc: ApplicationError) -> None:
    fields = exc.extra.get("fields", {})
    for name, errors in fields.items():
        target = name if name in form.fields else ("lat" if name == LOCATION_FIELD and "lat" in form.fields else None)
        form.add_error(target, errors)
    if not fields:
        form.add_error(None, exc.message)


@require_http_methods(["GET", "POST"])
def apply(request):
    """Apply for a new connection (no ID pelanggan needed) or a power change; answers with the tracking page."""
    if request.method == "POST" and not PublicIntakeThrottle().allow_request(request, None):
        return render(request, "tickets/too_many.html", status=429)
    status = 200
    if request.method == "POST":
        form = ApplicationForm(request.POST, request.FILES)
        if form.is_valid():
            values = form.cleaned_data
            staff = roles.has_role(request.user, *INTAKE_ROLES)
            channel = Ticket.Channel.WEB
            if staff:
                channel = Ticket.Channel.PHONE if request.POST.get("channel") == "phone" else Ticket.Channel.WALK_IN
            try:
                application = services.create_application(
                    kind=values["kind"],
                    channel=channel,
                    created_by=request.user if staff else None,
                    documents_later=staff,
                    applicant_name=values["applicant_name"],
                    nik=values["nik"],
                    phone=values["phone"],
                    email=values["email"],
                    address=values["address"],
                    lat=values["lat"],
                    lng=values["lng"],
                    id_pelanggan=values["id_pelanggan"],
                    requested_va=values["requested_va"],
                    tariff=values["tariff"],
                    payment_type=values["payment_type"],
                    documents={"ktp": values.get("ktp"), "nib": values.get("nib")},
                    language=(get_language() or "id")[:2],
                )
            except ApplicationError as exc:
                _put_errors(form, exc)
            else:
                return redirect("tickets:track-token", token=application.ticket.tracking_token)
        status = 400
    else:
        form = ApplicationForm(initial={"kind": request.GET.get("kind") or "new_connection", "payment_type": "prepaid"})
    staff = roles.has_role(request.user, *INTAKE_ROLES)
    channel = (request.POST.get("channel") or request.GET.get("channel") or "") if staff else ""
    return render(
        request,
        "connections/apply.html",
        {"form": form, "running": _running_programmes(), "staff_intake": staff, "channel": channel},
        status=status,
    )


def _running_programmes() -> list[Programme]:
    """Programmes running today (in the default ULP's zone, else the site's)."""
    unit = ticket_selectors.default_unit()
    today = selectors.local_day(unit) if unit is not None else timezone.localdate()
    return list(Programme.objects.filter(active=True, starts_on__lte=today, ends_on__gte=today))


def calculator(request):
    """The fee calculator (IF-TARIF answers): the normal fee, each programme and why it does or does not apply."""
    quote, status = None, 200
    form = CalculatorForm(request.GET or None)
    if request.GET and form.is_valid():
        try:
            quote = quotes.quote_from_query(**form.cleaned_data)
        except ApplicationError as exc:
            _put_errors(form, exc)
            status = 400
        else:
            if quote.normal_fee is None:
                form.add_error("requested_va", _("No fee is published for this power."))
                quote, status = None, 400
    elif request.GET:
        status = 400
    return render(
        request,
        "connections/calculator.html",
        {"form": form, "quote": quote, "rupiah": rules.format_rupiah, "running": _running_programmes()},
        status=status,
    )


@require_POST
def send_document(request, token: str):
    """The applicant sends a missing document from the tracking page."""
    if not PublicIntakeThrottle().allow_request(request, None):
        return render(request, "tickets/too_many.html", status=429)
    ticket = ticket_selectors.ticket_by_tracking_token(token)
    application = selectors.application_of_ticket(ticket) if ticket else None
    if application is None:
        raise Http404
    form = DocumentForm(request.POST, request.FILES, kinds=[k for k, _l in _document_kinds()])
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("tickets:track-token", token=token)
    try:
        services.add_document(application=application, kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"])
    except ApplicationError as exc:
        fields = exc.extra.get("fields", {})
        messages.error(request, " ".join(m for errors in fields.values() for m in errors) or exc.message)
    else:
        messages.success(request, _("Thank you, your document was received."))
    return redirect("tickets:track-token", token=token)


def _document_kinds():
    from .models import ApplicationDocument

    return ApplicationDocument.DocumentKind.choices


def _window(application, data) -> tuple[datetime, datetime, str]:
    form = WindowForm(data)
    if not form.is_valid():
        raise ApplicationError(
            _("Some fields are not valid."),
            extra={"fields": {name: [str(e) for e in errors] for name, errors in form.errors.items()}},
        )
    zone = selectors.unit_zone(application.unit)
    day, start, end = form.cleaned_data["day"], form.cleaned_data["start"], form.cleaned_data["end"]
    return (
        datetime.combine(day, start, tzinfo=zone),
        datetime.combine(day, end, tzinfo=zone),
        form.cleaned_data["notes"],
    )


@login_required
@require_POST
def staff_action(request, pk: int, action: str):
    """One action of the back office on an application; 400/409 with the message on a small page."""
    if not roles.has_role(request.user, *STAFF_ROLES):
        raise PermissionDenied
    application = selectors.applications_visible_to(request.user).filter(pk=pk).first()
    if application is None:
        raise Http404
    data, user = request.POST, request.user
    expected = data.get("expected_stage") or None
    try:
        if action == "survey":
            start, end, notes = _window(application, data)
            services.order_survey(
                application=application,
                window_start=start,
                window_end=end,
                notes=notes,
                by=user,
                expected_stage=expected,
            )
        elif action == "installation":
            start, end, notes = _window(application, data)
            services.order_installation(
                application=application,
                window_start=start,
                window_end=end,
                notes=notes,
                by=user,
                expected_stage=expected,
            )
        elif action == "fee":
            services.set_fee(
                application=application, by=user, programme_code=data.get("programme", ""), expected_stage=expected
            )
        elif action == "payment":
            services.record_payment(
                application=application,
                by=user,
                amount=data.get("amount", ""),
                reference=data.get("reference", ""),
                expected_stage=expected,
            )
        elif action == "slo":
            services.record_slo_contract(
                application=application,
                by=user,
                slo_number=data.get("slo_number", ""),
                contract_number=data.get("contract_number", ""),
                expected_stage=expected,
            )
        elif action == "energise":
            services.energise(
                application=application,
                by=user,
                meter_number=data.get("meter_number", ""),
                first_reading=data.get("first_reading") or None,
                expected_stage=expected,
            )
        elif action in ("reject", "cancel", "close"):
            stage = {"reject": "ditolak", "cancel": "dibatalkan", "close": "selesai"}[action]
            services.move_stage(
                application=application, to_stage=stage, by=user, reason=data.get("reason", ""), expected_stage=expected
            )
        else:
            raise Http404
    except ApplicationError as exc:
        fields = exc.extra.get("fields", {})
        return render(
            request,
            "connections/action_error.html",
            {"message": exc.message, "fields": fields, "ticket": application.ticket},
            status=exc.status_code if exc.status_code in (400, 403, 409) else 400,
        )
    messages.success(request, _("Done."))
    return redirect("backoffice:ticket", number=application.ticket.number)
