"""Billing's categories: IF-TAGIHAN ("bill information given", closed at first contact) and token complaints
(GG-TOKEN) worked in the back-office queue instead of waiting for a crew that is never sent."""

from django.db import migrations

INFO = {
    "code": "IF-TAGIHAN",
    "group": "informasi",
    "kind": "back_office",
    "name_id": "Informasi tagihan / pemakaian",
    "name_en": "Bill and usage information",
    "is_public": False,
    "dispatches": False,
    "default_priority": "low",
    "sort_order": 265,
}

# Token failures were "technical" (the outage flow) though no crew is dispatched for them.
TOKEN_STATUS = {"assigned": "received", "on_the_way": "received", "in_progress": "in_progress",
                "temporarily_restored": "in_progress", "restored": "resolved"}  # fmt: skip

# Biaya beban / rekening minimum per kVA and month (Rp): subsidised classes a fixed biaya beban, the others
# 40 hours of use at the tariff (rekening minimum). Seed values; the admin keeps them current.
BIAYA_BEBAN = [
    ("R-1/TR", 0, 450, "11000"),
    ("R-1/TR", 451, 900, "20000"),
    ("R-1M/TR", 0, 900, "54080"),
    ("R-1/TR", 901, 2200, "57788"),
    ("R-2/TR", 3500, 5500, "67981.20"),
    ("R-3/TR", 6600, None, "67981.20"),
    ("B-1/TR", 0, 450, "23500"),
    ("B-1/TR", 451, 900, "26500"),
    ("B-1/TR", 901, 5500, "60000"),
    ("B-2/TR", 6600, 200000, "57788"),
    ("S-1/TR", 0, 220, "14000"),
    ("S-2/TR", 0, 900, "10000"),
    ("S-2/TR", 901, 200000, "36000"),
]
SOURCE = "Seed: biaya beban (subsidised) / rekening minimum 40 h × tariff"


def forward(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    Ticket = apps.get_model("tickets", "Ticket")
    BiayaBeban = apps.get_model("billing", "BiayaBeban")
    Category.objects.update_or_create(code=INFO["code"], defaults={k: v for k, v in INFO.items() if k != "code"})
    token = Category.objects.filter(code="GG-TOKEN").first()
    if token is not None:
        Category.objects.filter(pk=token.pk).update(kind="back_office", dispatches=False)
        for old, new in TOKEN_STATUS.items():
            Ticket.objects.filter(category=token, status=old).update(status=new)
        Ticket.objects.filter(category=token).update(kind="back_office")
    from datetime import date

    for tariff, low, high, rate in BIAYA_BEBAN:
        BiayaBeban.objects.get_or_create(
            tariff=tariff, min_va=low, max_va=high, valid_from=date(2024, 1, 1),
            defaults={"rupiah_per_kva": rate, "source": SOURCE},
        )  # fmt: skip


def backward(apps, schema_editor):
    Category = apps.get_model("tickets", "Category")
    Category.objects.filter(code="GG-TOKEN").update(kind="technical")


class Migration(migrations.Migration):
    dependencies = [
        ("billing", "0001_initial"),
        ("tickets", "0009_merge_outages_scale"),
    ]

    operations = [migrations.RunPython(forward, backward)]
