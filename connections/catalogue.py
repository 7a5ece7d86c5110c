# ruff: noqa: E501  (a table of sources and descriptions)
"""The seeded fee table and programme catalogue (loaded by the data migration; see docs/connections.md).

Figures: Permen ESDM 27/2017 Lampiran I as PLN's 2025 tables apply it. Power change: added VA × Rp 937 when the
new power is ≤ 2,200 VA, × Rp 969 above it up to 100 kVA, × Rp 775 above 100 kVA up to 200 kVA (every published
example checks out: 450→900 Rp 421,650; 900→1,300 Rp 374,800; 2,200→5,500 Rp 3,197,700). New connection
(prepaid, as ANTARA reports Lampiran I): 450 VA Rp 421,000; 900 VA Rp 843,000; 1,300 VA Rp 1,218,000; 2,200 VA
Rp 2,062,000; above 2,200 VA Rp 969/VA up to 100 kVA; Rp 775/VA above. The deposit (UJL) of postpaid, stamp duty
and street-lighting tax are not part of the fee.
"""

from datetime import date

SOURCE_FEES = (
    "Permen ESDM 27/2017 Bab III & Lampiran I; PLN 2025 tambah daya tables "
    "(economy.okezone.com 2025-11-17; gorontalo.tribunnews.com 2025-05-13)"
)

FEE_SCHEDULE = {
    "name": "Biaya penyambungan (Permen ESDM 27/2017)",
    "effective_from": date(2017, 1, 1),
    "source": SOURCE_FEES,
}

# (kind, va_above, va_up_to, flat amount or None, rate per VA or None)
FEE_RULES = [
    ("new_connection", 0, 450, 421_000, None),
    ("new_connection", 450, 900, 843_000, None),
    ("new_connection", 900, 1300, 1_218_000, None),
    ("new_connection", 1300, 2200, 2_062_000, None),
    ("new_connection", 2200, 100_000, None, "969"),
    ("new_connection", 100_000, 197_000, None, "775"),
    ("power_change", 0, 2200, None, "937"),
    ("power_change", 2200, 100_000, None, "969"),
    ("power_change", 100_000, 197_000, None, "775"),
]

_HALF_OFF_ID = (
    "Diskon 50% biaya tambah daya untuk pelanggan tegangan rendah satu fasa dengan daya awal 450–5.500 VA yang "
    "menambah daya sampai paling tinggi 7.700 VA. Syarat: terdaftar sebelum tanggal batas, tidak ada tunggakan "
    "tagihan, sekali per ID pelanggan, tidak menurunkan daya selama 1 tahun, biaya dibayar lunas di muka."
)
_HALF_OFF_EN = (
    "50% off the power-change fee for single-phase low-voltage customers now at 450–5,500 VA going up to at most "
    "7,700 VA. Conditions: registered before the cut-off date, no unpaid bills, once per ID pelanggan, no power "
    "decrease for one year, the fee paid in full up front."
)
SOURCE_2025 = (
    "economy.okezone.com/read/2025/11/17/320/3183997; gorontalo.tribunnews.com/2025/05/13; "
    "pandu.or.id/diskon-50-token-listrik-pln-mei-2025"
)


def _half_off(code: str, name: str, starts: date, ends: date) -> dict:
    return {
        "code": code,
        "name_id": name,
        "name_en": name,
        "description_id": _HALF_OFF_ID,
        "description_en": _HALF_OFF_EN,
        "applies_to": "power_change",
        "eligible_tariffs": [],
        "from_va_min": 450,
        "from_va_max": 5500,
        "to_va_max": 7700,
        "phases": "single",
        "same_phase_only": False,
        "same_payment_type_only": False,
        "no_network_extension": False,
        # The cut-off is the programme's first day (PLN published one per programme; its exact date is not kept).
        "registered_before": starts,
        "starts_on": starts,
        "ends_on": ends,
        "once_per_customer": True,
        "requires_bills_paid": True,
        "discount": "percent",
        "discount_value": "50",
        "source": SOURCE_2025,
    }


PROGRAMMES = [
    _half_off("bangkit-lebih-terang-2025", "Bangkit Lebih Terang 2025", date(2025, 5, 10), date(2025, 5, 23)),
    _half_off("energi-kemerdekaan-2025", "Energi Kemerdekaan 2025", date(2025, 8, 10), date(2025, 8, 23)),
    _half_off("power-hero-2025", "Power Hero 2025", date(2025, 11, 10), date(2025, 11, 23)),
    {
        "code": "ramadhan-berkah-2023",
        "name_id": "Ramadhan Berkah 2023 (rumah ibadah)",
        "name_en": "Ramadhan Berkah 2023 (houses of worship)",
        "description_id": (
            "Rumah ibadah membayar Rp 150.000 untuk pasang baru atau tambah daya sampai 5.500 VA, bila tidak perlu "
            "perkuatan jaringan, perubahan fasa, atau pindah prabayar/pascabayar."
        ),
        "description_en": (
            "Houses of worship pay Rp 150,000 for a new connection or a power increase up to 5,500 VA, where no "
            "network reinforcement, change of phases or prepaid/postpaid switch is needed."
        ),
        "applies_to": "both",
        # Houses of worship are connected in the social class (S-2/TR).
        "eligible_tariffs": ["S-2/TR"],
        "from_va_min": None,
        "from_va_max": None,
        "to_va_max": 5500,
        "phases": "any",
        "same_phase_only": True,
        "same_payment_type_only": True,
        "no_network_extension": True,
        "registered_before": None,
        # Ramadan 1444 H; the announcement gave the month, not the exact days.
        "starts_on": date(2023, 3, 23),
        "ends_on": date(2023, 4, 21),
        "once_per_customer": True,
        "requires_bills_paid": True,
        "discount": "flat_price",
        "discount_value": "150000",
        "source": "selektifnews.com/2023/03/program-ramadhan-berkah-pt-pln-persero.html",
    },
]


def load(FeeSchedule, FeeRule, Programme) -> None:
    """Create the seeded schedule and programmes (idempotent; models may be historical)."""
    schedule, _created = FeeSchedule.objects.get_or_create(
        name=FEE_SCHEDULE["name"],
        defaults={"effective_from": FEE_SCHEDULE["effective_from"], "source": FEE_SCHEDULE["source"]},
    )
    if not FeeRule.objects.filter(schedule=schedule).exists():
        for order, (kind, above, up_to, flat, rate) in enumerate(FEE_RULES):
            FeeRule.objects.create(
                schedule=schedule,
                kind=kind,
                va_above=above,
                va_up_to=up_to,
                flat_amount=flat,
                rate_per_va=rate,
                sort_order=order,
            )
    for values in PROGRAMMES:
        Programme.objects.update_or_create(
            code=values["code"], defaults={k: v for k, v in values.items() if k != "code"}
        )
