# ruff: noqa: E501  (a table of sentences)
"""Indonesian translations of the scheduled field jobs (dispatch catalog) and of the connections app.

Run after makemessages (cd dispatch && django-admin makemessages -l id; the same in connections):
python scripts/translations_connections_id.py. Fills empty msgstr entries from the tables below (existing
translations are kept, guesses marked fuzzy are dropped) and compiles the .mo files.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

FIELD_JOBS = {
    "Survey": "Survei",
    "Installation": "Pemasangan",
    "Meter check": "Pemeriksaan meter",
    "Scheduled": "Terjadwal",
    "Assigned": "Ditugaskan",
    "Done": "Selesai",
    "Failed": "Gagal",
    "Feasible": "Layak",
    "Needs a network extension": "Perlu perluasan jaringan",
    "Not feasible": "Tidak layak",
    "kind": "jenis",
    "appointment from": "janji temu mulai",
    "appointment until": "janji temu sampai",
    "notes for the technician": "catatan untuk teknisi",
    "survey outcome": "hasil survei",
    "meter number": "nomor meter",
    "seal numbers": "nomor segel",
    "reading (kWh)": "angka meter (kWh)",
    "result notes": "catatan hasil",
    "second photo": "foto kedua",
    "field job": "pekerjaan lapangan",
    "field jobs": "pekerjaan lapangan",
    "Unknown kind of field job.": "Jenis pekerjaan lapangan tidak dikenal.",
    "The appointment must end after it starts.": "Janji temu harus berakhir setelah dimulai.",
    "The appointment must be in the future.": "Janji temu harus di masa mendatang.",
    "An appointment window is at most 12 hours long.": "Rentang janji temu paling lama 12 jam.",
    "This ticket already has an open field job of this kind.": "Laporan ini sudah memiliki pekerjaan lapangan terbuka dengan jenis ini.",
    "%(kind)s visit scheduled: %(window)s.": "Kunjungan %(kind)s dijadwalkan: %(window)s.",
    "This job can no longer be given to another technician.": "Pekerjaan ini tidak dapat lagi diberikan ke teknisi lain.",
    "This technician does not have the skill this job needs.": "Teknisi ini tidak memiliki keahlian yang dibutuhkan pekerjaan ini.",
    "This technician works for another ULP.": "Teknisi ini bertugas di ULP lain.",
    "This job is already closed.": "Pekerjaan ini sudah ditutup.",
    "Choose the outcome of the survey.": "Pilih hasil survei.",
    "Enter the meter reading in kWh (a number, 0 or more).": "Isi angka meter dalam kWh (angka, 0 atau lebih).",
    "Take a photo of the meter register.": "Ambil foto angka register meter.",
    "A meter number must be exactly 11 digits.": "Nomor meter harus tepat 11 digit.",
    "Enter the seal numbers.": "Isi nomor segel.",
    "Some fields are not valid.": "Beberapa isian tidak valid.",
    "Say why the job could not be done.": "Sebutkan mengapa pekerjaan tidak dapat dilakukan.",
    "%(kind)s visit %(status)s.": "Kunjungan %(kind)s: %(status)s.",
    "Scheduled visits": "Kunjungan terjadwal",
    "My visits": "Kunjungan saya",
    "Appointment": "Janji temu",
    "Customer": "Pelanggan",
    "Address": "Alamat",
    "Result": "Hasil",
    "Survey outcome": "Hasil survei",
    "Meter number": "Nomor meter",
    "Seal numbers": "Nomor segel",
    "First reading (kWh)": "Angka awal meter (kWh)",
    "Reading (kWh)": "Angka meter (kWh)",
    "Photo of the meter register": "Foto register meter",
    "Second photo": "Foto kedua",
    "Send the result": "Kirim hasil",
    "Result sent. Thank you.": "Hasil terkirim. Terima kasih.",
    "The visit cannot be done": "Kunjungan tidak dapat dilakukan",
    "Report as failed": "Laporkan gagal",
    "Surveys, installations and meter checks booked with customers. Open a visit to accept it, record your steps and send the result.": "Survei, pemasangan dan pemeriksaan meter yang sudah dijadwalkan dengan pelanggan. Buka kunjungan untuk menerimanya, mencatat langkah dan mengirim hasilnya.",
    "No visits booked for you.": "Belum ada kunjungan untuk Anda.",
    "Back to the dispatcher board": "Kembali ke papan dispatcher",
    "No technician yet": "Belum ada teknisi",
    "Give to": "Berikan ke",
    "No visits scheduled.": "Tidak ada kunjungan terjadwal.",
    "Choose a job and a technician.": "Pilih pekerjaan dan teknisi.",
}

CONNECTIONS: dict[str, str] = {}

CATALOGS = {
    ROOT / "dispatch" / "locale" / "id" / "LC_MESSAGES" / "django.po": FIELD_JOBS,
    ROOT / "connections" / "locale" / "id" / "LC_MESSAGES" / "django.po": CONNECTIONS,
}


def fill(path: Path, table: dict[str, str]) -> list[str]:
    po = polib.pofile(str(path))
    missing = []
    for entry in po.obsolete_entries():
        po.remove(entry)
    for entry in po:
        entry.previous_msgid = None
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
        if not entry.msgstr and entry.msgid in table:
            entry.msgstr = table[entry.msgid]
        if not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "id"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.metadata["Plural-Forms"] = "nplurals=1; plural=0;"
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))
    return missing


def main() -> int:
    missing = []
    for path, table in CATALOGS.items():
        if path.exists():
            missing += [f"{path.parent.parent.parent.parent.name}: {m}" for m in fill(path, table)]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
