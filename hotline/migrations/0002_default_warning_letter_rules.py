from django.db import migrations

# (level, confirmed violations, within days, letter in force for days)
DEFAULT_RULES = [(1, 3, 30, 180), (2, 2, 90, 180), (3, 2, 90, 180)]


def add_rules(apps, schema_editor):
    rule_model = apps.get_model("hotline", "WarningLetterRule")
    for level, violations, period_days, in_force_days in DEFAULT_RULES:
        rule_model.objects.get_or_create(
            level=level,
            defaults={"violations": violations, "period_days": period_days, "in_force_days": in_force_days},
        )


class Migration(migrations.Migration):
    dependencies = [("hotline", "0001_initial")]

    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
