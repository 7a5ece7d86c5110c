"""New connections (pasang baru) and power changes (tambah / turun daya) as work with stages.

An application IS a ticket of category LY-PB or LY-PD (its number, timeline, notifications, tracking page
and TMP clock) plus an ``Application`` row one-to-one with it: the stage, the applicant, the request, the
quote and the documents. Fees (biaya penyambungan) and programmes (discounts) are data, versioned by dates.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from tickets.models import Customer, ServiceUnit, Ticket, latitude_validators, longitude_validators


class Kind(models.TextChoices):
    NEW_CONNECTION = "new_connection", _("New connection")
    POWER_CHANGE = "power_change", _("Power change")


class FeeSchedule(models.Model):
    """A version of the biaya penyambungan table, valid from one date (in the unit's zone) to another."""

    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=300, blank=True)
    effective_from = models.DateField(_("effective from"))
    effective_to = models.DateField(_("effective to"), null=True, blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("fee schedule")
        verbose_name_plural = _("fee schedules")

    def __str__(self) -> str:
        return f"{self.name} ({self.effective_from})"


class FeeRule(models.Model):
    """One line of a fee schedule: for a kind of request and a range of (new) power, either a flat amount
    or a rate per VA (of the new power for a new connection, of the added power for a power change)."""

    schedule = models.ForeignKey(FeeSchedule, on_delete=models.CASCADE, related_name="rules")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    va_above = models.PositiveIntegerField(_("new power above (VA)"), default=0)
    va_up_to = models.PositiveIntegerField(_("new power up to (VA)"))
    tariffs = models.JSONField(_("tariff classes (empty: all)"), default=list, blank=True)
    payment_type = models.CharField(
        _("payment type (empty: both)"), max_length=10, choices=Customer.PaymentType.choices, blank=True
    )
    flat_amount = models.PositiveBigIntegerField(_("flat amount (Rp)"), null=True, blank=True)
    rate_per_va = models.DecimalField(_("rate per VA (Rp)"), max_digits=10, decimal_places=2, null=True, blank=True)
    sort_order = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["schedule", "kind", "sort_order", "va_above", "id"]
        verbose_name = _("fee rule")
        verbose_name_plural = _("fee rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(flat_amount__isnull=False, rate_per_va__isnull=True)
                | Q(flat_amount__isnull=True, rate_per_va__isnull=False),
                name="feerule_flat_or_rate",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.va_above}–{self.va_up_to} VA"


class Programme(models.Model):
    """A programme (promotion) that lowers the fee, with its conditions, as PLN publishes them."""

    class AppliesTo(models.TextChoices):
        NEW_CONNECTION = "new_connection", _("New connections")
        POWER_CHANGE = "power_change", _("Power increases")
        BOTH = "both", _("New connections and power increases")

    class Phases(models.TextChoices):
        ANY = "any", _("Any")
        SINGLE = "single", _("Single-phase only")
        THREE = "three", _("Three-phase only")

    class Discount(models.TextChoices):
        FLAT_PRICE = "flat_price", _("Flat price (Rp)")
        PERCENT = "percent", _("Percentage off")
        PER_VA_RATE = "per_va_rate", _("Rate per VA (Rp)")

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    description_id = models.TextField(_("description (Indonesian)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    applies_to = models.CharField(_("applies to"), max_length=16, choices=AppliesTo.choices)
    eligible_tariffs = models.JSONField(_("eligible tariff classes (empty: all)"), default=list, blank=True)
    from_va_min = models.PositiveIntegerField(_("current power from (VA)"), null=True, blank=True)
    from_va_max = models.PositiveIntegerField(_("current power up to (VA)"), null=True, blank=True)
    to_va_max = models.PositiveIntegerField(_("new power up to (VA)"), null=True, blank=True)
    phases = models.CharField(_("phases"), max_length=8, choices=Phases.choices, default=Phases.ANY)
    same_phase_only = models.BooleanField(_("no change of phases"), default=False)
    same_payment_type_only = models.BooleanField(_("no prepaid/postpaid switch"), default=False)
    no_network_extension = models.BooleanField(_("not where the network must be extended"), default=False)
    registered_before = models.DateField(_("customer registered before"), null=True, blank=True)
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(_("last day (ends at midnight in the unit's zone)"))
    once_per_customer = models.BooleanField(_("once per ID pelanggan"), default=True)
    requires_bills_paid = models.BooleanField(_("all bills paid"), default=True)
    discount = models.CharField(_("discount rule"), max_length=12, choices=Discount.choices)
    discount_value = models.DecimalField(_("discount value"), max_digits=12, decimal_places=2)
    source = models.CharField(_("source"), max_length=300, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id

    @property
    def description(self) -> str:
        return self.description_en if (get_language() or "id").startswith("en") else self.description_id


class Stage(models.TextChoices):
    PERMOHONAN = "permohonan", _("Application (Permohonan)")
    SURVEI = "survei", _("Survey (Survei)")
    PENETAPAN_BIAYA = "penetapan_biaya", _("Fee set (Penetapan biaya)")
    PEMBAYARAN = "pembayaran", _("Payment (Pembayaran)")
    SLO_KONTRAK = "slo_kontrak", _("SLO and contract (SLO & SPJBTL)")
    PEMASANGAN = "pemasangan", _("Installation (Pemasangan)")
    NYALA = "nyala", _("Energised (Nyala)")
    SELESAI = "selesai", _("Completed (Selesai)")
    DITOLAK = "ditolak", _("Rejected (Ditolak)")
    DIBATALKAN = "dibatalkan", _("Cancelled (Dibatalkan)")


class Application(models.Model):
    """A new-connection or power-change application: one-to-one with its ticket."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="connection")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    stage = models.CharField(_("stage"), max_length=16, choices=Stage.choices, default=Stage.PERMOHONAN)
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="+")
    applicant_name = models.CharField(_("applicant name"), max_length=120)
    nik = models.CharField(_("NIK"), max_length=16)
    phone = models.CharField(_("phone"), max_length=20)
    email = models.EmailField(_("e-mail"), blank=True)
    address = models.CharField(_("address"), max_length=255)
    lat = models.FloatField(_("latitude"), null=True, blank=True, validators=latitude_validators)
    lng = models.FloatField(_("longitude"), null=True, blank=True, validators=longitude_validators)
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    current_va = models.PositiveIntegerField(_("current power (VA)"), null=True, blank=True)
    current_tariff = models.CharField(_("current tariff class"), max_length=8, blank=True)
    current_payment_type = models.CharField(_("current payment type"), max_length=10, blank=True)
    requested_va = models.PositiveIntegerField(_("requested power (VA)"))
    tariff = models.CharField(_("tariff class"), max_length=8, choices=Customer.Tariff.choices)
    payment_type = models.CharField(_("payment type"), max_length=10, choices=Customer.PaymentType.choices)
    network_work = models.CharField(_("network work"), max_length=12, default="none")
    normal_fee = models.PositiveBigIntegerField(_("normal fee (Rp)"), null=True, blank=True)
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    price = models.PositiveBigIntegerField(_("price to pay (Rp)"), null=True, blank=True)
    quote = models.JSONField(_("quote"), default=dict, blank=True)
    quoted_at = models.DateTimeField(_("quoted at"), null=True, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_amount = models.PositiveBigIntegerField(_("amount paid (Rp)"), null=True, blank=True)
    payment_reference = models.CharField(_("payment reference"), max_length=60, blank=True)
    slo_number = models.CharField(_("SLO number"), max_length=60, blank=True)
    contract_number = models.CharField(_("SPJBTL number"), max_length=60, blank=True)
    meter_number = models.CharField(_("meter number"), max_length=11, blank=True)
    new_customer = models.ForeignKey(
        Customer, verbose_name=_("new customer"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    energised_at = models.DateTimeField(_("energised at"), null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("connection application")
        verbose_name_plural = _("connection applications")
        indexes = [models.Index(fields=["unit", "stage"], name="connapp_unit_stage_idx")]

    def __str__(self) -> str:
        return f"{self.ticket.number} {self.get_stage_display()}"

    @property
    def is_business(self) -> bool:
        return self.tariff.startswith(("B-", "I-"))

    @property
    def added_va(self) -> int:
        return self.requested_va - (self.current_va or 0)


def _document_path(instance: "ApplicationDocument", filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"connection-documents/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


class ApplicationDocument(models.Model):
    """A document of an application: the applicant's KTP, the NIB of a business, the SLO certificate."""

    class DocumentKind(models.TextChoices):
        KTP = "ktp", _("KTP (identity card)")
        NIB = "nib", _("NIB (business identification number)")
        SLO = "slo", _("SLO certificate")
        OTHER = "other", _("Other document")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("document"), max_length=8, choices=DocumentKind.choices)
    file = models.FileField(_("file"), upload_to=_document_path)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["uploaded_at", "id"]
        verbose_name = _("application document")
        verbose_name_plural = _("application documents")

    def __str__(self) -> str:
        return f"{self.application_id} {self.kind}"


class CustomerChange(models.Model):
    """Outbox for the billing provider: one row per account opened or contract changed by an application.
    ``manage.py export_customer_changes`` writes the rows not exported yet as CSV and marks them."""

    class Change(models.TextChoices):
        NEW_ACCOUNT = "new_account", _("New account")
        POWER_CHANGE = "power_change", _("Power change")

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="customer_changes")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="+")
    change = models.CharField(max_length=16, choices=Change.choices)
    id_pelanggan = models.CharField(max_length=12)
    unit_code = models.CharField(max_length=32)
    old_power_va = models.PositiveIntegerField(null=True, blank=True)
    new_power_va = models.PositiveIntegerField()
    old_tariff = models.CharField(max_length=8, blank=True)
    new_tariff = models.CharField(max_length=8)
    payment_type = models.CharField(max_length=10)
    meter_number = models.CharField(max_length=11, blank=True)
    first_reading_kwh = models.DecimalField(max_digits=12, decimal_places=1, null=True, blank=True)
    effective_at = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    exported_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("customer change for billing")
        verbose_name_plural = _("customer changes for billing")
        indexes = [models.Index(fields=["exported_at", "created_at"], name="custchange_export_idx")]

    def __str__(self) -> str:
        return f"{self.id_pelanggan} {self.change}"
