"""Service levels as data (TMP targets, holidays), each ticket's clock, escalations, back-office details.

Loaded from ``tickets.models``; kept apart so the ticket core stays readable.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tickets.models import Category, Customer, ServiceUnit, Ticket

non_negative = [MinValueValidator(Decimal("0"), _("A target cannot be negative."))]

# docs/domain.md §8.2: standard LV power levels (VA), single- and three-phase.
LV_POWER_LEVELS = [
    450, 900, 1300, 2200, 3500, 3900, 4400, 5500, 6600, 7700, 10600, 11000, 13200, 13900, 16500, 17600, 22000,
    23000, 33000, 41500, 53000, 66000, 82500, 105000, 131000, 147000, 164000, 197000,
]  # fmt: skip


class PublicHoliday(models.Model):
    """A national public holiday (hari libur nasional / cuti bersama): not a working day."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=120)

    class Meta:
        ordering = ["date"]
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class ServiceLevelTarget(models.Model):
    """One TMP target (Tingkat Mutu Pelayanan) for a category, optionally for one unit, from a date on."""

    class Indicator(models.TextChoices):
        OUTAGE_RESPONSE = "outage_response", _("Speed of responding to outage complaints (k)")
        OUTAGE_DURATION = "outage_duration", _("Outage duration per customer per month (e)")
        OUTAGE_COUNT = "outage_count", _("Outage count per customer per month (f)")
        NEW_CONNECTION_LV = "new_connection_lv", _("New LV connection lead time (h)")
        POWER_CHANGE_LV = "power_change_lv", _("LV power change lead time (j)")
        METER_READING = "meter_reading", _("kWh meter reading errors (l)")
        BILL_CORRECTION = "bill_correction", _("Bill correction time (m)")
        INTERNAL = "internal", _("Internal target (not a TMP indicator)")

    class Clock(models.TextChoices):
        HOURS = "hours", _("Hours, round the clock")
        WORKING_DAYS = "working_days", _("Working days (Monday–Friday, not holidays)")

    class NetworkWork(models.TextChoices):
        ANY = "", _("Any")
        NONE = "none", _("Without network extension")
        EXTENSION = "extension", _("With network extension")
        TRANSFORMER = "transformer", _("With a new transformer")

    indicator = models.CharField(_("TMP indicator"), max_length=24, choices=Indicator.choices)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    unit = models.ForeignKey(
        ServiceUnit,
        verbose_name=_("unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Empty: every unit. A target of a unit overrides the one of the units above it."),
    )
    network_work = models.CharField(
        _("network work"), max_length=12, choices=NetworkWork.choices, default="", blank=True
    )
    clock = models.CharField(_("counted in"), max_length=12, choices=Clock.choices, default=Clock.HOURS)
    response_time = models.DecimalField(
        _("response time"), max_digits=7, decimal_places=2, null=True, blank=True, validators=non_negative
    )
    resolution_time = models.DecimalField(
        _("resolution time"), max_digits=7, decimal_places=2, null=True, blank=True, validators=non_negative
    )
    monthly_limit = models.DecimalField(
        _("monthly limit per customer"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        validators=non_negative,
        help_text=_("For outage duration (hours) and outage count (times) per customer per month."),
    )
    grants_compensation = models.BooleanField(_("grants compensation"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["indicator", "category__code", "network_work", "-valid_from"]
        verbose_name = _("service-level target")
        verbose_name_plural = _("service-level targets")
        constraints = [
            models.CheckConstraint(
                condition=(Q(response_time__isnull=True) | Q(response_time__gte=0))
                & (Q(resolution_time__isnull=True) | Q(resolution_time__gte=0))
                & (Q(monthly_limit__isnull=True) | Q(monthly_limit__gte=0)),
                name="sla_target_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True) | Q(valid_until__gt=models.F("valid_from")),
                name="sla_target_until_after_from",
            ),
        ]
        indexes = [models.Index(fields=["category", "valid_from"], name="sla_target_category_idx")]

    def __str__(self) -> str:
        scope = self.category.code if self.category_id else self.get_indicator_display()
        return f"{scope} {self.network_work} {self.valid_from}".replace("  ", " ")

    def same_scope(self) -> models.QuerySet["ServiceLevelTarget"]:
        return ServiceLevelTarget.objects.filter(
            indicator=self.indicator, category=self.category, unit=self.unit, network_work=self.network_work
        ).exclude(pk=self.pk)

    def overlaps(self, other: "ServiceLevelTarget") -> bool:
        """Versions follow each other: an open end stops at the next version; an explicit end must not reach it."""
        if other.valid_from == self.valid_from:
            return True
        first, second = (self, other) if self.valid_from < other.valid_from else (other, self)
        return first.valid_until is not None and first.valid_until > second.valid_from

    def clean(self) -> None:
        errors: dict[str, list] = {}
        if self.response_time is None and self.resolution_time is None and self.monthly_limit is None:
            errors["resolution_time"] = [_("Give a response time, a resolution time or a monthly limit.")]
        if self.valid_until and self.valid_from and self.valid_until <= self.valid_from:
            errors["valid_until"] = [_("The end date must come after the start date.")]
        if self.indicator and self.valid_from and not errors:
            for other in self.same_scope():
                if self.overlaps(other):
                    errors["valid_from"] = [
                        _("This target overlaps the version valid from %(date)s for the same scope.")
                        % {"date": other.valid_from.isoformat()}
                    ]
                    break
        if errors:
            raise ValidationError(errors)

    def is_valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day < self.valid_until)


class TicketServiceLevel(models.Model):
    """The service-level clock of one ticket: target, due times, pauses, breaches, compensation flag, owner."""

    class Deadline(models.TextChoices):
        RESPONSE = "response", _("Response")
        RESOLUTION = "resolution", _("Resolution")

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="service_level")
    # Copied from the ticket so that reports aggregate this table alone.
    unit = models.ForeignKey(ServiceUnit, on_delete=models.PROTECT, related_name="+", db_index=False)
    target = models.ForeignKey(ServiceLevelTarget, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    indicator = models.CharField(_("TMP indicator"), max_length=24, blank=True)
    clock = models.CharField(max_length=12, default="hours")
    zone = models.CharField(max_length=32, default="Asia/Jakarta")
    started_at = models.DateTimeField()
    response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    responded_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    response_met = models.BooleanField(null=True)
    resolution_met = models.BooleanField(null=True)
    paused_since = models.DateTimeField(null=True, blank=True)
    pauses = models.JSONField(default=list, blank=True)
    # The sweeper's three alarms (null when there is nothing to watch).
    warn_at = models.DateTimeField(null=True, blank=True)
    next_due_at = models.DateTimeField(null=True, blank=True)
    up3_at = models.DateTimeField(null=True, blank=True)
    warned_at = models.DateTimeField(null=True, blank=True)
    response_breached_at = models.DateTimeField(null=True, blank=True)
    resolution_breached_at = models.DateTimeField(null=True, blank=True)
    compensation_rule = models.CharField(_("compensation rule"), max_length=120, blank=True)
    compensation_percent = models.PositiveSmallIntegerField(_("compensation (percent of biaya beban)"), null=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    # Why the regulator's clock does not apply ("planned": inside a planned-maintenance window).
    exemption = models.CharField(_("exemption"), max_length=24, blank=True)

    class Meta:
        verbose_name = _("ticket service level")
        verbose_name_plural = _("ticket service levels")
        indexes = [
            models.Index(fields=["unit", "started_at"], name="tsl_unit_started_idx"),
            models.Index(fields=["warn_at"], name="tsl_warn_idx", condition=Q(warn_at__isnull=False)),
            models.Index(fields=["next_due_at"], name="tsl_due_idx", condition=Q(next_due_at__isnull=False)),
            models.Index(fields=["up3_at"], name="tsl_up3_idx", condition=Q(up3_at__isnull=False)),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.indicator}"

    @property
    def is_paused(self) -> bool:
        return self.paused_since is not None

    @property
    def breached(self) -> bool:
        return bool(self.response_breached_at or self.resolution_breached_at)


class Escalation(models.Model):
    """A warning to the ticket's owner, or an escalation to the ULP or UP3 supervisors; once per level."""

    class Level(models.TextChoices):
        WARNING = "warning", _("Warning before breach")
        ULP = "ulp", _("Escalated to the ULP supervisor")
        UP3 = "up3", _("Escalated to the UP3")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalations")
    level = models.CharField(_("level"), max_length=8, choices=Level.choices)
    deadline = models.CharField(_("deadline"), max_length=12, choices=TicketServiceLevel.Deadline.choices)
    unit = models.ForeignKey(ServiceUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+")
    due_at = models.DateTimeField(_("due at"))
    recipients = models.TextField(_("recipients"), blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")
        constraints = [models.UniqueConstraint(fields=["ticket", "level"], name="escalation_once_per_level")]
        indexes = [models.Index(fields=["unit", "-created_at"], name="escalation_unit_idx")]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.level}"


class ServiceRequestDetail(models.Model):
    """What a new-connection (LY-PB) or power-change (LY-PD) request asks for, and its documents."""

    DOCUMENTS = {
        "ktp": _("Identity card (KTP)"),
        "address": _("Proof of address or land certificate"),
        "slo": _("Certificate of operational worthiness (SLO)"),
        "npwp": _("Tax number (NPWP), for business and industry"),
        "last_bill": _("Latest bill or ID pelanggan"),
        "wiring": _("Installation drawing from the installer"),
    }
    DOCUMENTS_FOR = {"LY-PB": ["ktp", "address", "slo", "npwp", "wiring"], "LY-PD": ["ktp", "last_bill", "slo"]}

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="service_request")
    requested_power_va = models.PositiveIntegerField(
        _("requested power (VA)"), choices=[(va, f"{va:,} VA".replace(",", ".")) for va in LV_POWER_LEVELS]
    )
    tariff = models.CharField(_("tariff class"), max_length=8, choices=Customer.Tariff.choices)
    programme_code = models.CharField(_("programme / promotion code"), max_length=40, blank=True)
    network_work = models.CharField(
        _("network work"),
        max_length=12,
        choices=ServiceLevelTarget.NetworkWork.choices[1:],
        default=ServiceLevelTarget.NetworkWork.NONE,
    )
    documents_received = models.JSONField(_("documents received"), default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("service request detail")
        verbose_name_plural = _("service request details")

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.requested_power_va} VA"

    def documents_asked(self) -> list[str]:
        return self.DOCUMENTS_FOR.get(self.ticket.category.code, list(self.DOCUMENTS))


class ExternalReferral(models.Model):
    """A complaint also raised with the Ombudsman RI or LP2K (consumer protection), with their deadline."""

    class Body(models.TextChoices):
        OMBUDSMAN = "ombudsman", _("Ombudsman RI")
        LP2K = "lp2k", _("LP2K (consumer protection)")

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="referrals")
    body = models.CharField(_("body"), max_length=12, choices=Body.choices)
    reference = models.CharField(_("their reference"), max_length=60)
    raised_on = models.DateField(_("raised on"))
    deadline = models.DateField(_("their deadline"))
    note = models.TextField(_("note"), blank=True, max_length=2000)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = _("external referral")
        verbose_name_plural = _("external referrals")
        constraints = [models.UniqueConstraint(fields=["ticket", "body"], name="referral_once_per_body")]

    def __str__(self) -> str:
        return f"{self.get_body_display()} {self.reference}"

    def clean(self) -> None:
        if self.deadline and self.raised_on and self.deadline < self.raised_on:
            raise ValidationError({"deadline": _("The deadline cannot be before the date it was raised.")})
