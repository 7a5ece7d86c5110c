from django.db import migrations

from tickets.categories import CATEGORIES

ROLES = ("operator", "back_office", "dispatcher", "technician", "supervisor", "admin")


def seed(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    Group = apps.get_model("auth", "Group")
    for order, (code, group, kind, name_id, name_en, dispatches, priority) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "group": group, "kind": kind, "name_id": name_id, "name_en": name_en,
                "dispatches": dispatches, "default_priority": priority, "sort_order": order * 10,
            },
        )
    for name in ROLES:
        Group.objects.get_or_create(name=name)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS tickets_ticket_number_seq")


def unseed(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS tickets_ticket_number_seq")


class Migration(migrations.Migration):
    dependencies = [("tickets", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(seed, unseed)]
