"""Client applications allowed to post Open311 requests, and what each posted request carried."""

import secrets

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

RATE_PERIODS = {"s", "sec", "second", "m", "min", "minute", "h", "hour", "d", "day"}


def validate_throttle_rate(value: str) -> None:
    """A DRF-style rate such as ``60/minute``."""
    count, _slash, period = (value or "").partition("/")
    if not count.isdigit() or int(count) < 1 or period not in RATE_PERIODS:
        raise ValidationError(_("Write a rate such as 60/minute or 1000/day."))


def _new_request_token() -> str:
    return secrets.token_urlsafe(18)


class Open311Client(models.Model):
    """A client application (city app, partner portal) holding an Open311 API key.

    Only a SHA-256 digest of the key is stored; the key itself is shown once, when it is issued.
    """

    name = models.CharField(_("name"), max_length=120)
    contact = models.CharField(_("contact"), max_length=255, blank=True, help_text=_("Who to call about this app."))
    key_prefix = models.CharField(_("key prefix"), max_length=8, editable=False, db_index=True)
    key_digest = models.CharField(max_length=64, unique=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    throttle_rate = models.CharField(
        _("throttle rate"),
        max_length=20,
        default="60/minute",
        validators=[validate_throttle_rate],
        help_text=_("Requests allowed per key, for example 60/minute or 1000/day."),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)

    class Meta:
        db_table = "tickets_open311client"  # created while these models belonged to the tickets app
        ordering = ["name"]
        verbose_name = _("Open311 client")
        verbose_name_plural = _("Open311 clients")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"


class Open311Request(models.Model):
    """The Open311 side of a ticket: which client posted it and the fields a ticket has no place for."""

    ticket = models.OneToOneField("tickets.Ticket", on_delete=models.CASCADE, related_name="open311_request")
    client = models.ForeignKey(Open311Client, on_delete=models.PROTECT, related_name="requests")
    token = models.CharField(max_length=32, unique=True, default=_new_request_token, editable=False)
    jurisdiction_id = models.CharField(max_length=120, blank=True)
    address_id = models.CharField(max_length=64, blank=True)
    account_id = models.CharField(max_length=120, blank=True)
    device_id = models.CharField(max_length=120, blank=True)
    media_url = models.URLField(max_length=500, blank=True)
    attributes = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        db_table = "tickets_open311request"
        ordering = ["-created_at", "-id"]
        verbose_name = _("Open311 request")
        verbose_name_plural = _("Open311 requests")

    def __str__(self) -> str:
        return f"{self.ticket_id} via {self.client_id}"
