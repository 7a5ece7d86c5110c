from django.db import migrations

from tickets.sla.seed import sync_service_levels


def seed(apps, schema_editor):
    sync_service_levels(apps)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0003_service_levels")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
