"""Indonesian translations of the dispatch catalog (dispatch/locale/id). Run: python scripts/translations_dispatch_id.py

Refresh the catalog first (cd dispatch && django-admin makemessages -l id),
then this script fills the empty msgstr entries from the table below (existing translations are kept, guesses
marked fuzzy are dropped) and compiles the .mo.
"""

import sys
from pathlib import Path

import polib

ID = {
    # models
    "Dispatch": "Dispatch",
    "Low voltage": "Tegangan rendah",
    "Medium voltage": "Tegangan menengah",
    "Meter and limiter": "Meter dan pembatas",
    "Available": "Siap",
    "Busy": "Sibuk",
    "Off duty": "Tidak bertugas",
    "ULP": "ULP",
    "phone": "telepon",
    "skills": "keahlian",
    "on duty": "bertugas",
    "shift ends at": "akhir shift",
    "state": "keadaan",
    "job limit": "batas pekerjaan",
    "active jobs": "pekerjaan aktif",
    "last latitude": "lintang terakhir",
    "last longitude": "bujur terakhir",
    "last position at": "waktu posisi terakhir",
    "position accuracy (m)": "akurasi posisi (m)",
    "technician": "teknisi",
    "technicians": "teknisi",
    "Waiting for a crew": "Menunggu regu",
    "Crew assigned": "Penugasan regu",
    "Crew on the way": "Regu dalam perjalanan",
    "Crew on site": "Regu di lokasi",
    "Partly restored": "Nyala sebagian",
    "Restored": "Nyala",
    "Cancelled": "Dibatalkan",
    "latitude": "lintang",
    "longitude": "bujur",
    "transformer (gardu)": "gardu (trafo)",
    "feeder (penyulang)": "penyulang",
    "address": "alamat",
    "skill needed": "keahlian yang dibutuhkan",
    "status": "status",
    "opened at": "dibuka pada",
    "last report at": "laporan terakhir pada",
    "last routed at": "terakhir dirutekan pada",
    "routing attempts": "percobaan perutean",
    "restored at": "menyala pada",
    "estimated restoration": "perkiraan menyala",
    "cause": "penyebab",
    "reports": "laporan",
    "customers affected": "pelanggan terdampak",
    "incident": "insiden",
    "incidents": "insiden",
    "incident report": "laporan insiden",
    "incident reports": "laporan insiden",
    "Offered": "Ditawarkan",
    "Accepted": "Diterima",
    "On the way": "Dalam perjalanan",
    "On site": "Di lokasi",
    "Declined": "Ditolak",
    "Expired": "Kedaluwarsa",
    "Withdrawn": "Ditarik",
    "Tree or branch on the line": "Pohon atau dahan mengenai jaringan",
    "Kite or foreign object": "Layang-layang atau benda asing",
    "Animal": "Binatang",
    "Lightning, wind or rain": "Petir, angin atau hujan",
    "Blown fuse (FCO / NH fuse)": "Sekering putus (FCO / NH fuse)",
    "Loose or burnt connection": "Sambungan kendor atau terbakar",
    "Service-drop cable (SR) broken": "Kabel SR putus",
    "Meter, limiter or MCB fault": "Kerusakan meter, pembatas atau MCB",
    "Overload": "Beban lebih",
    "Transformer fault": "Kerusakan trafo",
    "Third party (vehicle, excavation)": "Pihak ketiga (kendaraan, galian)",
    "Upstream (feeder or substation)": "Hulu (penyulang atau gardu induk)",
    "Other": "Lainnya",
    "offered at": "ditawarkan pada",
    "offer expires at": "tawaran berakhir pada",
    "accepted at": "diterima pada",
    "departed at": "berangkat pada",
    "arrived at": "tiba pada",
    "finished at": "selesai pada",
    "distance (m)": "jarak (m)",
    "assigned by hand": "ditugaskan manual",
    "reason": "alasan",
    "notes": "catatan",
    "photo": "foto",
    "assignment": "penugasan",
    "assignments": "penugasan",
    "Accept": "Terima",
    "Decline": "Tolak",
    "On my way": "Berangkat",
    "job step": "langkah pekerjaan",
    "job steps": "langkah pekerjaan",
    # API and services
    "Give both latitude and longitude, or neither.": "Isi lintang dan bujur sekaligus, atau kosongkan keduanya.",
    "This technician is not in your units.": "Teknisi ini bukan dari unit Anda.",
    "These coordinates are not a place on Earth.": "Koordinat ini bukan tempat di Bumi.",
    "Latitude must be between -90 and 90.": "Lintang harus antara -90 dan 90.",
    "Longitude must be between -180 and 180.": "Bujur harus antara -180 dan 180.",
    "Accuracy cannot be negative.": "Akurasi tidak boleh negatif.",
    "Unknown step.": "Langkah tidak dikenal.",
    "client_id must be a UUID.": "client_id harus berupa UUID.",
    "Give a valid latitude and longitude together.": "Isi lintang dan bujur yang valid sekaligus.",
    "Unknown cause.": "Penyebab tidak dikenal.",
    "Choose the cause of the outage.": "Pilih penyebab gangguan.",
    "This job belongs to another technician.": "Pekerjaan ini milik teknisi lain.",
    "This step id was already used for another step.": "Id langkah ini sudah dipakai untuk langkah lain.",
    "This step cannot be taken now: the job is %(state)s.": "Langkah ini tidak dapat dilakukan sekarang: pekerjaan berstatus %(state)s.",
    "The incident is already marked partly restored.": "Insiden sudah ditandai nyala sebagian.",
    "This incident is closed.": "Insiden ini sudah ditutup.",
    "The crew is already working on site; restore the incident first.": "Regu sedang bekerja di lokasi; nyalakan insiden terlebih dahulu.",
    "This technician already has this job.": "Teknisi ini sudah memegang pekerjaan ini.",
    "Assigned by hand to %(name)s: %(reason)s": "Ditugaskan manual kepada %(name)s: %(reason)s",
    "Some fields are not valid.": "Beberapa isian tidak valid.",
    "by hand": "manual",
    "Give a reason.": "Isi alasannya.",
    "The estimated restoration must be in the future.": "Perkiraan menyala harus di masa depan.",
    "Estimated restoration: %(time)s %(zone)s.": "Perkiraan menyala: %(time)s %(zone)s.",
    # dispatcher board
    "Dispatch board": "Papan dispatch",
    "Log out": "Keluar",
    "Map of incidents and technicians": "Peta insiden dan teknisi",
    "available": "siap",
    "busy": "sibuk",
    "off duty": "tidak bertugas",
    "Open incidents": "Insiden terbuka",
    "Loading…": "Memuat…",
    "Unassigned tickets": "Laporan belum ditugaskan",
    "Technicians": "Teknisi",
    "No open incidents.": "Tidak ada insiden terbuka.",
    "No unassigned tickets.": "Tidak ada laporan yang belum ditugaskan.",
    "No technicians.": "Tidak ada teknisi.",
    "Assign": "Tugaskan",
    "Reassign": "Alihkan",
    "Technician": "Teknisi",
    "Choose a technician": "Pilih teknisi",
    "Reason": "Alasan",
    "Recorded on the timeline.": "Dicatat di riwayat.",
    "Give a reason for the assignment.": "Isi alasan penugasan.",
    "Assign now": "Tugaskan sekarang",
    "Estimated restoration time": "Perkiraan waktu menyala",
    "Save": "Simpan",
    "Date and time": "Tanggal dan jam",
    "Give a date and time.": "Isi tanggal dan jam.",
    "Estimate saved; the customers are told.": "Perkiraan disimpan; pelanggan diberi tahu.",
    "Cancel": "Batal",
    "Assigned.": "Sudah ditugaskan.",
    "Opened": "Dibuka",
    "Estimated restoration": "Perkiraan menyala",
    "unassigned": "belum ditugaskan",
    "No address given": "Alamat tidak diisi",
    "Incident": "Insiden",
    "jobs": "pekerjaan",
    "last position": "posisi terakhir",
    "no position yet": "belum ada posisi",
    "km": "km",
    "Updated": "Diperbarui",
    "The board could not be refreshed; retrying.": "Papan tidak dapat diperbarui; mencoba lagi.",
    "© OpenStreetMap contributors": "© kontributor OpenStreetMap",
    # technician app
    "My jobs": "Pekerjaan saya",
    "Your account has no technician profile yet. Ask your dispatcher to add one.": "Akun Anda belum memiliki profil teknisi. Minta dispatcher Anda menambahkannya.",
    "On duty": "Bertugas",
    "Offers": "Tawaran",
    "Jobs": "Pekerjaan",
    "No offers right now.": "Belum ada tawaran.",
    "No jobs. Stay on duty to receive offers.": "Tidak ada pekerjaan. Tetap bertugas untuk menerima tawaran.",
    "Open in Maps": "Buka di Maps",
    "Answer within": "Jawab dalam",
    "This offer has expired.": "Tawaran ini sudah berakhir.",
    "Tickets": "Laporan",
    "Cause": "Penyebab",
    "Choose the cause": "Pilih penyebab",
    "Choose the cause before marking the job restored.": "Pilih penyebab sebelum menandai pekerjaan selesai menyala.",
    "Notes": "Catatan",
    "Photo": "Foto",
    "Online": "Daring",
    "Offline": "Luring",
    "Steps waiting for the network:": "Langkah menunggu jaringan:",
    "Sent.": "Terkirim.",
    "The server refused a step:": "Server menolak satu langkah:",
    "Your session has ended. Log in again; your steps are kept.": "Sesi Anda berakhir. Masuk lagi; langkah Anda tetap tersimpan.",
    "Could not change your duty status. Try again when online.": "Status tugas tidak dapat diubah. Coba lagi saat daring.",
    "Sigap 123 Technician": "Sigap 123 Teknisi",
    "Sigap Tech": "Sigap Teknisi",
    "Outage jobs for PLN field crews": "Pekerjaan gangguan untuk regu lapangan PLN",
}


def main() -> int:
    path = Path(__file__).resolve().parent.parent / "dispatch" / "locale" / "id" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po.obsolete_entries():
        po.remove(entry)
    for entry in po:
        if entry.obsolete:
            continue
        entry.previous_msgid = None
        if "fuzzy" in entry.flags:
            # A guess by makemessages is never kept: the table's text or nothing.
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
        if not entry.msgstr and entry.msgid in ID:
            entry.msgstr = ID[entry.msgid]
        if not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "id"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
