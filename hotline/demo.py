"""Demo data for the call centre: the demo operator's seat and a few calls, one late, one hang-up to review."""

import struct
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from tickets.models import Category, Customer

from . import services
from .models import Call, OperatorSeat

DEMO_EXTENSION = "2001"

# (call id, caller index, seconds to answer or None, talk seconds, ended by, with recording, log a ticket)
CALLS = [
    ("demo-call-1", 1, 6, 140, "caller", True, "TG-LONJAK"),
    ("demo-call-2", 2, 21, 95, "caller", True, None),
    ("demo-call-3", 3, 4, 25, "operator", True, None),
    ("demo-call-4", 4, None, 30, "caller", False, None),
]


def silent_wav(seconds: float = 2.0, rate: int = 8000) -> bytes:
    """A short silent 8 kHz mono WAV, standing in for a real call recording."""
    data = b"\x00\x00" * int(seconds * rate)
    header = b"RIFF" + struct.pack("<I", 36 + len(data)) + b"WAVE"
    fmt = b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate, rate * 2, 2, 16)
    return header + fmt + b"data" + struct.pack("<I", len(data)) + data


def seed() -> dict:
    """Give the demo operator a seat and replay a few calls through the event service; safe to run again."""
    operator = get_user_model().objects.filter(username="operator").first()
    if operator is None:
        return {"calls": 0}
    with transaction.atomic():
        seat, _created = OperatorSeat.objects.get_or_create(user=operator)
        if not seat.extension:
            seat.extension = DEMO_EXTENSION
            seat.save(update_fields=["extension"])
    customers = list(Customer.objects.filter(unit__code__startswith="ULP-BPP").order_by("id_pelanggan")[:5])
    now = timezone.now()
    made = 0
    for index, (call_id, caller, answer_after, talk, ended_by, with_recording, ticket_category) in enumerate(CALLS):
        if Call.objects.filter(pbx_call_id=call_id).exists() or caller >= len(customers):
            continue
        customer = customers[caller]
        rang = now - timedelta(hours=3 - index * 0.5)
        common = {"call_id": call_id, "caller_number": customer.phone, "queue": "123-balikpapan"}

        def apply(kind: str, at, _common=common, _call_id=call_id, **extra):
            payload = {
                **_common,
                "type": kind,
                "event_id": f"{_call_id}-{kind}",
                **extra,
                "occurred_at": at.isoformat(),
            }
            services.apply_call_event(
                event_id=payload["event_id"], kind=kind, pbx_call_id=_call_id, occurred_at=at, payload=payload
            )

        apply("ring", rang, operator=seat.extension)
        ended = rang + timedelta(seconds=talk)
        if answer_after is not None:
            answered = rang + timedelta(seconds=answer_after)
            apply("answer", answered, operator=seat.extension, recorded_notice_played=True)
            ended = answered + timedelta(seconds=talk)
        apply("hangup", ended, ended_by=ended_by)
        call = Call.objects.get(pbx_call_id=call_id)
        if with_recording:
            audio = ContentFile(silent_wav(), name=f"{call_id}.wav")
            at = ended + timedelta(seconds=5)
            services.apply_call_event(
                event_id=f"{call_id}-recording",
                kind="recording_ready",
                pbx_call_id=call_id,
                occurred_at=at,
                payload={"type": "recording_ready", "call_id": call_id, "occurred_at": at.isoformat()},
                recording=audio,
            )
        if ticket_category:
            category = Category.objects.filter(code=ticket_category).first()
            if category is not None:
                services.log_call_ticket(
                    operator=operator,
                    call=call,
                    category=category,
                    description="Tagihan bulan ini naik dua kali lipat, mohon dicek.",
                    customer=customer,
                    idempotency_key=f"{call_id}-ticket",
                )
        made += 1
    return {"calls": made}
