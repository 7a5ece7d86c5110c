# ruff: noqa: E501  (a table of sentences)
"""Indonesian translations of outage communication. Run: python scripts/translations_outages_id.py

Fills empty msgstr entries of outages/locale/id (after makemessages), adds the outage notice texts to the tickets
catalog and the banner texts of templates/base.html to the site catalog, and compiles the three .mo files.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

ID = {
    "Outage communication": "Informasi gangguan",
    "ID pelanggan": "ID pelanggan",
    "Phone number on your account": "Nomor telepon pada data pelanggan Anda",
    "Draw the area as a GeoJSON Polygon or MultiPolygon.": "Gambar wilayah sebagai GeoJSON Polygon atau MultiPolygon.",
    "The area is not valid GeoJSON.": "Wilayah bukan GeoJSON yang valid.",
    "The area is not a valid polygon.": "Wilayah bukan poligon yang valid.",
    "Coordinates are longitude, latitude in degrees (GeoJSON order).": "Koordinat ditulis bujur, lintang dalam derajat (urutan GeoJSON).",
    "ULP": "ULP",
    "work": "pekerjaan",
    "transformers (gardu)": "gardu",
    "feeders (penyulang)": "penyulang",
    "area (GeoJSON polygon)": "wilayah (poligon GeoJSON)",
    "starts": "mulai",
    "ends": "selesai",
    "cancelled": "dibatalkan",
    "customers affected": "pelanggan terdampak",
    "planned outage": "pemadaman terencana",
    "planned outages": "pemadaman terencana",
    "report during a planned outage": "laporan saat pemadaman terencana",
    "reports during planned outages": "laporan saat pemadaman terencana",
    "language": "bahasa",
    "planned-outage alert": "pemberitahuan pemadaman terencana",
    "planned-outage alerts": "pemberitahuan pemadaman terencana",
    "reports": "laporan",
    "mass-outage threshold": "ambang padam meluas",
    "mass-outage thresholds": "ambang padam meluas",
    "wide-area outage": "padam meluas",
    "wide-area outages": "padam meluas",
    "phone": "telepon",
    "asked through": "diminta melalui",
    "power-back subscription": "permintaan kabar nyala",
    "power-back subscriptions": "permintaan kabar nyala",
    "staged restoration": "nyala bertahap",
    "staged restorations": "nyala bertahap",
    "Not answered yet": "Belum dijawab",
    "Power is back": "Listrik sudah menyala",
    "Still no power": "Listrik masih padam",
    "No answer in time": "Tidak dijawab tepat waktu",
    "restoration check": "konfirmasi nyala",
    "restoration checks": "konfirmasi nyala",
    "Cancel the selected planned outages": "Batalkan pemadaman terencana yang dipilih",
    "Give a number from %(low)s to %(high)s.": "Isi angka dari %(low)s sampai %(high)s.",
    "Give both latitude and longitude.": "Isi lintang dan bujur sekaligus.",
    "Choose an area.": "Pilih wilayah.",
    "Unknown area.": "Wilayah tidak dikenal.",
    "Unknown unit.": "Unit tidak dikenal.",
    "Unknown outage.": "Gangguan tidak dikenal.",
    "Not one of your units.": "Bukan unit Anda.",
    "INFO PADAM MELUAS: a wide-area outage is affecting %(unit)s. Our crews are working on it.": "INFO PADAM MELUAS: terjadi padam meluas di wilayah %(unit)s. Petugas kami sedang menanganinya.",
    "Estimated restoration: %(time)s.": "Perkiraan menyala: %(time)s.",
    "INFO PADAM MELUAS": "INFO PADAM MELUAS",
    "Planned outage (pemadaman terencana)": "Pemadaman terencana",
    "Planned maintenance in %(unit)s: %(work)s, from %(starts)s to %(ends)s.": "Pemeliharaan terencana di %(unit)s: %(work)s, mulai %(starts)s sampai %(ends)s.",
    "Information: there is a wide-area power outage in the %(unit)s area. Our crews are working on it.": "Informasi: saat ini terjadi padam meluas di wilayah %(unit)s. Petugas kami sedang menanganinya.",
    "Power is expected back at about %(time)s.": "Listrik diperkirakan menyala kembali sekitar pukul %(time)s.",
    "You do not need to report it again.": "Anda tidak perlu melapor lagi.",
    "Planned maintenance is under way in the %(unit)s area until %(time)s.": "Sedang ada pemeliharaan terencana di wilayah %(unit)s sampai pukul %(time)s.",
    "Give a list of codes.": "Isi daftar kode.",
    "At most %(n)s codes of at most 32 characters.": "Paling banyak %(n)s kode, masing-masing paling panjang 32 karakter.",
    "Say what work is planned.": "Sebutkan pekerjaan yang direncanakan.",
    "Planned outages belong to a ULP.": "Pemadaman terencana dibuat untuk sebuah ULP.",
    "Give the start.": "Isi waktu mulai.",
    "Give the end.": "Isi waktu selesai.",
    "The end must be after the start.": "Waktu selesai harus setelah waktu mulai.",
    "The start is in the past.": "Waktu mulai sudah lewat.",
    "Give the transformers, the feeders or draw the area.": "Isi gardu, penyulang, atau gambar wilayahnya.",
    "The same area already has a planned outage overlapping this window.": "Wilayah yang sama sudah punya pemadaman terencana yang bertumpang waktu.",
    "This planned outage is already over.": "Pemadaman terencana ini sudah berakhir.",
    "The planned maintenance has ended and power is back on.": "Pemeliharaan terencana sudah selesai dan listrik kembali menyala.",
    "Your area is in a planned maintenance outage (%(work)s) until %(time)s. Power returns when the work ends; no crew is sent for this report.": "Wilayah Anda sedang dalam pemadaman terencana untuk pemeliharaan (%(work)s) sampai %(time)s. Listrik menyala setelah pekerjaan selesai; tidak ada regu yang dikirim untuk laporan ini.",
    "Power is already back on for this outage.": "Listrik untuk gangguan ini sudah menyala.",
    "Give the transformers restored so far.": "Isi gardu yang sudah menyala.",
    "This incident is already closed.": "Gangguan ini sudah ditutup.",
    "Power is back on in your area (staged restoration); other areas follow.": "Listrik di wilayah Anda sudah menyala (nyala bertahap); wilayah lain menyusul.",
    "Answer yes or no.": "Jawab ya atau tidak.",
    "Power is still out after report %(number)s was marked restored.": "Listrik masih padam setelah laporan %(number)s dinyatakan menyala.",
    "You told us the power is still out; we opened report %(number)s for it.": "Anda menyampaikan listrik masih padam; kami membuka laporan %(number)s untuk itu.",
    "You confirmed the power is back on. Thank you.": "Anda sudah mengonfirmasi listrik menyala. Terima kasih.",
    "Power restored; closed after no further report.": "Listrik sudah menyala; ditutup karena tidak ada laporan lanjutan.",
    "Planned-outage notices": "Pemberitahuan pemadaman terencana",
    "Done. We will tell you before planned maintenance on your connection and when it ends.": "Selesai. Kami akan memberi tahu Anda sebelum pemeliharaan terencana pada sambungan Anda dan saat selesai.",
    "Get a message before planned maintenance cuts the power on your connection, and when it ends.": "Dapatkan pesan sebelum pemeliharaan terencana memadamkan listrik di sambungan Anda, dan saat selesai.",
    "Notify me": "Beri tahu saya",
    "Outage map": "Peta padam",
    "Is your power back?": "Apakah listrik Anda sudah menyala?",
    "Our crew marked report %(number)s as restored. Is the power really back on at your place?": "Petugas kami menyatakan laporan %(number)s sudah menyala. Apakah listrik di tempat Anda benar-benar sudah menyala?",
    "Yes, power is back": "Ya, sudah menyala",
    "No, still no power": "Belum, masih padam",
    "Thank you": "Terima kasih",
    "We are sorry. We opened report %(number)s with priority and will send a crew.": "Mohon maaf. Kami membuka laporan %(number)s dengan prioritas dan akan mengirim regu.",
    "Follow the new report": "Pantau laporan baru",
    "Thank you for confirming.": "Terima kasih atas konfirmasinya.",
    "This question has already been answered or has closed. Thank you. If the power is out again, please report it.": "Pertanyaan ini sudah dijawab atau sudah ditutup. Terima kasih. Jika listrik padam lagi, silakan laporkan.",
    "Report a problem": "Laporkan masalah",
    "Back to the report": "Kembali ke laporan",
    "Rate our service": "Nilai layanan kami",
    "Outages we already know about and planned maintenance. No need to report these again.": "Gangguan yang sudah kami ketahui dan pemeliharaan terencana. Tidak perlu dilaporkan lagi.",
    "City / area": "Kota / wilayah",
    "Show": "Tampilkan",
    "Outage": "Gangguan",
    "INFO PADAM MELUAS (wide-area outage)": "INFO PADAM MELUAS",
    "Planned outage": "Pemadaman terencana",
    "Estimated restoration": "Perkiraan menyala",
    "until": "sampai",
    "No known outages in this area right now.": "Saat ini tidak ada gangguan yang diketahui di wilayah ini.",
    "The map could not be loaded. Try again in a minute.": "Peta tidak dapat dimuat. Coba lagi sebentar lagi.",
    "Positions are approximate. The map refreshes every minute.": "Posisi adalah perkiraan. Peta diperbarui setiap menit.",
    "Get planned-outage notices for your connection": "Dapatkan pemberitahuan pemadaman terencana untuk sambungan Anda",
    "This ID pelanggan and phone number do not match our records.": "ID pelanggan dan nomor telepon ini tidak cocok dengan data kami.",
    # tickets catalog (notice texts of the outbox)
    "PLN 123: planned maintenance outage in %(area)s from %(starts)s to %(ends)s. We apologise for the inconvenience. Details: %(url)s": "PLN 123: pemadaman terencana untuk pemeliharaan di %(area)s mulai %(starts)s sampai %(ends)s. Mohon maaf atas ketidaknyamanannya. Info: %(url)s",
    "PLN 123: the planned maintenance in %(area)s has ended; power is back on. Still dark? Call 123.": "PLN 123: pemeliharaan terencana di %(area)s sudah selesai; listrik kembali menyala. Masih padam? Hubungi 123.",
    "Planned outage ended": "Pemadaman terencana selesai",
    "PLN 123: power is back on in %(area)s. Still dark? Report it: %(url)s": "PLN 123: listrik di %(area)s sudah menyala kembali. Masih padam? Laporkan: %(url)s",
    "Power is back on": "Listrik sudah menyala",
    "Still no power? Tell us: %(url)s": "Masih padam? Beri tahu kami: %(url)s",
    "PLN 123: an update from PLN.": "PLN 123: kabar terbaru dari PLN.",
    "PLN 123": "PLN 123",
    "exemption": "pengecualian",
    # site catalog (banner texts in templates/base.html)
    "Tell me by SMS when power is back": "Kabari saya lewat SMS saat listrik menyala",
    "Your phone number": "Nomor telepon Anda",
    "Done: we will send one SMS when power is back. No need to report it.": "Beres: kami kirim satu SMS saat listrik menyala. Tidak perlu melapor.",
    "Could not save. Check the number and try again.": "Tidak dapat disimpan. Periksa nomornya dan coba lagi.",
}

# Entries this work adds to catalogs made elsewhere (no makemessages churn there): msgid → source reference.
EXTRA = {
    "tickets/locale/id/LC_MESSAGES/django.po": {
        msgid: ("notifications/messages.py", "0")
        for msgid in (
            "PLN 123: planned maintenance outage in %(area)s from %(starts)s to %(ends)s. We apologise for the "
            "inconvenience. Details: %(url)s",
            "Planned outage",
            "PLN 123: the planned maintenance in %(area)s has ended; power is back on. Still dark? Call 123.",
            "Planned outage ended",
            "PLN 123: power is back on in %(area)s. Still dark? Report it: %(url)s",
            "Power is back on",
            "Still no power? Tell us: %(url)s",
            "PLN 123: an update from PLN.",
            "PLN 123",
        )
    }
    | {"exemption": ("sla_models.py", "0")},
    "locale/id/LC_MESSAGES/django.po": {
        msgid: ("templates/base.html", "0")
        for msgid in (
            "Outage map",
            "Tell me by SMS when power is back",
            "Your phone number",
            "Notify me",
            "Done: we will send one SMS when power is back. No need to report it.",
            "Could not save. Check the number and try again.",
        )
    },
}


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _append(path: Path, extra: dict) -> None:
    """Append missing entries as text, leaving the rest of a catalog made elsewhere byte for byte as it was."""
    po = polib.pofile(str(path))
    lines = []
    for msgid, (source, line) in extra.items():
        if po.find(msgid) is None:
            flags = "#, python-format\n" if "%(" in msgid else ""
            lines.append(f"\n#: {source}:{line}\n{flags}msgid {_quote(msgid)}\nmsgstr {_quote(ID[msgid])}\n")
    if lines:
        with path.open("a", encoding="utf-8") as handle:
            handle.write("".join(lines))


def main() -> int:
    missing = []
    for relative, extra in EXTRA.items():
        _append(ROOT / relative, extra)
        path = ROOT / relative
        polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))
    path = ROOT / "outages/locale/id/LC_MESSAGES/django.po"
    po = polib.pofile(str(path))
    for entry in po:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags and entry.msgid in ID:
            entry.flags.remove("fuzzy")
            entry.previous_msgid = None
            entry.msgstr = ""
        if not entry.msgstr and entry.msgid in ID:
            entry.msgstr = ID[entry.msgid]
        if not entry.msgstr and not entry.msgid_plural:
            missing.append(entry.msgid)
    po.save()
    po.save_as_mofile(str(path.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid, file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
