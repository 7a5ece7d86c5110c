"""Create the peer's tables, a queue and a staff user with an API token, empty its tickets; print the queue id
and the token.

Run with the peer's virtualenv: ``PEER_DATABASE_URL=… bench/peer/.venv/bin/python bench/peer/peersite/prepare.py``.
"""

import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peersite.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from helpdesk.models import Queue, Ticket  # noqa: E402
from rest_framework.authtoken.models import Token  # noqa: E402

with connection.cursor() as cursor:
    cursor.execute("CREATE SCHEMA IF NOT EXISTS helpdesk_peer")
call_command("migrate", verbosity=0)
queue, _ = Queue.objects.get_or_create(
    slug="gangguan",
    defaults={"title": "Gangguan", "email_address": "gangguan@example.com", "new_ticket_cc": "ulp@example.com"},
)
user, created = get_user_model().objects.get_or_create(
    username="bench-api", defaults={"is_staff": True, "is_superuser": True, "email": "bench-api@example.com"}
)
token, _ = Token.objects.get_or_create(user=user)
Ticket.objects.all().delete()  # the previous run's tickets: each run starts from an empty helpdesk
print(json.dumps({"queue": queue.pk, "token": token.key}))
