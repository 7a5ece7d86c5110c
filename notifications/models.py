"""Outbox of customer notifications, their delivery attempts, contact preferences, surveys and feedback.

These models belong to the ``tickets`` app (``tickets/models.py`` imports them).
"""

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One message to one customer address, written in the transaction of the change it reports.

    Most rows are about one ticket event. Notices that belong to no ticket (a planned outage ahead, power back
    for a caller who asked to be told) carry their words' parameters in ``payload`` and a ``dedupe_key`` that
    makes the writer idempotent.
    """

    class Channel(models.TextChoices):
        SMS = "sms", _("SMS")
        WHATSAPP = "whatsapp", _("WhatsApp")
        EMAIL = "email", _("E-mail")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        # Handled, but no gateway carried it (the logging adapter): final, never sent again by the sweep.
        LOGGED = "logged", _("Logged (no gateway)")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped (opted out)")

    reference = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    event = models.ForeignKey(
        "tickets.TicketEvent", null=True, blank=True, on_delete=models.CASCADE, related_name="notifications"
    )
    payload = models.JSONField(default=dict, blank=True)
    dedupe_key = models.CharField(max_length=150, unique=True, null=True, blank=True, editable=False)
    kind = models.CharField(_("kind"), max_length=24)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    language = models.CharField(_("language"), max_length=5, default="id")
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When the relay handed the row's send to the broker (None: not yet, or published by the writer itself).
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    provider_message_id = models.CharField(max_length=120, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        app_label = "tickets"
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            # A ticket event reaches each channel at most once, however often the writer or the task runs.
            models.UniqueConstraint(fields=["event", "channel"], name="one_notification_per_event_channel"),
        ]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="notification_due_idx"),
            # What the relay reads a few times a second: pending rows nobody has published yet (a handful).
            models.Index(
                fields=["id"],
                condition=models.Q(status="pending", published_at__isnull=True),
                name="notification_unpublished_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.address} ({self.status})"


class NotificationAttempt(models.Model):
    """One try at handing a notification to its provider: when, what the provider answered, what failed."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="attempt_log")
    attempted_at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField(default=False)
    provider_status = models.CharField(max_length=20, blank=True)
    provider_answer = models.CharField(max_length=1000, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        app_label = "tickets"
        ordering = ["attempted_at", "id"]

    def __str__(self) -> str:
        return f"{self.notification_id} {'ok' if self.succeeded else 'error'} {self.attempted_at:%Y-%m-%d %H:%M:%S}"


class ContactPreference(models.Model):
    """Which mobile channel a phone number prefers for updates (SMS unless it chose WhatsApp)."""

    phone = models.CharField(_("phone"), max_length=20, unique=True)
    mobile_channel = models.CharField(
        _("updates by"),
        max_length=10,
        choices=[(Notification.Channel.SMS, _("SMS")), (Notification.Channel.WHATSAPP, _("WhatsApp"))],
        default=Notification.Channel.SMS,
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        app_label = "tickets"
        verbose_name = _("contact preference")
        verbose_name_plural = _("contact preferences")

    def __str__(self) -> str:
        return f"{self.phone}: {self.mobile_channel}"


class NotificationOptOut(models.Model):
    """A customer address that asked for no more messages on one channel."""

    channel = models.CharField(_("channel"), max_length=10, choices=Notification.Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "tickets"
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [models.UniqueConstraint(fields=["channel", "address"], name="one_opt_out_per_channel_address")]

    def __str__(self) -> str:
        return f"{self.channel} {self.address}"


class SurveyResponse(models.Model):
    """The customer's one rating (1–5) and comment for a resolved or restored ticket."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="survey_response")
    unit = models.ForeignKey("tickets.ServiceUnit", on_delete=models.PROTECT, related_name="survey_responses")
    rating = models.PositiveSmallIntegerField(_("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        app_label = "tickets"
        ordering = ["-created_at", "-id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        constraints = [
            models.CheckConstraint(condition=models.Q(rating__gte=1, rating__lte=5), name="survey_rating_1_to_5"),
        ]

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.rating}"


class Feedback(models.Model):
    """Kritik, saran or apresiasi about the service, optionally about one ticket or one unit."""

    class Kind(models.TextChoices):
        KRITIK = "kritik", _("Criticism (kritik)")
        SARAN = "saran", _("Suggestion (saran)")
        APRESIASI = "apresiasi", _("Appreciation (apresiasi)")

    class Origin(models.TextChoices):
        WEB = "web", _("Feedback page")
        API = "api", _("API")
        TICKET = "ticket", _("Ticket")

    class Status(models.TextChoices):
        NEW = "new", _("New")
        REPLIED = "replied", _("Replied")
        CLOSED = "closed", _("Closed without reply")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    message = models.TextField(_("message"), max_length=4000)
    name = models.CharField(_("name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.SET_NULL, related_name="feedback"
    )
    unit = models.ForeignKey(
        "tickets.ServiceUnit", null=True, blank=True, on_delete=models.PROTECT, related_name="feedback"
    )
    # "ticket": written for a ticket in an SP-* category (tickets/feedback.py), one per ticket.
    origin = models.CharField(_("origin"), max_length=10, choices=Origin.choices, default=Origin.WEB)
    language = models.CharField(_("language"), max_length=5, default="id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.NEW)
    reply = models.TextField(_("reply"), max_length=2000, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    replied_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        app_label = "tickets"
        ordering = ["-created_at", "-id"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.UniqueConstraint(
                fields=["ticket"], condition=models.Q(origin="ticket"), name="one_feedback_per_feedback_ticket"
            ),
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="feedback_status_idx")]

    def __str__(self) -> str:
        return f"{self.kind}: {self.message[:40]}"

    @property
    def has_contact(self) -> bool:
        """Whether a reply can reach the customer: a phone, an e-mail address or a ticket's tracking page."""
        return bool(self.phone or self.email or self.ticket_id)
