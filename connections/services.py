"""Writes of connections: applications from every channel, stage moves, fees, payment, documents, the field
jobs ordered from dispatch and what their results do, and the customer record at the end.

Every stage move locks the application row (SELECT … FOR UPDATE) and checks the stage table, so two staff
moving one application at once get one success and one 409. The move goes on the ticket's public timeline
and to the applicant through the notification outbox; the ticket's status follows the stage (waiting for the
customer while they pay and get their SLO: the TMP clock is paused then).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from core.geo import haversine_km
from core.phone import normalize_phone
from core.uploads import validate_photo
from dispatch import services as dispatch_services
from dispatch.models import FieldJob
from notifications import services as notifications
from tickets import customer_services
from tickets import selectors as ticket_selectors
from tickets import services as ticket_services
from tickets.models import Category, Customer, Ticket, TicketEvent
from tickets.sla import services as sla_services

from . import rules, selectors, workflow
from .models import Application, ApplicationDocument, CustomerChange, Kind, Stage

T = Ticket.Status
CATEGORY_FOR = {Kind.NEW_CONNECTION: "LY-PB", Kind.POWER_CHANGE: "LY-PD"}
STAGE_NOTICE = "connection_stage"


def _invalid(fields: dict[str, str]) -> ApplicationError:
    return ApplicationError(
        _("Some fields are not valid."), extra={"fields": {name: [str(text)] for name, text in fields.items()}}
    )


# --- documents -----------------------------------------------------------------------------------


def check_document(upload) -> str:
    """A document is a photo (checked like every photo) or a PDF, judged by its content; returns its type."""
    if upload is None:
        raise ValidationError(_("Choose a file."))
    if upload.size > settings.CONNECTIONS_DOCUMENT_MAX_BYTES:
        raise ValidationError(
            _("The file is too large (at most %(mb)s MB).")
            % {"mb": settings.CONNECTIONS_DOCUMENT_MAX_BYTES // (1024 * 1024)}
        )
    upload.seek(0)
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        upload.name = "document.pdf"
        return "application/pdf"
    try:
        validate_photo(upload)
    except ValidationError as exc:
        raise ValidationError(_("Send a photo (JPEG or PNG) or a PDF.")) from exc
    return "image/" + upload.name.rsplit(".", 1)[-1]


def _store_document(application: Application, kind: str, upload, content_type: str, by=None) -> ApplicationDocument:
    document = ApplicationDocument(
        application=application, kind=kind, content_type=content_type, size=upload.size, uploaded_by=by
    )
    document.file.save(upload.name, upload, save=False)
    document.save()
    return document


@transaction.atomic
def add_document(*, application: Application, kind: str, upload, by=None) -> ApplicationDocument:
    """The applicant (tracking page) or staff sends a document that is still needed."""
    if kind not in ApplicationDocument.DocumentKind.values:
        raise _invalid({"kind": _("Unknown document.")})
    try:
        content_type = check_document(upload)
    except ValidationError as exc:
        raise _invalid({"file": exc.messages[0]}) from exc
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.stage not in workflow.UPLOAD_STAGES:
        raise ConflictError(_("Documents can no longer be sent for this application."))
    document = _store_document(locked, kind, upload, content_type, by)
    with _applicant_language(locked):
        text = _("Document received: %(document)s.") % {"document": document.get_kind_display()}
    ticket_services.add_note(ticket=locked.ticket, author=by, public=True, message=text)
    return document


# --- intake --------------------------------------------------------------------------------------


def _describe(kind: str, requested_va: int, tariff: str, payment_type: str, current_va: int | None) -> str:
    payment = dict(Customer.PaymentType.choices)[payment_type]
    if kind == Kind.POWER_CHANGE:
        return _("Power change from %(old)s VA to %(new)s VA, %(tariff)s, %(payment)s.") % {
            "old": current_va,
            "new": requested_va,
            "tariff": tariff,
            "payment": payment,
        }
    return _("New connection of %(new)s VA, %(tariff)s, %(payment)s.") % {
        "new": requested_va,
        "tariff": tariff,
        "payment": payment,
    }


@dataclass
class _Checked:
    """An application's input once every rule has looked at it: the problems by field, and the values to write."""

    errors: dict[str, str]
    name: str = ""
    nik: str = ""
    phone: str = ""
    requested_va: int = 0
    customer: Customer | None = None
    unit: object = None
    lat: float | None = None
    lng: float | None = None
    address: str = ""
    documents: dict = field(default_factory=dict)


def _check_application(
    *,
    kind: str,
    applicant_name: str,
    nik: str,
    phone: str,
    requested_va,
    tariff: str,
    payment_type: str,
    documents: dict,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    id_pelanggan: str = "",
    documents_later: bool = False,
) -> _Checked:
    errors: dict[str, str] = {}
    name = (applicant_name or "").strip()
    if not name:
        errors["applicant_name"] = _("Enter the applicant's name.")
    nik = (nik or "").strip().replace(" ", "")
    if problem := rules.nik_problem(nik):
        errors["nik"] = problem
    try:
        normalized_phone = normalize_phone(phone) if phone else ""
    except ValidationError:
        normalized_phone = ""
    if not normalized_phone:
        errors["phone"] = _("Enter a valid phone number.")
    if kind not in Kind.values:
        errors["kind"] = _("Choose a new connection or a power change.")
    try:
        requested_va = int(requested_va)
    except (TypeError, ValueError):
        requested_va = 0
    if not rules.is_power_step(requested_va):
        errors["requested_va"] = _("Choose one of the standard power levels.")
    if tariff not in Customer.Tariff.values:
        errors["tariff"] = _("Choose a tariff class.")
    elif requested_va and rules.is_power_step(requested_va) and not rules.tariff_allows(tariff, requested_va):
        errors["tariff"] = _("Tariff class %(tariff)s cannot have %(va)s VA.") % {"tariff": tariff, "va": requested_va}
    if payment_type not in Customer.PaymentType.values:
        errors["payment_type"] = _("Choose prepaid or postpaid.")
    customer = None
    unit = None
    if kind == Kind.POWER_CHANGE:
        id_pelanggan = (id_pelanggan or "").strip()
        customer = ticket_selectors.find_customer(id_pelanggan=id_pelanggan) if id_pelanggan else None
        if customer is None:
            errors["id_pelanggan"] = _("Enter the 12-digit ID pelanggan of an existing customer.")
        else:
            unit = customer.unit
            if requested_va == customer.power_va:
                errors["requested_va"] = _("This is already the contracted power.")
            elif (
                requested_va < customer.power_va
                and Application.objects.filter(
                    customer=customer,
                    programme__isnull=False,
                    paid_at__gte=timezone.now() - timedelta(days=365),
                ).exists()
            ):
                errors["requested_va"] = _("The power cannot be lowered within a year of a programme discount.")
            if Application.objects.filter(customer=customer).exclude(stage__in=workflow.ENDED).exists():
                errors["id_pelanggan"] = _("This customer already has an application in progress.")
            lat = customer.lat if lat is None else lat
            lng = customer.lng if lng is None else lng
            address = address or customer.address
    elif kind == Kind.NEW_CONNECTION:
        if lat is None or lng is None:
            errors["location"] = _("Mark the place to connect on the map (or use your location).")
        else:
            unit = ticket_selectors.nearest_unit(lat=lat, lng=lng)
            if (
                unit is None
                or haversine_km(lat, lng, unit.center_lat, unit.center_lng) > settings.CONNECTIONS_MAX_UNIT_KM
            ):
                errors["location"] = _("This place is outside every ULP we serve.")
                unit = None
        if not (address or "").strip():
            errors["address"] = _("Enter the address to connect.")
    documents = {key: value for key, value in (documents or {}).items() if value}
    required = ["ktp"] + (["nib"] if rules.needs_nib(tariff or "") else [])
    checked: dict[str, tuple[object, str]] = {}
    for key in required:
        if key not in documents and not documents_later:
            errors[key] = (
                _("Attach a photo or PDF of the KTP.") if key == "ktp" else _("A business must attach its NIB.")
            )
    for key, upload in documents.items():
        if key not in ApplicationDocument.DocumentKind.values:
            continue
        try:
            checked[key] = (upload, check_document(upload))
        except ValidationError as exc:
            errors[key] = exc.messages[0]
    return _Checked(
        errors=errors,
        name=name,
        nik=nik,
        phone=normalized_phone,
        requested_va=requested_va,
        customer=customer,
        unit=unit,
        lat=lat,
        lng=lng,
        address=(address or "").strip(),
        documents=checked,
    )


def application_problems(
    *,
    kind: str,
    applicant_name: str,
    nik: str,
    phone: str,
    requested_va,
    tariff: str,
    payment_type: str,
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    id_pelanggan: str = "",
    documents: dict | None = None,
    documents_later: bool = False,
) -> dict[str, str]:
    """What ``create_application`` would refuse in these values, field by field (empty: nothing); writes
    nothing. For a channel that checks its own protocol first and answers every problem of a request together."""
    return _check_application(
        kind=kind,
        applicant_name=applicant_name,
        nik=nik,
        phone=phone,
        requested_va=requested_va,
        tariff=tariff,
        payment_type=payment_type,
        documents=documents or {},
        address=address,
        lat=lat,
        lng=lng,
        id_pelanggan=id_pelanggan,
        documents_later=documents_later,
    ).errors


def create_application(
    *,
    kind: str,
    channel: str,
    applicant_name: str,
    nik: str,
    phone: str,
    requested_va,
    tariff: str,
    payment_type: str,
    documents: dict,
    email: str = "",
    address: str = "",
    lat: float | None = None,
    lng: float | None = None,
    id_pelanggan: str = "",
    language: str = "id",
    created_by=None,
    documents_later: bool = False,
    idempotency_key: str | None = None,
) -> Application:
    """Apply for a new connection (no ID pelanggan: a place and an address) or a power change (the ID pelanggan
    of an existing customer). Every field is checked first and all problems are answered together (400 with
    field messages); then the ticket, the application and its documents are written in one transaction.
    ``documents_later``: taken by an operator on the phone or through Open311, the applicant sends the documents
    from the tracking page (they show there as still needed). ``idempotency_key`` is the ticket's: a retry whose
    ticket is already saved returns that ticket's application (``was_created`` False) and writes nothing."""
    checked = _check_application(
        kind=kind,
        applicant_name=applicant_name,
        nik=nik,
        phone=phone,
        requested_va=requested_va,
        tariff=tariff,
        payment_type=payment_type,
        documents=documents,
        address=address,
        lat=lat,
        lng=lng,
        id_pelanggan=id_pelanggan,
        documents_later=documents_later,
    )
    if checked.errors:
        raise _invalid(checked.errors)
    customer = checked.customer
    category = Category.objects.get(code=CATEGORY_FOR[kind])
    with transaction.atomic():
        ticket = ticket_services.open_ticket(
            category=category,
            channel=channel,
            description=_describe(
                kind, checked.requested_va, tariff, payment_type, customer.power_va if customer else None
            ),
            reporter_phone=checked.phone,
            reporter_name=checked.name,
            reporter_email=email or "",
            customer=customer,
            unit=checked.unit,
            lat=checked.lat,
            lng=checked.lng,
            address=checked.address,
            language=language,
            created_by=created_by,
            idempotency_key=idempotency_key,
        )
        if not ticket.was_created:
            existing = Application.objects.filter(ticket=ticket).first()
            if existing is None:
                raise _invalid({"idempotency_key": _("This key was already used for another ticket.")})
            existing.was_created = False
            return existing
        application = Application(
            ticket=ticket,
            kind=kind,
            unit=ticket.unit,
            applicant_name=checked.name,
            nik=checked.nik,
            phone=checked.phone,
            email=email or "",
            address=checked.address[:255],
            lat=checked.lat,
            lng=checked.lng,
            customer=customer,
            current_va=customer.power_va if customer else None,
            current_tariff=customer.tariff if customer else "",
            current_payment_type=customer.payment_type if customer else "",
            requested_va=checked.requested_va,
            tariff=tariff,
            payment_type=payment_type,
        )
        application.full_clean(exclude=["ticket", "unit", "customer", "programme", "new_customer"])
        application.save()
        estimate = selectors.quote_application(application)
        application.quote = estimate.as_dict()
        application.save(update_fields=["quote"])
        for key, (upload, content_type) in checked.documents.items():
            _store_document(application, key, upload, content_type, created_by)
    application.was_created = True
    return application


# --- stage moves ---------------------------------------------------------------------------------


def _lock(application: Application, expected_stage: str | None) -> Application:
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("ticket", "unit", "customer", "programme")
        .get(pk=application.pk)
    )
    if expected_stage and locked.stage != expected_stage:
        raise ConflictError(
            _("This application has already moved on to %(stage)s. Reload the page.")
            % {"stage": locked.get_stage_display()},
            extra={"stage": locked.stage},
        )
    return locked


def _stage_message(application: Application, stage: str, detail: str) -> str:
    text = _("Stage: %(stage)s.") % {"stage": Stage(stage).label}
    return f"{text} {detail}".strip()


def _applicant_language(application: Application):
    """What the applicant reads is written in their language, whoever's request makes the change."""
    return translation.override(application.ticket.language or settings.LANGUAGE_CODE)


def _notify_note(ticket: Ticket, event: TicketEvent, key: str) -> None:
    notifications.notify_contact(
        kind=STAGE_NOTICE,
        dedupe_key=key,
        phone=ticket.reporter_phone,
        email=ticket.reporter_email,
        ticket=ticket,
        event=event,
    )


def _follow_ticket(application: Application, stage: str, *, actor, message: str) -> None:
    """Move the ticket's status to the stage's (pausing or resuming the TMP clock); when the status does not
    change, the stage still goes on the public timeline and to the applicant."""
    ticket = Ticket.objects.get(pk=application.ticket_id)
    target = workflow.TICKET_STATUS[stage]
    data = {"stage": stage}
    if ticket.status == target:
        event = ticket_services.add_note(ticket=ticket, author=actor, message=message, public=True)
        TicketEvent.objects.filter(pk=event.pk).update(data=data)
        _notify_note(ticket, event, f"stage:{application.pk}:{stage}:{event.pk}")
        return
    if target == T.WAITING_CUSTOMER:
        if ticket.status == T.RECEIVED:
            ticket = ticket_services.change_status(ticket=ticket, to_status=T.IN_PROGRESS, actor=actor, data=data)
        sla_services.ask_customer(ticket=ticket, user=actor, message=message)
        return
    if ticket.status == T.WAITING_CUSTOMER and target != T.CANCELLED:
        ticket = sla_services.resume_work(ticket=ticket, user=actor, message="" if target != T.IN_PROGRESS else message)
        if target == T.IN_PROGRESS:
            return
    if ticket.status == T.RECEIVED and target in (T.RESOLVED, T.CLOSED):
        ticket = ticket_services.change_status(ticket=ticket, to_status=T.IN_PROGRESS, actor=actor, data=data)
    if target == T.RESOLVED:
        sla_services.resolve_ticket(ticket=ticket, user=actor, answer=message)
        return
    if target == T.CLOSED and ticket.status == T.IN_PROGRESS:
        ticket = ticket_services.change_status(ticket=ticket, to_status=T.RESOLVED, actor=actor, data=data)
    ticket_services.change_status(ticket=ticket, to_status=target, actor=actor, message=message, data=data)


def _move(application: Application, to_stage: str, *, by, detail=None, reason: str = "") -> Application:
    """Move a locked application to ``to_stage`` (the table decides) and let the ticket follow. ``detail``: a
    function giving the text for the applicant (called in their language)."""
    if not workflow.can_move(application.stage, to_stage):
        raise ConflictError(
            _("An application at %(from)s cannot move to %(to)s.")
            % {"from": application.get_stage_display(), "to": Stage(to_stage).label},
            extra={"allowed": sorted(workflow.allowed_next(application.stage)), "stage": application.stage},
        )
    if to_stage in workflow.NEEDS_REASON:
        reason = (reason or "").strip()
        if not reason:
            raise _invalid({"reason": _("Give the reason; the applicant reads it.")})
        application.reason = reason[:255]
        detail = lambda: reason  # noqa: E731
    application.stage = to_stage
    application.save()
    with _applicant_language(application):
        message = _stage_message(application, to_stage, detail() if detail else "")
        _follow_ticket(application, to_stage, actor=by, message=message)
    # The messages to the applicant (written after commit) say the stage and what it needs, not a generic update.
    last = TicketEvent.objects.filter(ticket_id=application.ticket_id, is_public=True).order_by("-created_at", "-id")
    event = last.first()
    if event is not None:
        TicketEvent.objects.filter(pk=event.pk).update(
            data={**(event.data or {}), "stage": to_stage, "summary": message}
        )
    return application


@transaction.atomic
def move_stage(
    *, application: Application, to_stage: str, by, reason: str = "", expected_stage: str | None = None
) -> Application:
    """A stage move by staff that needs nothing else: reject, cancel, close (Nyala → Selesai)."""
    if to_stage not in Stage.values:
        raise _invalid({"stage": _("Unknown stage.")})
    if to_stage not in (Stage.DITOLAK, Stage.DIBATALKAN, Stage.SELESAI):
        raise _invalid({"stage": _("Use the action of this stage (order the survey, set the fee, …).")})
    locked = _lock(application, expected_stage)
    if to_stage in (Stage.DIBATALKAN, Stage.DITOLAK):
        for job in FieldJob.objects.filter(ticket_id=locked.ticket_id, status__in=FieldJob.OPEN_STATUSES):
            dispatch_services.cancel_field_job(job=job, by=by, reason=reason)
    detail = (lambda: _("Thank you for using PLN.")) if to_stage == Stage.SELESAI else None
    return _move(locked, to_stage, by=by, detail=detail, reason=reason)


def _window_text(application: Application, start: datetime, end: datetime) -> str:
    zone = selectors.unit_zone(application.unit)
    label = application.unit.zone_label
    return f"{timezone.localtime(start, zone):%d-%m-%Y %H:%M}–{timezone.localtime(end, zone):%H:%M} {label}"


@transaction.atomic
def order_survey(
    *,
    application: Application,
    window_start: datetime,
    window_end: datetime,
    by,
    notes: str = "",
    expected_stage: str | None = None,
) -> Application:
    """Book the survey with the applicant: Permohonan → Survei and a survey job for a technician."""
    locked = _lock(application, expected_stage)
    if locked.stage != Stage.PERMOHONAN:
        raise ConflictError(_("The survey is booked from the Permohonan stage."), extra={"stage": locked.stage})
    dispatch_services.order_field_job(
        kind=FieldJob.Kind.SURVEY,
        ticket=locked.ticket,
        window_start=window_start,
        window_end=window_end,
        notes=notes,
        ordered_by=by,
    )
    return _move(
        locked,
        Stage.SURVEI,
        by=by,
        detail=lambda: _("A technician will visit on %(window)s.")
        % {"window": _window_text(locked, window_start, window_end)},
    )


def _quote_detail(application: Application) -> str:
    text = _("Connection fee: %(price)s.") % {"price": rules.format_rupiah(application.price)}
    if application.programme_id:
        text += " " + _("Programme %(name)s applied (normal fee %(normal)s).") % {
            "name": application.programme.name,
            "normal": rules.format_rupiah(application.normal_fee),
        }
    return text


def _apply_quote(application: Application, programme_code: str = "") -> None:
    quote = selectors.quote_application(application)
    if quote.normal_fee is None:
        raise ConflictError(_("No fee is set for this power and class. Check the fee table."))
    chosen = quote.best
    if programme_code:
        matches = [r for r in quote.results if r.programme.code == programme_code]
        if not matches:
            raise _invalid({"programme": _("Unknown programme.")})
        if not matches[0].applies:
            raise _invalid({"programme": " ".join(matches[0].reasons)})
        chosen = matches[0]
    application.normal_fee = quote.normal_fee
    application.programme = chosen.programme if chosen else None
    application.price = chosen.price if chosen else quote.normal_fee
    application.quote = {
        **quote.as_dict(),
        "programme": chosen.programme.code if chosen else "",
        "price": application.price,
    }
    application.quoted_at = timezone.now()


def _survey_done(application: Application, result: dict) -> None:
    outcome = result.get("outcome")
    if outcome == FieldJob.SurveyOutcome.NOT_FEASIBLE:
        reason = _("The survey found the connection not feasible.") + (
            f" {result['notes']}" if result.get("notes") else ""
        )
        _move(application, Stage.DITOLAK, by=None, reason=reason)
        return
    network = "extension" if outcome == FieldJob.SurveyOutcome.EXTENSION else "none"
    if network != application.network_work:
        application.network_work = network
        sla_services.retarget_clock(ticket=application.ticket, network_work=network)
    _apply_quote(application)
    _move(
        application,
        Stage.PENETAPAN_BIAYA,
        by=None,
        detail=lambda: _("The survey is done.") + " " + _quote_detail(application),
    )


@transaction.atomic
def set_fee(
    *, application: Application, by, programme_code: str = "", expected_stage: str | None = None
) -> Application:
    """Fix the fee from the fee table and the best programme that applies (or the one chosen) and ask the
    applicant to pay: Penetapan biaya → Pembayaran (the TMP clock waits for the customer)."""
    locked = _lock(application, expected_stage)
    if locked.stage not in (Stage.PENETAPAN_BIAYA, Stage.PEMBAYARAN):
        raise ConflictError(_("The fee is set after the survey."), extra={"stage": locked.stage})
    if locked.stage == Stage.PEMBAYARAN:
        _move(locked, Stage.PENETAPAN_BIAYA, by=by, detail=lambda: _("The fee is being set again."))
    _apply_quote(locked, programme_code)
    return _move(
        locked,
        Stage.PEMBAYARAN,
        by=by,
        detail=lambda: _quote_detail(locked)
        + " "
        + _("Please pay it at a PLN payment point, quoting your ticket number."),
    )


@transaction.atomic
def record_payment(
    *, application: Application, by, amount, reference: str = "", expected_stage: str | None = None
) -> Application:
    """The fee was paid: in full, and while the programme quoted still runs (it ends at midnight in the unit's
    zone). Pembayaran → SLO & kontrak."""
    locked = _lock(application, expected_stage)
    if locked.stage != Stage.PEMBAYARAN:
        raise ConflictError(_("This application is not waiting for payment."), extra={"stage": locked.stage})
    try:
        amount = int(str(amount).replace(".", "").replace(",", "").strip())
    except (TypeError, ValueError):
        raise _invalid({"amount": _("Enter the amount paid in rupiah.")}) from None
    if amount != locked.price:
        raise _invalid(
            {"amount": _("The fee is %(price)s; it is paid in full.") % {"price": rules.format_rupiah(locked.price)}}
        )
    if locked.programme_id:
        result = next(
            (r for r in selectors.quote_application(locked).results if r.programme.pk == locked.programme_id), None
        )
        if result is None or not result.applies:
            reasons = " ".join(result.reasons) if result else ""
            raise _invalid(
                {
                    "amount": _("Programme %(name)s no longer applies (%(reasons)s). Set the fee again.")
                    % {"name": locked.programme.name, "reasons": reasons}
                }
            )
    locked.paid_at = timezone.now()
    locked.paid_amount = amount
    locked.payment_reference = (reference or "").strip()[:60]

    def detail() -> str:
        return (
            _("Payment of %(amount)s received.") % {"amount": rules.format_rupiah(amount)}
            + " "
            + _("Next: your installer's SLO certificate and the contract (SPJBTL).")
        )

    return _move(locked, Stage.SLO_KONTRAK, by=by, detail=detail)


@transaction.atomic
def record_slo_contract(
    *, application: Application, by, slo_number: str, contract_number: str, expected_stage: str | None = None
) -> Application:
    """The SLO certificate is checked and the SPJBTL signed: SLO & kontrak → Pemasangan (the clock runs again)."""
    errors = {}
    if not (slo_number or "").strip():
        errors["slo_number"] = _("Enter the SLO certificate number.")
    if not (contract_number or "").strip():
        errors["contract_number"] = _("Enter the SPJBTL contract number.")
    if errors:
        raise _invalid(errors)
    locked = _lock(application, expected_stage)
    if locked.stage != Stage.SLO_KONTRAK:
        raise ConflictError(_("This application is not at the SLO and contract stage."), extra={"stage": locked.stage})
    locked.slo_number, locked.contract_number = slo_number.strip()[:60], contract_number.strip()[:60]
    return _move(locked, Stage.PEMASANGAN, by=by, detail=lambda: _("SLO and contract received. Installation is next."))


@transaction.atomic
def order_installation(
    *,
    application: Application,
    window_start: datetime,
    window_end: datetime,
    by,
    notes: str = "",
    expected_stage: str | None = None,
) -> Application:
    locked = _lock(application, expected_stage)
    if locked.stage != Stage.PEMASANGAN:
        raise ConflictError(_("Installation is booked at the Pemasangan stage."), extra={"stage": locked.stage})
    dispatch_services.order_field_job(
        kind=FieldJob.Kind.INSTALLATION,
        ticket=locked.ticket,
        window_start=window_start,
        window_end=window_end,
        notes=notes,
        ordered_by=by,
    )
    return locked


def _energise(application: Application, *, meter_number: str, first_reading, by) -> Application:
    """The meter is installed and the power on: the customer record follows (a new account with a new ID
    pelanggan, or the contract changed), the billing provider's outbox gets a row, Pemasangan → Nyala."""
    now = timezone.now()
    prepaid = application.payment_type == Customer.PaymentType.PREPAID
    try:
        if application.kind == Kind.NEW_CONNECTION:
            customer = customer_services.open_customer_account(
                unit=application.unit,
                name=application.applicant_name,
                phone=application.phone,
                email=application.email,
                address=application.address,
                lat=application.lat,
                lng=application.lng,
                tariff=application.tariff,
                power_va=application.requested_va,
                payment_type=application.payment_type,
                meter_number=meter_number if prepaid else "",
                reference=application.ticket.number,
                actor=by,
            )
            application.new_customer = customer
            change = CustomerChange.Change.NEW_ACCOUNT
        else:
            customer = customer_services.change_contract(
                customer=application.customer,
                power_va=application.requested_va,
                tariff=application.tariff,
                payment_type=application.payment_type,
                meter_number=meter_number if prepaid else "",
                reference=application.ticket.number,
                actor=by,
            )
            change = CustomerChange.Change.POWER_CHANGE
    except ValidationError as exc:
        raise ApplicationError(
            _("The customer record could not be updated."),
            extra={"fields": {k: [str(m) for m in v] for k, v in exc.message_dict.items()}},
        ) from exc
    application.meter_number = meter_number
    application.energised_at = now
    CustomerChange.objects.create(
        application=application,
        customer=customer,
        change=change,
        id_pelanggan=customer.id_pelanggan,
        unit_code=application.unit.code,
        old_power_va=application.current_va,
        new_power_va=application.requested_va,
        old_tariff=application.current_tariff,
        new_tariff=application.tariff,
        payment_type=application.payment_type,
        meter_number=meter_number,
        first_reading_kwh=first_reading,
        effective_at=now,
    )

    def detail() -> str:
        if change == CustomerChange.Change.NEW_ACCOUNT:
            text = _("Your power is on. Your ID pelanggan is %(idpel)s.") % {"idpel": customer.id_pelanggan}
        else:
            text = _("Your power is on at %(va)s VA, tariff %(tariff)s.") % {
                "va": application.requested_va,
                "tariff": application.tariff,
            }
        if prepaid and meter_number:
            text += " " + _("Meter number: %(meter)s.") % {"meter": meter_number}
        return text

    return _move(application, Stage.NYALA, by=by, detail=detail)


@transaction.atomic
def energise(
    *, application: Application, by, meter_number: str, first_reading=None, expected_stage: str | None = None
) -> Application:
    """Staff record the energising by hand (the installation job closed elsewhere)."""
    meter_number = (meter_number or "").strip()
    if not (len(meter_number) == 11 and meter_number.isdigit()):
        raise _invalid({"meter_number": _("A meter number must be exactly 11 digits.")})
    locked = _lock(application, expected_stage)
    if locked.stage != Stage.PEMASANGAN:
        raise ConflictError(_("Only an application being installed can be energised."), extra={"stage": locked.stage})
    return _energise(locked, meter_number=meter_number, first_reading=first_reading, by=by)


# --- field job results ---------------------------------------------------------------------------


def field_job_finished(*, job: FieldJob, result: dict) -> Application | None:
    """The receiver of dispatch's field_job_finished: a survey's result sets the network work, the fee and
    the stage; an installation energises. A failed visit goes on the timeline for staff to book again."""
    application = Application.objects.filter(ticket_id=job.ticket_id).first()
    if application is None:
        return None
    locked = _lock(application, None)
    if result.get("status") != FieldJob.Status.DONE:
        with _applicant_language(locked):
            text = _(
                "The %(kind)s visit could not be done (%(reason)s). We will contact you for a new appointment."
            ) % {"kind": job.get_kind_display(), "reason": result.get("reason") or "—"}
        ticket_services.add_note(ticket=locked.ticket, author=None, public=True, message=text)
        return locked
    if job.kind == FieldJob.Kind.SURVEY and locked.stage == Stage.SURVEI:
        _survey_done(locked, result)
    elif job.kind == FieldJob.Kind.INSTALLATION and locked.stage == Stage.PEMASANGAN:
        _energise(
            locked,
            meter_number=result.get("meter_number") or "",
            first_reading=result.get("reading_kwh"),
            by=job.technician.user if job.technician_id else None,
        )
    return locked


# --- export to billing ---------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "id",
    "change",
    "id_pelanggan",
    "unit_code",
    "old_power_va",
    "new_power_va",
    "old_tariff",
    "new_tariff",
    "payment_type",
    "meter_number",
    "first_reading_kwh",
    "effective_at",
    "ticket_number",
]


@transaction.atomic
def take_export_rows(*, mark: bool = True, limit: int = 10_000) -> list[dict]:
    """The customer changes not exported yet, oldest first, locked and (with ``mark``) marked exported."""
    rows = list(
        CustomerChange.objects.select_for_update(skip_locked=True)
        .filter(exported_at__isnull=True)
        .select_related("application__ticket")
        .order_by("created_at", "id")[:limit]
    )
    out = [
        {
            "id": row.pk,
            "change": row.change,
            "id_pelanggan": row.id_pelanggan,
            "unit_code": row.unit_code,
            "old_power_va": row.old_power_va if row.old_power_va is not None else "",
            "new_power_va": row.new_power_va,
            "old_tariff": row.old_tariff,
            "new_tariff": row.new_tariff,
            "payment_type": row.payment_type,
            "meter_number": row.meter_number,
            "first_reading_kwh": row.first_reading_kwh if row.first_reading_kwh is not None else "",
            "effective_at": row.effective_at.isoformat(),
            "ticket_number": row.application.ticket.number,
        }
        for row in rows
    ]
    if mark and rows:
        CustomerChange.objects.filter(pk__in=[row.pk for row in rows]).update(exported_at=timezone.now())
    return out


def point_to_application_form(*, ticket_id: int) -> TicketEvent | None:
    """A new-connection or power-change ticket opened without an application (by a channel that does not
    know the application's fields) gets a public note with the link to the application form."""
    from django.urls import reverse

    if Application.objects.filter(ticket_id=ticket_id).exists():
        return None
    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return None
    url = settings.SITE_URL + reverse("connections:apply")
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        text = _("To go ahead, complete your application with your KTP at %(url)s.") % {"url": url}
    return ticket_services.add_note(ticket=ticket, author=None, public=True, message=text)
