"""What dispatch announces; other apps (outages, mass-outage mode) subscribe.

``incident_changed`` is sent inside the transaction of the change (sender=Incident, incident=<Incident>,
change in CHANGES); receivers that do outside work register it with ``transaction.on_commit``.
"""

from django.dispatch import Signal

CHANGES = ("opened", "joined", "estimate", "assigned", "status", "restored", "partly_restored")

incident_changed = Signal()
