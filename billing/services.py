"""Writes of billing: imports, bill corrections, token-complaint steps, "information given" records."""

import logging
import os
import tempfile
from datetime import timedelta
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ApplicationError, ConflictError
from dispatch import services as dispatch_services
from dispatch.models import FieldJob
from notifications import services as notification_services
from tickets import services as ticket_services
from tickets.models import Category, Customer, Ticket
from tickets.sla import services as sla_services

from . import importing
from .models import Bill, BillCorrection, ImportJob, ImportRow, MeterCheck, TokenPurchase, TokenRemedy
from .providers import ProviderUnavailable, get_provider

logger = logging.getLogger(__name__)

INFO_GIVEN_CATEGORY = "IF-TAGIHAN"
BILL_COMPLAINT_CATEGORIES = ("TG-LONJAK", "TG-KOREKSI", "TG-CATAT")
TOKEN_CATEGORY = "GG-TOKEN"
BILL_CORRECTION_NOTICE = "bill_correction"


# --- imports -----------------------------------------------------------------------------------------


def create_import_job(
    *, kind: str, upload, user=None, dry_run: bool = False, skip_bad_lines: bool = False
) -> ImportJob:
    """Keep the uploaded file in the import folder and queue its job (the Celery task runs it)."""
    if kind not in ImportJob.Kind.values:
        raise ApplicationError(_("Unknown import kind."))
    folder = settings.BILLING_IMPORT_DIR
    os.makedirs(folder, exist_ok=True)
    handle, path = tempfile.mkstemp(prefix=f"{kind}-", suffix=".csv", dir=folder)
    with os.fdopen(handle, "wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    job = ImportJob.objects.create(
        kind=kind,
        file_name=os.path.basename(getattr(upload, "name", "") or path)[:255],
        path=path,
        dry_run=dry_run,
        skip_bad_lines=skip_bad_lines,
        created_by=user,
    )
    # Never raises: with the broker down the job stays "waiting" and sweep_imports publishes it later.
    transaction.on_commit(lambda: publish_import_job(job.pk))
    return job


def publish_import_job(job_id: int) -> bool:
    """Hand the job's task to the broker; remember when (the sweeper publishes jobs never handed over)."""
    from core import circuit

    from . import tasks

    if not circuit.publish(tasks.run_import_job, job_id):
        return False
    ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(published_at=timezone.now())
    return True


def sweep_imports(*, now=None) -> int:
    """Publish uploaded jobs still waiting: never handed to the broker (it was down when they were queued) for
    IMPORT_SWEEP_AFTER_SECONDS, or handed over IMPORT_REPUBLISH_SECONDS ago and not started (the message was
    lost). Running a job twice is harmless: run_import_job claims it first. Returns how many were published."""
    now = now or timezone.now()
    _requeue_lost_jobs(now=now)
    waiting = (
        ImportJob.objects.filter(
            status=ImportJob.Status.PENDING,
            created_at__lte=now - timedelta(seconds=settings.IMPORT_SWEEP_AFTER_SECONDS),
        )
        .exclude(path="")
        .filter(
            Q(published_at__isnull=True)
            | Q(published_at__lte=now - timedelta(seconds=settings.IMPORT_REPUBLISH_SECONDS))
        )
        .order_by("created_at")
    )
    published = 0
    for job_id in list(waiting.values_list("pk", flat=True)[:100]):
        if not publish_import_job(job_id):
            break  # the broker is still down: the next sweep tries again
        published += 1
    return published


def _requeue_lost_jobs(*, now) -> int:
    """Jobs still checking or writing IMPORT_STALE_SECONDS after a worker claimed them lost that worker (killed,
    its machine gone): the task's hard time limit is shorter. Their writes were one transaction, so the tables
    hold nothing of them; they go back to waiting, counters cleared, and the sweep below publishes them again."""
    stale = ImportJob.objects.filter(
        status__in=(ImportJob.Status.CHECKING, ImportJob.Status.WRITING),
        started_at__lte=now - timedelta(seconds=settings.IMPORT_STALE_SECONDS),
    )
    requeued = 0
    for job_id in list(stale.values_list("pk", flat=True)[:100]):
        with transaction.atomic():
            if stale.filter(pk=job_id).update(
                status=ImportJob.Status.PENDING, published_at=None, started_at=None, lines_read=0,
                lines_written=0, bad_lines=0, created=0, updated=0, unchanged=0, errors=[], message="",
            ):  # fmt: skip
                ImportRow.objects.filter(job_id=job_id).delete()  # the lost run's staged lines (SQLite path)
                requeued += 1
    if requeued:
        logger.warning("requeued %s import job(s) whose worker was lost", requeued)
    return requeued


def run_import_job(*, job_id: int) -> ImportJob:
    # Claim the job (a re-published message may reach a second worker): only the claimant runs it.
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.PENDING).update(
        status=ImportJob.Status.CHECKING, started_at=timezone.now()
    )
    job = ImportJob.objects.get(pk=job_id)
    if not claimed:
        return job
    try:
        with open(job.path, "rb") as handle:
            return importing.run_import(job, handle)
    except FileNotFoundError:
        job.status = ImportJob.Status.FAILED
        job.message = _("The uploaded file is gone; upload it again.")
        job.finished_at = timezone.now()
        job.save(update_fields=["status", "message", "finished_at"])
        return job
    finally:
        if job.path and os.path.exists(job.path):
            os.unlink(job.path)


def import_file(*, kind: str, path: str, dry_run: bool = False, skip_bad_lines: bool = False) -> ImportJob:
    """Import a file from disk in this process (the management commands)."""
    job = ImportJob.objects.create(
        kind=kind, file_name=os.path.basename(path)[:255], dry_run=dry_run, skip_bad_lines=skip_bad_lines
    )
    with open(path, "rb") as handle:
        return importing.run_import(job, handle)


# --- "information given" from the console -------------------------------------------------------------


def info_given_ticket(*, open_ticket, customer: Customer | None, user, note: str = "") -> Ticket:
    """Record that the operator gave bill information on the call: an IF-TAGIHAN ticket closed at once.

    ``open_ticket`` opens the ticket for the channel (the console passes its call-linked opener); the record
    is then resolved and closed in the same transaction, so it counts as resolved at first contact.
    """
    category = Category.objects.filter(code=INFO_GIVEN_CATEGORY, active=True).first()
    if category is None:
        raise ApplicationError(_("The information-given category is not set up."))
    description = note.strip() or _("Bill information given on the call.")
    with transaction.atomic():
        ticket = open_ticket(category=category, customer=customer, description=description)
        if ticket.status == Ticket.Status.CLOSED:
            return ticket  # the same click retried (idempotency key): already recorded
        ticket = ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.IN_PROGRESS, actor=user)
        ticket = ticket_services.change_status(
            ticket=ticket, to_status=Ticket.Status.RESOLVED, actor=user, message=_("Information given on the call.")
        )
        ticket = ticket_services.change_status(ticket=ticket, to_status=Ticket.Status.CLOSED, actor=user)
    return ticket


# --- bill corrections ----------------------------------------------------------------------------------


def _working_ticket(ticket: Ticket, codes: tuple[str, ...]) -> None:
    if ticket.category.code not in codes:
        raise ApplicationError(_("This ticket is not a billing complaint."))
    if ticket.status in {Ticket.Status.CLOSED, Ticket.Status.CANCELLED}:
        raise ConflictError(_("The ticket is closed."))


def issue_correction(*, ticket: Ticket, user, period, new_amount, reason: str) -> BillCorrection:
    """Issue a bill correction from a complaint: recorded, shown on the tracking page, sent by SMS, handed to
    the CIS through the provider. Checked against the TMP bill-correction time of the ticket's clock.

    If the CIS refuses or cannot be reached, nothing is written (the back office tries again).
    """
    _working_ticket(ticket, BILL_COMPLAINT_CATEGORIES)
    if ticket.customer_id is None:
        raise ApplicationError(_("The ticket has no customer: link the ID pelanggan first."))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the correction.")})
    bill = Bill.objects.filter(customer_id=ticket.customer_id, period=period).first()
    if bill is None:
        raise ValidationError({"period": _("There is no bill of this customer for that month.")})
    if new_amount < 0:
        raise ValidationError({"new_amount": _("The amount cannot be negative.")})
    if new_amount == bill.amount:
        raise ValidationError({"new_amount": _("The new amount is the same as the bill.")})
    now = timezone.now()
    level = getattr(ticket, "service_level", None)
    due = level.resolution_due_at if level is not None else None
    try:
        with transaction.atomic():
            correction = BillCorrection.objects.create(
                ticket=ticket,
                customer_id=ticket.customer_id,
                bill=bill,
                period=bill.period,
                old_amount=bill.amount,
                new_amount=new_amount,
                reason=reason,
                due_at=due,
                within_target=(now <= due) if due else None,
                created_by=user,
                created_at=now,
            )
            correction.cis_reference = get_provider().submit_correction(correction)
            correction.sent_to_cis_at = timezone.now()
            correction.save(update_fields=["cis_reference", "sent_to_cis_at"])
            Bill.objects.filter(pk=bill.pk).update(amount=new_amount)
            text = _("Bill correction for %(period)s: Rp %(old)s → Rp %(new)s. %(reason)s") % {
                "period": f"{bill.period:%m/%Y}",
                "old": f"{bill.amount:,.0f}".replace(",", "."),
                "new": f"{new_amount:,.0f}".replace(",", "."),
                "reason": reason,
            }
            ticket_services.add_note(ticket=ticket, author=user, message=text, public=True)
            notification_services.notify_contact(
                kind=BILL_CORRECTION_NOTICE,
                dedupe_key=f"bill-correction:{correction.pk}",
                phone=ticket.reporter_phone,
                language=ticket.language,
                payload={
                    "number": ticket.number,
                    "period": f"{bill.period:%m/%Y}",
                    "old": f"{bill.amount:,.0f}".replace(",", "."),
                    "new": f"{new_amount:,.0f}".replace(",", "."),
                },
                ticket=ticket,
            )
    except IntegrityError:
        raise ConflictError(_("A correction for this month was already issued on this ticket.")) from None
    except ProviderUnavailable as exc:
        raise ApplicationError(str(exc)) from None
    return correction


# --- token complaints -------------------------------------------------------------------------------------


def take_token_step(*, ticket: Ticket, user, kind: str, symptom: str, purchase_id: int | None = None, note: str = ""):
    """Record one remedy on a token complaint and ask the CIS / vending system for it."""
    _working_ticket(ticket, (TOKEN_CATEGORY,))
    if kind not in TokenRemedy.Kind.values:
        raise ValidationError({"kind": _("Choose a step.")})
    if symptom not in TokenRemedy.Symptom.values:
        raise ValidationError({"symptom": _("Choose what the meter shows.")})
    purchase = None
    if purchase_id:
        purchase = TokenPurchase.objects.filter(pk=purchase_id, customer_id=ticket.customer_id).first()
        if purchase is None:
            raise ValidationError({"purchase": _("This purchase is not the customer's.")})
    if kind == TokenRemedy.Kind.RESEND and purchase is None:
        raise ValidationError({"purchase": _("Choose the purchase whose token is re-sent.")})
    try:
        with transaction.atomic():
            remedy = TokenRemedy.objects.create(
                ticket=ticket, purchase=purchase, symptom=symptom, kind=kind, note=note.strip()[:500], created_by=user
            )
            if kind in {TokenRemedy.Kind.RESEND, TokenRemedy.Kind.KCT}:
                remedy.cis_reference = get_provider().request_token_remedy(remedy)
                remedy.save(update_fields=["cis_reference"])
            ticket_services.add_note(
                ticket=ticket,
                author=user,
                message=f"{remedy.get_kind_display()} ({symptom}). {remedy.note}".strip(),
                public=False,
            )
    except ProviderUnavailable as exc:
        raise ApplicationError(str(exc)) from None
    return remedy


def solve_token_complaint(*, ticket: Ticket, user, answer: str) -> Ticket:
    """Resolve a token complaint: the clock stops (the usual back-office resolve)."""
    _working_ticket(ticket, (TOKEN_CATEGORY,))
    if not TokenRemedy.objects.filter(ticket=ticket).exists():
        raise ConflictError(_("Record the step taken before solving the complaint."))
    return sla_services.resolve_ticket(ticket=ticket, user=user, answer=answer)


# --- meter checks (dispatch field jobs) --------------------------------------------------------------


METER_CHECK_CATEGORIES = BILL_COMPLAINT_CATEGORIES + (TOKEN_CATEGORY,)


def order_meter_check(*, ticket: Ticket, user, window_start, window_end, notes: str = "") -> MeterCheck:
    """Order a technician's visit to read the meter (and photograph its register) for a billing complaint."""
    _working_ticket(ticket, METER_CHECK_CATEGORIES)
    with transaction.atomic():
        job = dispatch_services.order_field_job(
            kind=FieldJob.Kind.METER_CHECK,
            ticket=ticket,
            window_start=window_start,
            window_end=window_end,
            notes=notes or _("Read the meter and photograph its register (billing complaint)."),
            ordered_by=user,
        )
        return MeterCheck.objects.create(ticket=ticket, job=job)


def record_meter_check_result(*, job, result: dict) -> MeterCheck | None:
    """The field job finished (done or failed): keep the reading on the ticket (receiver of field_job_finished)."""
    check = MeterCheck.objects.filter(job_id=job.pk).select_related("ticket").first()
    if check is None:
        return None  # not ordered by billing
    status = str(result.get("status") or "")
    check.outcome = status[:8]
    check.finished_at = timezone.now()
    check.reason = str(result.get("reason") or "")[:500]
    if status == "done":
        try:
            check.reading_kwh = Decimal(str(result.get("reading_kwh")))
        except (InvalidOperation, ValueError):
            check.reading_kwh = None
        check.register_photo = str(result.get("register_photo") or "")[:255]
        message = _("Meter check: the technician read %(reading)s kWh on the register (photo kept).") % {
            "reading": check.reading_kwh if check.reading_kwh is not None else "?"
        }
    else:
        message = _("Meter check failed: %(reason)s") % {"reason": check.reason or "-"}
    check.save()
    ticket_services.add_note(ticket=check.ticket, author=None, message=message, public=False)
    return check
