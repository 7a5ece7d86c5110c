"""Seed service-level targets (docs/domain.md §5.1) and fixed-date public holidays; editable in the admin.

TMP values come from the Kepdirjen 50 K/23/DJL.3/2017 annex (Area Pontianak) and the 2019 tightening
of lama gangguan to one hour per month. Targets marked "internal" are house defaults for categories
without a TMP indicator; change them in the admin.
"""

from datetime import date

VALID_FROM = date(2020, 1, 1)
KEPDIRJEN = "Kepdirjen 50 K/23/DJL.3/2017"
INTERNAL = "Internal default"

OUTAGE_CATEGORIES = ["GG-PADAM-1", "GG-PADAM-M", "GG-TEG", "GG-APP", "GG-SR", "GG-BAHAYA", "GG-GARDU"]
INTERNAL_BACK_OFFICE = [
    "GG-PJU", "TG-LONJAK", "TG-BAYAR", "TG-KOMP", "LY-BN", "LY-MIG", "LY-SEMENTARA", "LY-SAMBUNG",
    "LY-SUBSIDI", "PT-P2TL", "PE-PUNGLI", "PE-SIKAP", "IF-PADAM", "IF-TARIF",
]  # fmt: skip

# (indicator, category code or None, network work, clock, response, resolution, monthly limit, compensation, source)
TARGETS = (
    [("outage_response", code, "", "hours", 1, None, None, False, KEPDIRJEN) for code in OUTAGE_CATEGORIES]
    + [
        ("internal", "GG-TOKEN", "", "hours", 2, 24, None, False, INTERNAL),
        ("bill_correction", "TG-KOREKSI", "", "working_days", None, 1, None, True, KEPDIRJEN),
        ("meter_reading", "TG-CATAT", "", "working_days", None, 1, None, False, KEPDIRJEN),
        ("new_connection_lv", "LY-PB", "none", "working_days", 1, 5, None, True, KEPDIRJEN),
        ("new_connection_lv", "LY-PB", "extension", "working_days", 1, 15, None, True, KEPDIRJEN),
        ("new_connection_lv", "LY-PB", "transformer", "working_days", 1, 25, None, True, KEPDIRJEN),
        ("power_change_lv", "LY-PD", "none", "working_days", 1, 5, None, True, KEPDIRJEN),
        ("power_change_lv", "LY-PD", "extension", "working_days", 1, 30, None, True, KEPDIRJEN),
        ("power_change_lv", "LY-PD", "transformer", "working_days", 1, 60, None, True, KEPDIRJEN),
        ("outage_duration", None, "", "hours", None, None, 1, True, "Permen ESDM 18/2019"),
        ("outage_count", None, "", "hours", None, None, 12, True, KEPDIRJEN + " (Q4)"),
    ]
    + [("internal", code, "", "working_days", 1, 5, None, False, INTERNAL) for code in INTERNAL_BACK_OFFICE]
    + [("internal", code, "", "working_days", 3, None, None, False, INTERNAL) for code in ("SP-KRITIK", "SP-SARAN")]
)

# Fixed-date national holidays; holidays on the lunar calendars (Idul Fitri, Nyepi, Waisak …) and
# cuti bersama change every year and are entered in the admin from the SKB of the ministers.
FIXED_HOLIDAYS = [
    ("01-01", "Tahun Baru Masehi"),
    ("05-01", "Hari Buruh Internasional"),
    ("06-01", "Hari Lahir Pancasila"),
    ("08-17", "Hari Kemerdekaan RI"),
    ("12-25", "Hari Raya Natal"),
]
HOLIDAY_YEARS = range(2024, 2029)


def sync_service_levels(apps=None) -> None:
    """Insert the seed targets and holidays that are missing; never overwrite what the admin changed."""
    if apps is None:
        from django.apps import apps as django_apps

        apps = django_apps
    Category = apps.get_model("tickets", "Category")
    Target = apps.get_model("tickets", "ServiceLevelTarget")
    Holiday = apps.get_model("tickets", "PublicHoliday")
    categories = {c.code: c for c in Category.objects.all()}
    for indicator, code, network, clock, response, resolution, limit, compensation, source in TARGETS:
        category = categories.get(code) if code else None
        if code and category is None:
            continue
        Target.objects.get_or_create(
            indicator=indicator,
            category=category,
            unit=None,
            network_work=network,
            valid_from=VALID_FROM,
            defaults={
                "clock": clock,
                "response_time": response,
                "resolution_time": resolution,
                "monthly_limit": limit,
                "grants_compensation": compensation,
                "source": source,
            },
        )
    for year in HOLIDAY_YEARS:
        for month_day, name in FIXED_HOLIDAYS:
            month, day = (int(part) for part in month_day.split("-"))
            Holiday.objects.get_or_create(date=date(year, month, day), defaults={"name": name})
