"""Each incident report keeps its ticket's position, indexed with its incident, for grouping by place."""

import django.db.models.deletion
from django.db import migrations, models


def copy_positions(apps, schema_editor):
    """Fill the new columns from the tickets: one statement (UPDATE … FROM on PostgreSQL)."""
    report = apps.get_model("dispatch", "IncidentReport")._meta.db_table
    ticket = apps.get_model("tickets", "Ticket")._meta.db_table
    if schema_editor.connection.vendor == "postgresql":
        sql = f"UPDATE {report} r SET lat = t.lat, lng = t.lng FROM {ticket} t WHERE t.id = r.ticket_id"
    else:
        sql = (
            f"UPDATE {report} SET lat = (SELECT t.lat FROM {ticket} t WHERE t.id = {report}.ticket_id),"
            f" lng = (SELECT t.lng FROM {ticket} t WHERE t.id = {report}.ticket_id)"
        )
    schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("dispatch", "0001_initial"),
        ("tickets", "0009_merge_outages_scale"),
    ]

    operations = [
        migrations.AddField(
            model_name="incidentreport",
            name="lat",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="incidentreport",
            name="lng",
            field=models.FloatField(blank=True, null=True),
        ),
        migrations.RunPython(copy_positions, migrations.RunPython.noop, elidable=True),
        # The index after the copy (one build instead of an update per row), the incident's own after it.
        migrations.AddIndex(
            model_name="incidentreport",
            index=models.Index(fields=["incident", "lat", "lng"], name="dispatch_report_place"),
        ),
        migrations.AlterField(
            model_name="incidentreport",
            name="incident",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reports",
                to="dispatch.incident",
            ),
        ),
    ]
