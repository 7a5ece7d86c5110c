"""Seed the fee table (biaya penyambungan) and the programme catalogue; see connections/catalogue.py."""

from django.db import migrations


def seed(apps, schema_editor):
    from connections import catalogue

    catalogue.load(apps.get_model("connections", "FeeSchedule"), apps.get_model("connections", "FeeRule"),
                   apps.get_model("connections", "Programme"))


class Migration(migrations.Migration):
    dependencies = [
        ("connections", "0001_initial"),
        ("tickets", "0010_connections_customer_history"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
