"""Service levels follow the ticket: due times at intake, pauses and stops on status changes."""

from django.dispatch import receiver

from tickets import signals


@receiver(signals.ticket_opened, dispatch_uid="sla.start_clock")
def start_clock_on_open(sender, ticket, service_level=None, **kwargs):
    from . import services as sla_services

    sla_services.start_clock(ticket=ticket, clock=service_level)


@receiver(signals.ticket_status_changed, dispatch_uid="sla.follow_status_change")
def follow_status_change(sender, ticket, from_status, to_status, event, **kwargs):
    from . import services as sla_services

    sla_services.follow_status_change(ticket=ticket, from_status=from_status, to_status=to_status, at=event.created_at)
