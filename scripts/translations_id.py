"""Indonesian translations of the foundation catalog (locale/id). Run: python scripts/translations_id.py

Fills empty msgstr entries of locale/id/LC_MESSAGES/django.po from the table below and compiles the .mo.
"""

import sys
from pathlib import Path

import polib

ID = {
    "123 call centre": "Call center 123",
    "Service temporarily unavailable, please retry.": "Layanan sedang tidak tersedia, silakan coba lagi.",
    "Some fields are not valid.": "Beberapa isian tidak valid.",
    "Bahasa Indonesia": "Bahasa Indonesia",
    "English": "English",
    "Report": "Lapor",
    "Track": "Lacak",
    "Power out? Call 123 (from a mobile: area code + 123), 24 hours.": "Listrik padam? Hubungi 123 (dari ponsel: kode area + 123), 24 jam.",
    "Report received": "Laporan diterima",
    "Your ticket number": "Nomor laporan Anda",
    "Follow this report": "Pantau laporan ini",
    "Report a problem": "Laporkan masalah",
    "Report a power problem": "Laporkan gangguan listrik",
    "Tell us what happened. You get a ticket number at once and every update by SMS, WhatsApp or e-mail.": "Ceritakan apa yang terjadi. Anda langsung mendapat nomor laporan dan setiap perkembangannya lewat SMS, WhatsApp atau e-mail.",
    "Where?": "Di mana?",
    "Use my location": "Gunakan lokasi saya",
    "Location added.": "Lokasi ditambahkan.",
    "Send report": "Kirim laporan",
    "Sending…": "Mengirim…",
    "Already reported?": "Sudah melapor?",
    "Track your report": "Lacak laporan Anda",
    "Finding your location…": "Mencari lokasi Anda…",
    "Could not get your location. Type your address or choose your ULP.": "Lokasi Anda tidak dapat ditemukan. Ketik alamat Anda atau pilih ULP Anda.",
    "Ticket": "Laporan",
    "Timeline": "Riwayat",
    "Follow-up report": "Laporan lanjutan",
    "Track a report": "Lacak laporan",
    "Show my report": "Tampilkan laporan saya",
    "Tickets": "Laporan",
    "Choose what happened": "Pilih jenis masalah",
    "What is the problem?": "Apa masalahnya?",
    "ID pelanggan or meter number": "ID pelanggan atau nomor meter",
    "12-digit ID pelanggan or 11-digit meter number, printed on your meter.": "ID pelanggan 12 digit atau nomor meter 11 digit, tertera di meteran Anda.",
    "Describe the problem": "Jelaskan masalahnya",
    "Your name": "Nama Anda",
    "Mobile phone number": "Nomor ponsel",
    "We send updates to this number; you also need it to track your report.": "Kami mengirim kabar ke nomor ini; nomor ini juga diperlukan untuk melacak laporan Anda.",
    "E-mail (optional)": "E-mail (opsional)",
    "Address or landmark": "Alamat atau patokan",
    "Nearest PLN office (ULP)": "Kantor PLN terdekat (ULP)",
    "I don't know": "Saya tidak tahu",
    "Photo (optional)": "Foto (opsional)",
    "Enter the 12-digit ID pelanggan or the 11-digit meter number.": "Masukkan ID pelanggan 12 digit atau nomor meter 11 digit.",
    "A billing question needs your ID pelanggan or meter number.": "Pertanyaan tagihan memerlukan ID pelanggan atau nomor meter Anda.",
    "Give your ID pelanggan, use your location, or choose your ULP so we know where to go.": "Isi ID pelanggan, gunakan lokasi Anda, atau pilih ULP Anda agar kami tahu ke mana harus datang.",
    "Give your ID pelanggan, your location or your ULP so we know where to send help.": "Isi ID pelanggan, lokasi atau ULP Anda agar kami tahu ke mana bantuan dikirim.",
    "Ticket number": "Nomor laporan",
    "Phone number used in the report": "Nomor telepon yang dipakai saat melapor",
    "ID pelanggan must be exactly 12 digits.": "ID pelanggan harus tepat 12 digit.",
    "A meter number must be exactly 11 digits.": "Nomor meter harus tepat 11 digit.",
    "code": "kode",
    "name": "nama",
    "level": "tingkat",
    "parent unit": "unit induk",
    "time zone": "zona waktu",
    "centre latitude": "lintang titik pusat",
    "centre longitude": "bujur titik pusat",
    "active": "aktif",
    "service unit": "unit layanan",
    "service units": "unit layanan",
    "phone": "telepon",
    "staff profile": "profil petugas",
    "staff profiles": "profil petugas",
    "Prepaid (token)": "Prabayar (token)",
    "Postpaid": "Pascabayar",
    "ID pelanggan": "ID pelanggan",
    "meter number": "nomor meter",
    "e-mail": "e-mail",
    "address": "alamat",
    "latitude": "lintang",
    "longitude": "bujur",
    "ULP": "ULP",
    "tariff class": "golongan tarif",
    "power (VA)": "daya (VA)",
    "payment type": "jenis pembayaran",
    "transformer (gardu)": "gardu",
    "feeder (penyulang)": "penyulang",
    "customer": "pelanggan",
    "customers": "pelanggan",
    "Outage and technical fault": "Gangguan teknik",
    "Billing": "Tagihan",
    "Service request": "Permintaan layanan",
    "Usage enforcement (P2TL)": "Penertiban (P2TL)",
    "Staff conduct": "Petugas & etika",
    "Information": "Informasi",
    "Customer voice": "Suara pelanggan",
    "Technical: a crew is dispatched": "Teknik: regu dikirim",
    "Back office: handled by the ULP": "Administrasi: ditangani ULP",
    "Feedback: criticism, suggestion or appreciation": "Masukan: kritik, saran atau apresiasi",
    "group": "kelompok",
    "kind": "jenis",
    "name (Indonesian)": "nama (Indonesia)",
    "name (English)": "nama (Inggris)",
    "offered on the public form": "ditampilkan di formulir publik",
    "dispatches a technician": "mengirim petugas",
    "default priority": "prioritas bawaan",
    "category": "kategori",
    "categories": "kategori",
    "Received (Lapor)": "Lapor",
    "Crew assigned (Penugasan Regu)": "Penugasan Regu",
    "On the way (Dalam Perjalanan)": "Dalam Perjalanan",
    "Being worked on (Dalam Pengerjaan)": "Dalam Pengerjaan",
    "Temporarily restored (Nyala Sementara)": "Nyala Sementara",
    "Power restored (Nyala)": "Nyala",
    "Waiting for the customer": "Menunggu pelanggan",
    "Resolved": "Terselesaikan",
    "Closed (Selesai)": "Selesai",
    "Cancelled": "Dibatalkan",
    "123 call": "Telepon 123",
    "Web form": "Formulir web",
    "API": "API",
    "Open311": "Open311",
    "Walk-in": "Datang langsung",
    "Low": "Rendah",
    "Normal": "Normal",
    "High": "Tinggi",
    "Urgent": "Mendesak",
    "Not needed": "Tidak perlu",
    "Waiting to be routed": "Menunggu penugasan",
    "Routing": "Sedang ditugaskan",
    "Assigned": "Ditugaskan",
    "No technician available": "Tidak ada petugas tersedia",
    "ticket number": "nomor laporan",
    "channel": "saluran",
    "status": "status",
    "priority": "prioritas",
    "reporter name": "nama pelapor",
    "reporter phone": "telepon pelapor",
    "reporter e-mail": "e-mail pelapor",
    "language": "bahasa",
    "description": "uraian",
    "photo": "foto",
    "follows up ticket": "lanjutan dari laporan",
    "ticket": "laporan",
    "tickets": "laporan",
    "Opened": "Dibuat",
    "Status changed": "Status berubah",
    "Update for the customer": "Kabar untuk pelanggan",
    "Internal note": "Catatan internal",
    "Assignment": "Penugasan",
    "Escalation": "Eskalasi",
    "Service level breached": "Tingkat mutu pelayanan terlampaui",
    "Linked ticket": "Laporan terkait",
    "Enter a phone number.": "Masukkan nomor telepon.",
    "Enter a valid phone number, for example 0812 3456 7890.": "Masukkan nomor telepon yang valid, misalnya 0812 3456 7890.",
    "This category is not available.": "Kategori ini tidak tersedia.",
    "Unknown status.": "Status tidak dikenal.",
    "A ticket that is %(from)s cannot become %(to)s.": "Laporan berstatus %(from)s tidak dapat menjadi %(to)s.",
    "Write something first.": "Tulis sesuatu terlebih dahulu.",
    "The photo is too large (at most %(mb)s MB).": "Foto terlalu besar (paling besar %(mb)s MB).",
    "The file is not an image. Send a JPEG or PNG photo.": "Berkas bukan gambar. Kirim foto JPEG atau PNG.",
    "No ticket matches this number and phone number.": "Tidak ada laporan dengan nomor dan nomor telepon ini.",
    "It has been sent to %(unit)s. Keep this number: with your phone number it lets you follow the report.": "Laporan telah diteruskan ke %(unit)s. Simpan nomor ini: bersama nomor telepon Anda, nomor ini dipakai untuk memantau laporan.",
    "Too many attempts": "Terlalu banyak percobaan",
    "Too many attempts from your connection. Please wait a few minutes and try again, or call 123.": "Terlalu banyak percobaan dari koneksi Anda. Tunggu beberapa menit lalu coba lagi, atau hubungi 123.",
}


def main() -> int:
    path = Path(__file__).resolve().parent.parent / "locale" / "id" / "LC_MESSAGES" / "django.po"
    po = polib.pofile(str(path))
    missing = []
    for entry in po:
        if entry.obsolete:
            continue
        if entry.msgid in ID:
            entry.msgstr = ID[entry.msgid]
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
        elif not entry.msgstr:
            missing.append(entry.msgid)
    po.metadata["Language"] = "id"
    po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
    po.save(str(path))
    po.save_as_mofile(str(path.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
