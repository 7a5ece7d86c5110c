"""Outage communication follows tickets and incidents through their signals (inside the change's transaction)."""

import logging

from django.dispatch import receiver

from dispatch.signals import incident_changed
from tickets import signals as ticket_signals
from tickets.models import Ticket

logger = logging.getLogger(__name__)


@receiver(ticket_signals.ticket_opened, dispatch_uid="outages.record_against_plan")
def record_against_plan(sender, ticket, **kwargs):
    from . import services

    services.record_against_plan(ticket=ticket)


@receiver(ticket_signals.ticket_status_changed, dispatch_uid="outages.ask_confirmation")
def ask_confirmation(sender, ticket, from_status, to_status, event, **kwargs):
    if to_status != Ticket.Status.RESTORED:
        return
    from . import services

    services.ask_confirmation(ticket=ticket)


def on_incident_changed(sender, incident, change, **kwargs):
    """Every incident change re-checks the wide-area threshold and refreshes what the public sees."""
    from . import services

    services.evaluate_incident(incident=incident, change=change)
    if change == "restored" or not incident.is_open:
        services.notify_restoration_subscribers(incident=incident)


incident_changed.connect(on_incident_changed, dispatch_uid="outages.on_incident_changed")
