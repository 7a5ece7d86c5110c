"""Demo data for the ticket domain: a UID → UP3 → ULPs around Balikpapan, customers and staff."""

import random

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from core import roles

from .models import Customer, Feedback, ServiceUnit, StaffProfile

DEMO_PASSWORD = "sigap-demo-123"

# (code, name, level, parent code, time zone, lat, lng)
UNITS = [
    ("UIW-KALTIMRA", "UIW Kalimantan Timur dan Kalimantan Utara", "UID", None, "Asia/Makassar", -0.5022, 117.1537),
    ("UP3-BPP", "UP3 Balikpapan", "UP3", "UIW-KALTIMRA", "Asia/Makassar", -1.2379, 116.8529),
    ("ULP-BPP-UTARA", "ULP Balikpapan Utara", "ULP", "UP3-BPP", "Asia/Makassar", -1.2120, 116.8720),
    ("ULP-BPP-SELATAN", "ULP Balikpapan Selatan", "ULP", "UP3-BPP", "Asia/Makassar", -1.2650, 116.8890),
    ("ULP-BPP-BARAT", "ULP Balikpapan Barat", "ULP", "UP3-BPP", "Asia/Makassar", -1.2280, 116.8150),
    ("UID-JATENG", "UID Jawa Tengah dan DIY", "UID", None, "Asia/Jakarta", -6.9932, 110.4203),
    ("UP3-SMG", "UP3 Semarang", "UP3", "UID-JATENG", "Asia/Jakarta", -6.9667, 110.4167),
    ("ULP-SMG-TENGAH", "ULP Semarang Tengah", "ULP", "UP3-SMG", "Asia/Jakarta", -6.9826, 110.4093),
]

# (username, first name, role, unit code)
STAFF = [
    ("operator", "Rina", roles.OPERATOR, "UP3-BPP"),
    # The back office works for the whole UP3: a pasang baru in any of its ULPs is in her queue.
    ("backoffice", "Dewi", roles.BACK_OFFICE, "UP3-BPP"),
    ("dispatcher", "Agus", roles.DISPATCHER, "UP3-BPP"),
    ("supervisor", "Bambang", roles.SUPERVISOR, "UP3-BPP"),
    ("supervisor_smg", "Sri", roles.SUPERVISOR, "UP3-SMG"),
    ("tech1", "Joko", roles.TECHNICIAN, "ULP-BPP-UTARA"),
    ("tech2", "Budi", roles.TECHNICIAN, "ULP-BPP-SELATAN"),
    ("tech3", "Andi", roles.TECHNICIAN, "ULP-BPP-BARAT"),
    ("tech4", "Yusuf", roles.TECHNICIAN, "ULP-BPP-UTARA"),
]

FIRST = ["Ahmad", "Siti", "Budi", "Dewi", "Eko", "Fitri", "Gilang", "Hana", "Irfan", "Joko", "Kartika", "Lestari"]
LAST = ["Saputra", "Wulandari", "Santoso", "Rahmawati", "Pratama", "Hidayat", "Nugroho", "Kurniawan"]
STREETS = ["Jl. Jenderal Sudirman", "Jl. MT Haryono", "Jl. Soekarno-Hatta", "Jl. Ahmad Yani", "Jl. Mulawarman"]


@transaction.atomic
def seed(*, customers_per_unit: int = 25, seed_value: int = 123) -> dict:
    """Create (or refresh) the demo units, staff and customers; safe to run again."""
    rng = random.Random(seed_value)
    units: dict[str, ServiceUnit] = {}
    for code, name, level, parent, tz, lat, lng in UNITS:
        units[code], _ = ServiceUnit.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "level": level,
                "parent": units.get(parent),
                "time_zone": tz,
                "center_lat": lat,
                "center_lng": lng,
            },
        )
    user_model = get_user_model()
    admin, created = user_model.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "Admin"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    StaffProfile.objects.get_or_create(user=admin, defaults={"unit": units["UIW-KALTIMRA"]})
    for username, first_name, role, unit_code in STAFF:
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "is_staff": role != roles.TECHNICIAN}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=role)[0])
        StaffProfile.objects.update_or_create(user=user, defaults={"unit": units[unit_code]})

    serial = 0
    for code, _name, level, _parent, _tz, lat, lng in UNITS:
        if level != "ULP":
            continue
        for index in range(customers_per_unit):
            serial += 1
            gardu = f"GD-{code[-6:]}-{index // 8 + 1:02d}"
            Customer.objects.update_or_create(
                id_pelanggan=f"53{serial:010d}",
                defaults={
                    "meter_number": f"14{serial:09d}",
                    "name": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    "phone": f"+62812{serial:08d}",
                    "address": f"{rng.choice(STREETS)} No. {rng.randint(1, 250)}",
                    "lat": round(lat + rng.uniform(-0.02, 0.02), 6),
                    "lng": round(lng + rng.uniform(-0.02, 0.02), 6),
                    "unit": units[code],
                    "tariff": rng.choice(["R-1/TR", "R-1/TR", "R-1M/TR", "R-2/TR", "B-1/TR"]),
                    "power_va": rng.choice([900, 1300, 2200, 3500]),
                    "transformer_code": gardu,
                    "feeder_code": f"PY-{code[-6:]}-{index // 16 + 1}",
                },
            )
    return {"units": units, "customers": serial}


# Feedback the demo back office (UP3 Balikpapan) sees at /backoffice/feedback/: one from the feedback page with a
# phone number (to answer), one through the API already answered, one anonymous (to close).
FEEDBACK = [
    ("saran", "Mohon jadwal pemeliharaan diumumkan lebih awal lewat WhatsApp.", "Rina", "+6281299990001", "", "web"),
    ("apresiasi", "Petugas datang cepat dan ramah saat gardu kami padam.", "Hadi", "", "hadi@example.com", "api"),
    ("kritik", "Antrean di loket ULP terlalu lama, tidak ada nomor antrean.", "", "", "", "web"),
]
FEEDBACK_REPLY = "Terima kasih atas apresiasinya, Pak Hadi. Kami sampaikan kepada regu yang bertugas."


def seed_feedback() -> dict:
    """Demo kritik, saran and apresiasi in ULP Balikpapan Utara; one answered by the demo back office. Safe to run
    again: rows are found by their words."""
    from notifications import services as notifications

    from . import feedback

    unit = ServiceUnit.objects.filter(code="ULP-BPP-UTARA").first()
    back_office = get_user_model().objects.filter(username="backoffice").first()
    if unit is None or back_office is None:
        return {"feedback": 0}
    made = 0
    for kind, message, name, phone, email, origin in FEEDBACK:
        row = Feedback.objects.filter(message=message, unit=unit).first()
        if row is None:
            row = notifications.send_feedback(
                kind=kind, message=message, name=name, phone=phone, email=email, unit=unit, origin=origin
            )
            made += 1
        if kind == "apresiasi" and row.status == Feedback.Status.NEW:
            feedback.reply_to_feedback(feedback=row, user=back_office, reply=FEEDBACK_REPLY)
    return {"feedback": made}
