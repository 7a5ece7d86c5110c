"""Announcements other apps subscribe to; ``tickets`` never imports them (docs/style.md §1).

Receivers run inside the transaction of the change and should register their work with
``transaction.on_commit``.
"""

from django.dispatch import Signal

# sender=Ticket, ticket=<Ticket>, service_level=<unsaved TicketServiceLevel whose due times the ticket holds>
ticket_opened = Signal()
# sender=Ticket, ticket=<Ticket>, from_status=str, to_status=str, event=<TicketEvent>
ticket_status_changed = Signal()
