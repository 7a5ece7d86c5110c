"""The history of a customer's contract: every change of power, tariff class, payment type or meter, and the
opening of the account itself, written by ``tickets.customer_services`` (never directly by other apps)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CustomerHistory(models.Model):
    """One change of a customer's contract, with the values before and after."""

    class Change(models.TextChoices):
        OPENED = "opened", _("Account opened")
        POWER_CHANGE = "power_change", _("Power or tariff changed")

    customer = models.ForeignKey("tickets.Customer", on_delete=models.CASCADE, related_name="history")
    change = models.CharField(_("change"), max_length=16, choices=Change.choices)
    old_power_va = models.PositiveIntegerField(_("power before (VA)"), null=True, blank=True)
    new_power_va = models.PositiveIntegerField(_("power after (VA)"))
    old_tariff = models.CharField(_("tariff before"), max_length=8, blank=True)
    new_tariff = models.CharField(_("tariff after"), max_length=8)
    old_payment_type = models.CharField(_("payment before"), max_length=10, blank=True)
    new_payment_type = models.CharField(_("payment after"), max_length=10)
    meter_number = models.CharField(_("meter number"), max_length=11, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True, help_text=_("e.g. the ticket number"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("customer history")
        verbose_name_plural = _("customer history")

    def __str__(self) -> str:
        return f"{self.customer_id} {self.change} {self.created_at:%Y-%m-%d}"
