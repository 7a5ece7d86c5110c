"""Indonesian for the console's any-caller form, ticket search, the warning-letter ladder, KPI and report
charts, and the other strings of "no dead ends". Run: python scripts/translations_deadends_console_id.py

Adds each entry below that no Indonesian catalog translates yet to hotline's catalog
(hotline/locale/id/LC_MESSAGES/django.po; Django merges all catalogs at run time), then compiles the .mo.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "hotline" / "locale" / "id" / "LC_MESSAGES" / "django.po"

ID = {
    # Operator console: any caller, with or without an ID pelanggan
    "(if the caller has one)": "(jika penelepon memilikinya)",
    "Where": "Lokasi",
    "(without an ID pelanggan: a pin or a ULP)": "(tanpa ID pelanggan: pin peta atau ULP)",
    "Map: tap where the caller is": "Peta: ketuk lokasi penelepon",
    "No pin yet: tap the map where the caller is.": "Belum ada pin: ketuk peta di lokasi penelepon.",
    "Pin set at": "Pin dipasang di",
    "Remove the pin": "Hapus pin",
    "Landmark": "Patokan",
    "e.g. opposite the mosque": "mis. depan masjid",
    "— from the ID pelanggan or the pin —": "— dari ID pelanggan atau pin —",
    "No tickets": "Tidak ada laporan",
    "A new call is ringing. Your half-written ticket is kept: save it, or press “Start the new call's ticket”.": (
        "Ada panggilan baru. Laporan yang sedang Anda isi tetap disimpan di layar: simpan dulu, "
        "atau tekan “Mulai laporan panggilan baru”."
    ),
    "Start the new call's ticket": "Mulai laporan panggilan baru",
    "Choose a category.": "Pilih kategori.",
    "Choose a category from the list.": "Pilih kategori dari daftar.",
    "Write what the caller says.": "Tulis apa yang disampaikan penelepon.",
    "An ID pelanggan has 12 digits.": "ID pelanggan terdiri dari 12 angka.",
    "Choose a ULP from the list.": "Pilih ULP dari daftar.",
    "Put the pin on the map again.": "Pasang pin di peta sekali lagi.",
    # Ticket search for operators
    "Find a ticket": "Cari laporan",
    "Ticket number, phone or ID pelanggan": "Nomor laporan, telepon atau ID pelanggan",
    "No ticket matches.": "Tidak ada laporan yang cocok.",
    "Map pin": "Pin peta",
    "Updates": "Perkembangan",
    "Opened": "Dibuka",
    # Ring-no-answer and the warning-letter ladder
    "Rang out without an answer": "Berdering tanpa diangkat",
    "Written reprimand": "Teguran tertulis",
    "Recommendation for dismissal": "Rekomendasi pemberhentian",
    "Dismissal decided": "Diputuskan diberhentikan",
    "Retained with a final warning": "Dipertahankan dengan peringatan terakhir",
    "decision": "keputusan",
    "decided at": "diputuskan pada",
    "decision note": "catatan keputusan",
    "Decision": "Keputusan",
    "Decision recorded.": "Keputusan dicatat.",
    "Read": "Baca",
    "Reason for the decision": "Alasan keputusan",
    "Recommendations for dismissal to decide": "Rekomendasi pemberhentian yang perlu diputuskan",
    "Only a recommendation for dismissal is decided.": "Hanya rekomendasi pemberhentian yang diputuskan.",
    "This recommendation has already been decided.": "Rekomendasi ini sudah diputuskan.",
    "Choose a decision.": "Pilih keputusan.",
    "Write the reason for the decision.": "Tulis alasan keputusan.",
    "Write the reason.": "Tulis alasannya.",
    # Report charts
    "Charts": "Grafik",
    "No data in this range.": "Tidak ada data pada rentang ini.",
    "Show the numbers": "Tampilkan angkanya",
    "Tickets per day by kind": "Laporan per hari menurut jenis",
    "TMP compliance per week (%)": "Kepatuhan TMP per minggu (%)",
    "Targets met": "Target terpenuhi",
    "SAIDI per month (minutes)": "SAIDI per bulan (menit)",
    "minutes": "menit",
    "SAIFI per month (interruptions per customer)": "SAIFI per bulan (gangguan per pelanggan)",
    "Average answer time per hour (s)": "Rata-rata waktu angkat per jam (detik)",
    "seconds": "detik",
    "Average answer time": "Rata-rata waktu angkat",
    # Staff menu
    "Dispatch board": "Papan dispatch",
    "My jobs": "Pekerjaan saya",
    "Back office": "Back office",
    "Escalations": "Eskalasi",
    "Reports": "Laporan",
    "Console": "Konsol",
    "KPIs": "KPI",
    "Violations": "Pelanggaran",
    # Messages only logged, and who did a step
    "Logged (no gateway)": "Tercatat di log (tanpa gateway)",
    "Messages to the customer": "Pesan ke pelanggan",
    "No messages yet.": "Belum ada pesan.",
    "Customer": "Pelanggan",
    "System": "Sistem",
    "Dispatch": "Dispatch",
    "API client": "Klien API",
    "Open311 client": "Klien Open311",
}


def main() -> int:
    translated = set()
    for path in ROOT.glob("**/locale/id/LC_MESSAGES/django.po"):
        if ".venv" in path.parts or path == TARGET:
            continue
        translated |= {e.msgid for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete}
    po = polib.pofile(str(TARGET))
    have = {e.msgid: e for e in po}
    for msgid, msgstr in ID.items():
        if msgid in have:
            have[msgid].msgstr = msgstr
        elif msgid not in translated:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    po.save(str(TARGET))
    po.save_as_mofile(str(TARGET.with_suffix(".mo")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
