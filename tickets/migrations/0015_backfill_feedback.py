"""A Feedback row for every ticket already logged in an SP-* category (kritik, saran, apresiasi).

Idempotent: a ticket that already has its feedback row (origin "ticket") is skipped, so running it again, or
after tickets/feedback.py has written rows for new tickets, adds nothing.
"""

from django.db import migrations

# A copy of tickets.feedback.KIND_BY_CATEGORY as it was when this migration was written.
KIND_BY_CATEGORY = {"SP-KRITIK": "kritik", "SP-SARAN": "saran", "SP-APRESIASI": "apresiasi"}
DONE_STATUSES = ("resolved", "closed", "cancelled")


def backfill(apps, schema_editor):
    Ticket = apps.get_model("tickets", "Ticket")
    Feedback = apps.get_model("tickets", "Feedback")
    tickets = (
        Ticket.objects.filter(category__code__in=KIND_BY_CATEGORY)
        .exclude(feedback__origin="ticket")
        .select_related("category")
        .order_by("pk")
    )
    batch = []
    for ticket in tickets.iterator(chunk_size=2000):
        batch.append(
            Feedback(
                kind=KIND_BY_CATEGORY[ticket.category.code],
                message=(ticket.description or "")[:4000],
                name=ticket.reporter_name or "",
                phone=ticket.reporter_phone or "",
                email=ticket.reporter_email or "",
                ticket_id=ticket.pk,
                unit_id=ticket.unit_id,
                origin="ticket",
                language=ticket.language or "id",
                # Work already finished on the ticket is not put back on the back office's list.
                status="closed" if ticket.status in DONE_STATUSES else "new",
                created_at=ticket.created_at,
            )
        )
        if len(batch) >= 2000:
            Feedback.objects.bulk_create(batch, ignore_conflicts=True)
            batch = []
    if batch:
        Feedback.objects.bulk_create(batch, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0014_feedback_reply")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
