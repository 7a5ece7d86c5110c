"""Outage communication: planned outages, wide-area (mass) outages, staged restoration, the confirmation loop.

- **Pemadaman terencana**: a ULP schedules maintenance for an area (transformers / feeders, or a drawn
  polygon) and a window; opted-in customers are told ahead and at the end; outage reports inside the window
  are recorded against the plan, not dispatched, and exempt from the regulator's clock.
- **INFO PADAM MELUAS**: an incident above its unit's threshold (reports or customers affected) becomes a
  wide-area outage: banner, PBX announcement, console first, "tell me when power is back" subscriptions.
- **NYALA BERTAHAP**: staged restoration by transformer.
- **Is your power back?**: after restoration each reporter confirms; "no" opens one linked ticket.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PlannedOutage(models.Model):
    """A maintenance window of a ULP over an area: transformer / feeder codes, or a GeoJSON polygon."""

    unit = models.ForeignKey(
        "tickets.ServiceUnit", verbose_name=_("ULP"), on_delete=models.PROTECT, related_name="planned_outages"
    )
    title = models.CharField(_("work"), max_length=160)
    transformer_codes = models.JSONField(_("transformers (gardu)"), default=list, blank=True)
    feeder_codes = models.JSONField(_("feeders (penyulang)"), default=list, blank=True)
    area = models.JSONField(_("area (GeoJSON polygon)"), null=True, blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    # Where it is, for the map and for visitors who give only their position.
    center_lat = models.FloatField(null=True, blank=True)
    center_lng = models.FloatField(null=True, blank=True)
    radius_m = models.PositiveIntegerField(default=0)
    customers_affected = models.PositiveIntegerField(_("customers affected"), default=0)
    notice_sent_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["starts_at", "id"]
        verbose_name = _("planned outage")
        verbose_name_plural = _("planned outages")
        constraints = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="planned_outage_ends_after_start"),
        ]
        indexes = [models.Index(fields=["unit", "ends_at"], name="planned_unit_ends_idx")]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.title} {self.starts_at:%Y-%m-%d %H:%M}"

    def is_active(self, at=None) -> bool:
        at = at or timezone.now()
        return self.cancelled_at is None and self.starts_at <= at < self.ends_at


class PlannedOutageReport(models.Model):
    """An outage report that fell inside a planned window: recorded against the plan, not dispatched."""

    plan = models.ForeignKey(PlannedOutage, on_delete=models.CASCADE, related_name="reports")
    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="planned_outage_report")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("report during a planned outage")
        verbose_name_plural = _("reports during planned outages")

    def __str__(self) -> str:
        return f"{self.plan_id} {self.ticket_id}"


class OutageAlertOptIn(models.Model):
    """A customer who asked to be told of planned outages on their connection."""

    customer = models.OneToOneField("tickets.Customer", on_delete=models.CASCADE, related_name="outage_alert")
    language = models.CharField(_("language"), max_length=5, default="id")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("planned-outage alert")
        verbose_name_plural = _("planned-outage alerts")

    def __str__(self) -> str:
        return str(self.customer_id)


class MassOutageThreshold(models.Model):
    """When an incident of this unit becomes a wide-area outage (either number reached)."""

    unit = models.OneToOneField("tickets.ServiceUnit", on_delete=models.CASCADE, related_name="mass_outage_threshold")
    min_reports = models.PositiveIntegerField(_("reports"), validators=[MinValueValidator(2)])
    min_customers = models.PositiveIntegerField(_("customers affected"), validators=[MinValueValidator(2)])

    class Meta:
        verbose_name = _("mass-outage threshold")
        verbose_name_plural = _("mass-outage thresholds")

    def __str__(self) -> str:
        return f"{self.unit.code}: {self.min_reports} / {self.min_customers}"


class WideAreaOutage(models.Model):
    """INFO PADAM MELUAS: an incident above its unit's threshold. ``active`` while it stays above."""

    incident = models.OneToOneField("dispatch.Incident", on_delete=models.CASCADE, related_name="wide_area")
    unit = models.ForeignKey("tickets.ServiceUnit", on_delete=models.PROTECT, related_name="wide_area_outages")
    active = models.BooleanField(default=True, db_index=True)
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)
    reports = models.PositiveIntegerField(default=0)
    customers = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("wide-area outage")
        verbose_name_plural = _("wide-area outages")

    def __str__(self) -> str:
        return f"{self.unit.code} incident {self.incident_id} ({'active' if self.active else 'ended'})"


class RestorationSubscription(models.Model):
    """A caller or web visitor who asked for one message when the power returns, instead of a report."""

    incident = models.ForeignKey(
        "dispatch.Incident", on_delete=models.CASCADE, related_name="restoration_subscriptions"
    )
    phone = models.CharField(_("phone"), max_length=20)
    language = models.CharField(_("language"), max_length=5, default="id")
    source = models.CharField(_("asked through"), max_length=10, default="web")
    created_at = models.DateTimeField(default=timezone.now)
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("power-back subscription")
        verbose_name_plural = _("power-back subscriptions")
        constraints = [models.UniqueConstraint(fields=["incident", "phone"], name="one_subscription_per_phone")]

    def __str__(self) -> str:
        return f"{self.incident_id} {self.phone}"


class StagedRestoration(models.Model):
    """NYALA BERTAHAP: one step of a staged restoration, with the transformers restored in it."""

    incident = models.ForeignKey("dispatch.Incident", on_delete=models.CASCADE, related_name="staged_restorations")
    transformer_codes = models.JSONField(default=list)
    tickets_restored = models.PositiveIntegerField(default=0)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("staged restoration")
        verbose_name_plural = _("staged restorations")

    def __str__(self) -> str:
        return f"{self.incident_id} {','.join(self.transformer_codes)}"


class RestorationCheck(models.Model):
    """ "Is your power back?" asked of one reporter after restoration; answered once.

    The question travels in the "restored" message itself (no second message), linking to
    /nyala/<the ticket's tracking token>/.
    """

    class Answer(models.TextChoices):
        PENDING = "", _("Not answered yet")
        YES = "yes", _("Power is back")
        NO = "no", _("Still no power")
        TIMEOUT = "timeout", _("No answer in time")

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="restoration_check")
    asked_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    answer = models.CharField(max_length=8, choices=Answer.choices, blank=True, default="")
    answered_at = models.DateTimeField(null=True, blank=True)
    follow_up = models.ForeignKey("tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("restoration check")
        verbose_name_plural = _("restoration checks")
        indexes = [
            models.Index(fields=["due_at"], name="check_pending_due_idx", condition=Q(answer="")),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id} {self.answer or 'pending'}"

    @property
    def is_open(self) -> bool:
        return self.answer == ""

    @property
    def token(self) -> str:
        """The link's secret is the ticket's tracking token: whoever may follow the report may answer."""
        return self.ticket.tracking_token
