"""What dispatch announces; other apps (outages, mass-outage mode, connections, billing) subscribe.

``incident_changed`` is sent inside the transaction of the change (sender=Incident, incident=<Incident>,
change in CHANGES); receivers that do outside work register it with ``transaction.on_commit``.

``field_job_finished`` is sent inside the transaction that closes a field job, done or failed
(sender=FieldJob, job=<FieldJob>, result=<FieldJob.result dict>). The app that ordered the job acts on it
(connections moves its application's stage; billing puts the reading on its ticket): a receiver that raises
rolls the technician's step back, so receivers must accept any well-formed result.
"""

from django.dispatch import Signal

CHANGES = ("opened", "joined", "estimate", "assigned", "status", "restored", "partly_restored")

incident_changed = Signal()

field_job_finished = Signal()
