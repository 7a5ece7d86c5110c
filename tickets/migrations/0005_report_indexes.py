"""Partial indexes for the supervisor reports (open tickets; restored outages for SAIDI/SAIFI).

Plain SQL understood by PostgreSQL and SQLite; they do not change the model state.
"""

from django.db import migrations

OPEN = "('received', 'assigned', 'on_the_way', 'in_progress', 'temporarily_restored', 'waiting_customer')"

INDEXES = [
    (
        "ticket_open_unit_cat_idx",
        f"tickets_ticket (unit_id, category_id, created_at) WHERE status IN {OPEN}",
    ),
    (
        "ticket_restored_outage_idx",
        "tickets_ticket (unit_id, first_informed_at) WHERE restored_at IS NOT NULL AND kind = 'technical'",
    ),
    ("ticket_unit_created_cat_idx", "tickets_ticket (unit_id, created_at, category_id)"),
]


class Migration(migrations.Migration):
    dependencies = [("tickets", "0004_seed_service_levels")]

    operations = [
        migrations.RunSQL(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}", f"DROP INDEX IF EXISTS {name}")
        for name, definition in INDEXES
    ]
