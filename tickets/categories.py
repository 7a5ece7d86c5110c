"""The category list of docs/domain.md §4, seeded by a data migration and editable in the admin.

Each row: code, group, kind, Indonesian name, English name, dispatches a technician, default priority.
"""

TECHNICAL, BACK_OFFICE, FEEDBACK = "technical", "back_office", "feedback"

CATEGORIES = [
    ("GG-PADAM-1", "gangguan", TECHNICAL, "Padam satu rumah / persil", "Single-premise outage", True, "normal"),
    ("GG-PADAM-M", "gangguan", TECHNICAL, "Padam meluas / satu lingkungan", "Area-wide outage", True, "high"),
    (
        "GG-TEG",
        "gangguan",
        TECHNICAL,
        "Tegangan tidak stabil / turun / kedip",
        "Unstable or low voltage, flicker",
        True,
        "normal",
    ),
    (
        "GG-APP",
        "gangguan",
        TECHNICAL,
        "kWh meter / APP rusak, PERIKSA, MCB sering turun",
        "Meter or limiter fault, breaker tripping",
        True,
        "normal",
    ),
    (
        "GG-TOKEN",
        "gangguan",
        BACK_OFFICE,  # worked in the back-office queue (billing app): no crew is sent
        "Token gagal masuk (GAGAL/REJECT/USED/OVER)",
        "Prepaid token rejected",
        False,
        "normal",
    ),
    ("GG-SR", "gangguan", TECHNICAL, "Kabel SR putus / terbakar", "Service-drop cable broken or burnt", True, "high"),
    (
        "GG-BAHAYA",
        "gangguan",
        TECHNICAL,
        "Tiang miring/roboh, kabel menjuntai, pohon/layangan kena jaringan",
        "Safety hazard on the network",
        True,
        "urgent",
    ),
    ("GG-GARDU", "gangguan", TECHNICAL, "Trafo / gardu bermasalah", "Transformer or substation problem", True, "high"),
    ("GG-PJU", "gangguan", BACK_OFFICE, "Lampu penerangan jalan umum", "Street lighting", False, "low"),
    ("TG-LONJAK", "tagihan", BACK_OFFICE, "Tagihan membengkak / lonjakan tagihan", "Bill shock", False, "normal"),
    ("TG-CATAT", "tagihan", BACK_OFFICE, "Salah catat / baca meter", "Meter-reading error", False, "normal"),
    ("TG-KOREKSI", "tagihan", BACK_OFFICE, "Koreksi rekening", "Bill correction", False, "normal"),
    (
        "TG-BAYAR",
        "tagihan",
        BACK_OFFICE,
        "Pembayaran gagal / token tidak terkirim / debit ganda",
        "Payment or token-delivery failure",
        False,
        "normal",
    ),
    ("TG-KOMP", "tagihan", BACK_OFFICE, "Kompensasi TMP", "Service-level compensation query", False, "normal"),
    ("LY-PB", "layanan", BACK_OFFICE, "Pasang baru / sambung baru", "New connection", False, "normal"),
    (
        "LY-PD",
        "layanan",
        BACK_OFFICE,
        "Tambah daya / turun daya (perubahan daya)",
        "Power upgrade or downgrade",
        False,
        "normal",
    ),
    ("LY-BN", "layanan", BACK_OFFICE, "Balik nama / ganti nama", "Change of account name", False, "low"),
    ("LY-MIG", "layanan", BACK_OFFICE, "Migrasi pascabayar ↔ prabayar", "Postpaid ↔ prepaid migration", False, "low"),
    ("LY-SEMENTARA", "layanan", BACK_OFFICE, "Penyambungan sementara", "Temporary connection", False, "normal"),
    (
        "LY-SAMBUNG",
        "layanan",
        BACK_OFFICE,
        "Penyambungan kembali setelah pemutusan",
        "Reconnection after disconnection",
        False,
        "normal",
    ),
    ("LY-SUBSIDI", "layanan", BACK_OFFICE, "Subsidi / data penerima", "Subsidy eligibility", False, "low"),
    (
        "PT-P2TL",
        "penertiban",
        BACK_OFFICE,
        "Keberatan hasil P2TL / tagihan susulan",
        "Dispute over a tampering finding or back-billing",
        False,
        "normal",
    ),
    (
        "PE-PUNGLI",
        "petugas",
        BACK_OFFICE,
        "Pungli / petugas minta uang",
        "Illegal levy or bribe request",
        False,
        "high",
    ),
    ("PE-SIKAP", "petugas", BACK_OFFICE, "Sikap petugas / operator 123", "Staff or operator conduct", False, "normal"),
    ("IF-PADAM", "informasi", BACK_OFFICE, "Jadwal pemadaman terencana", "Planned-outage information", False, "low"),
    ("IF-TARIF", "informasi", BACK_OFFICE, "Tarif, program, promo", "Tariff and programme information", False, "low"),
    ("SP-KRITIK", "suara", FEEDBACK, "Kritik", "Criticism", False, "normal"),
    ("SP-SARAN", "suara", FEEDBACK, "Saran", "Suggestion", False, "low"),
    ("SP-APRESIASI", "suara", FEEDBACK, "Apresiasi", "Appreciation", False, "low"),
]


def sync_reference_data() -> None:
    """Upsert the categories and the role groups (what the data migration loads) with today's models.

    Used where tables were emptied after migrating, e.g. between transactional tests.
    """
    from django.contrib.auth.models import Group

    from core import roles

    from .models import Category

    for order, (code, group, kind, name_id, name_en, dispatches, priority) in enumerate(CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "group": group,
                "kind": kind,
                "name_id": name_id,
                "name_en": name_en,
                "dispatches": dispatches,
                "default_priority": priority,
                "sort_order": order * 10,
            },
        )
    for name in roles.ALL_ROLES:
        Group.objects.get_or_create(name=name)
    from .sla.seed import sync_service_levels

    sync_service_levels()
