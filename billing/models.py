"""Billing: what the CIS (PLN's AP2T) knows about a customer's money, held or fetched for the 123 channels.

- **Tagihan / rekening**: a postpaid customer's monthly bill (meter readings, kWh, amount, due on the 20th).
- **Token**: a prepaid purchase (20-digit token; only its last 4 digits are kept in clear).
- **Koreksi rekening**: a bill correction issued by the back office after a complaint.
- **Biaya beban**: the fixed monthly charge per kVA of a tariff class, the base of TMP compensation.

The customer master itself is ``tickets.Customer`` (owned by tickets); the import writes it through
``tickets.customer_services``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Customer, ServiceUnit, Ticket


class ImportJob(models.Model):
    """One upload of a CIS file: its progress (written as it runs; the upload page polls it) and its report."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        BILLS = "bills", _("Bills")
        TOKENS = "tokens", _("Token purchases")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        CHECKING = "checking", _("Checking lines")
        WRITING = "writing", _("Writing")
        DONE = "done", _("Done")
        REJECTED = "rejected", _("Rejected: bad lines, nothing imported")
        FAILED = "failed", _("Failed: nothing imported")

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PENDING)
    file_name = models.CharField(_("file"), max_length=255)
    path = models.CharField(max_length=500, blank=True, editable=False)
    dry_run = models.BooleanField(_("dry run"), default=False)
    skip_bad_lines = models.BooleanField(_("skip bad lines"), default=False)
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    lines_written = models.PositiveIntegerField(_("lines written"), default=0)
    bad_lines = models.PositiveIntegerField(_("bad lines"), default=0)
    created = models.PositiveIntegerField(_("new"), default=0)
    updated = models.PositiveIntegerField(_("changed"), default=0)
    unchanged = models.PositiveIntegerField(_("unchanged"), default=0)
    errors = models.JSONField(_("bad lines (first 500)"), default=list, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # When its task was last handed to the broker (None: not yet — the broker was down; the sweeper publishes it).
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    # When a worker claimed the job; a job still checking or writing long after the task's time limit lost its worker.
    started_at = models.DateTimeField(null=True, blank=True, editable=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")

    def __str__(self) -> str:
        return f"{self.kind} {self.file_name} {self.status}"

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.REJECTED, self.Status.FAILED}


class ImportRow(models.Model):
    """A checked line of a file being imported (staging): written in batches, deleted when the job ends."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="+")
    line = models.PositiveIntegerField()
    key = models.CharField(max_length=40)
    ref = models.CharField(max_length=40, blank=True)
    data = models.JSONField(default=dict)
    bad = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["job", "key"], name="billing_importrow_key_idx"),
            models.Index(fields=["job", "line"], name="billing_importrow_line_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.line}"


class UnitCustomerCount(models.Model):
    """Customers served per ULP as of the last customer import (SAIDI/SAIFI's denominator)."""

    unit = models.OneToOneField(ServiceUnit, on_delete=models.CASCADE, related_name="customer_count")
    customers = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("customers served per unit")
        verbose_name_plural = _("customers served per unit")

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.customers}"


money = [MinValueValidator(Decimal("0"))]


class Bill(models.Model):
    """A postpaid monthly bill (rekening) as the CIS issued it."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="bills")
    period = models.DateField(_("period"), help_text=_("The first day of the billed month."))
    reading_start = models.PositiveIntegerField(_("meter reading at start"))
    reading_end = models.PositiveIntegerField(_("meter reading at end"))
    kwh = models.PositiveIntegerField(_("kWh"))
    amount = models.DecimalField(_("amount (Rp)"), max_digits=14, decimal_places=2, validators=money)
    late_fee = models.DecimalField(_("late fee (Rp)"), max_digits=12, decimal_places=2, default=0, validators=money)
    due_date = models.DateField(_("due date"))
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)

    class Meta:
        ordering = ["-period"]
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [models.UniqueConstraint(fields=["customer", "period"], name="bill_once_per_month")]

    def __str__(self) -> str:
        return f"{self.customer_id} {self.period:%Y-%m}"

    @property
    def is_paid(self) -> bool:
        return self.paid_at is not None


class TokenPurchase(models.Model):
    """A prepaid token purchase. The token is kept as its last 4 digits and a keyed digest, never in clear."""

    reference = models.CharField(_("transaction reference"), max_length=40, unique=True)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="token_purchases")
    meter_number = models.CharField(_("meter number"), max_length=11)
    purchased_at = models.DateTimeField(_("purchased at"))
    kwh = models.DecimalField(_("kWh"), max_digits=10, decimal_places=2)
    amount = models.DecimalField(_("amount (Rp)"), max_digits=12, decimal_places=2, validators=money)
    token_last4 = models.CharField(_("token (last 4 digits)"), max_length=4)
    token_digest = models.CharField(max_length=64, editable=False)

    class Meta:
        ordering = ["-purchased_at"]
        verbose_name = _("token purchase")
        verbose_name_plural = _("token purchases")
        indexes = [models.Index(fields=["customer", "-purchased_at"], name="token_customer_time_idx")]

    def __str__(self) -> str:
        return f"{self.meter_number} {self.masked_token}"

    @property
    def masked_token(self) -> str:
        return f"**** **** **** **** {self.token_last4}"


class BillCorrection(models.Model):
    """A bill correction (koreksi rekening) issued from a complaint, and its hand-over to the CIS."""

    ticket = models.ForeignKey(Ticket, on_delete=models.PROTECT, related_name="bill_corrections")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    bill = models.ForeignKey(Bill, null=True, blank=True, on_delete=models.SET_NULL, related_name="corrections")
    period = models.DateField(_("period"))
    old_amount = models.DecimalField(_("old amount (Rp)"), max_digits=14, decimal_places=2, validators=money)
    new_amount = models.DecimalField(_("new amount (Rp)"), max_digits=14, decimal_places=2, validators=money)
    reason = models.TextField(_("reason"), max_length=2000)
    due_at = models.DateTimeField(_("due (TMP bill-correction time)"), null=True, blank=True)
    within_target = models.BooleanField(_("within the TMP time"), null=True)
    cis_reference = models.CharField(_("CIS reference"), max_length=60, blank=True)
    sent_to_cis_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bill correction")
        verbose_name_plural = _("bill corrections")
        constraints = [models.UniqueConstraint(fields=["ticket", "period"], name="correction_once_per_ticket_month")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.period:%Y-%m} {self.old_amount}→{self.new_amount}"

    @property
    def difference(self) -> Decimal:
        return self.new_amount - self.old_amount


class TokenRemedy(models.Model):
    """One step taken on a token complaint (GG-TOKEN): re-send the token, a key-change token, a meter check."""

    class Kind(models.TextChoices):
        RESEND = "resend", _("Token re-sent")
        KCT = "kct", _("Key-change token (KCT) issued")
        METER_CHECK = "meter_check", _("Meter check ordered")
        RESET = "reset", _("Meter reset / clear tamper code")

    class Symptom(models.TextChoices):
        GAGAL = "GAGAL", _("GAGAL: the token was not accepted")
        REJECT = "REJECT", _("REJECT: wrong meter or key")
        USED = "USED", _("USED: the token was already entered")
        OVER = "OVER", _("OVER: the credit would exceed the meter's limit")
        PERIKSA = "PERIKSA", _("PERIKSA: the meter asks for a check")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="token_remedies")
    purchase = models.ForeignKey(TokenPurchase, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    symptom = models.CharField(_("meter message"), max_length=8, choices=Symptom.choices)
    kind = models.CharField(_("step"), max_length=12, choices=Kind.choices)
    note = models.CharField(_("note"), max_length=500, blank=True)
    cis_reference = models.CharField(_("CIS reference"), max_length=60, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("token remedy")
        verbose_name_plural = _("token remedies")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.kind}"


class BiayaBeban(models.Model):
    """The monthly fixed charge (biaya beban, Rp per kVA) of a tariff class and power range, versioned by date.

    TMP compensation is a percentage of it (``tickets.sla.rules``); versions of one scope follow each other.
    """

    tariff = models.CharField(_("tariff class"), max_length=8, choices=Customer.Tariff.choices)
    min_va = models.PositiveIntegerField(_("from (VA)"), default=0)
    max_va = models.PositiveIntegerField(_("up to (VA)"), null=True, blank=True, help_text=_("Empty: no limit."))
    rupiah_per_kva = models.DecimalField(_("Rp per kVA per month"), max_digits=10, decimal_places=2, validators=money)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["tariff", "min_va", "-valid_from"]
        verbose_name = _("biaya beban")
        verbose_name_plural = _("biaya beban")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="biaya_beban_until_after_from",
            ),
        ]

    def __str__(self) -> str:
        top = f"{self.max_va}" if self.max_va else "∞"
        return f"{self.tariff} {self.min_va}–{top} VA {self.rupiah_per_kva}/kVA from {self.valid_from}"

    def covers(self, power_va: int) -> bool:
        return self.min_va <= power_va and (self.max_va is None or power_va <= self.max_va)

    def clean(self) -> None:
        if self.max_va is not None and self.max_va < self.min_va:
            raise ValidationError({"max_va": _("The upper limit must not be below the lower one.")})
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            raise ValidationError({"valid_until": _("The end date must come after the start date.")})
        same = BiayaBeban.objects.filter(tariff=self.tariff, min_va=self.min_va, max_va=self.max_va).exclude(pk=self.pk)
        for other in same:
            first, second = sorted([self, other], key=lambda row: row.valid_from)
            if first.valid_from == second.valid_from or (
                first.valid_until is not None and first.valid_until > second.valid_from
            ):
                raise ValidationError(
                    {"valid_from": _("This overlaps the version valid from %(date)s.") % {"date": other.valid_from}}
                )


class MeterCheck(models.Model):
    """A meter check ordered from a billing complaint (a dispatch field job), and the reading it brought back."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="meter_checks")
    job = models.OneToOneField("dispatch.FieldJob", on_delete=models.PROTECT, related_name="meter_check")
    reading_kwh = models.DecimalField(_("meter reading (kWh)"), max_digits=12, decimal_places=1, null=True, blank=True)
    register_photo = models.CharField(_("photo of the register"), max_length=255, blank=True)
    outcome = models.CharField(_("outcome"), max_length=8, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("meter check")
        verbose_name_plural = _("meter checks")

    def __str__(self) -> str:
        return f"{self.ticket_id} job {self.job_id}"
