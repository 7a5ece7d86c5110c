"""Indonesian translations of the "no dead ends" strings (dispatch never quiet, the customer's reply, clear
number messages). Run: python scripts/translations_deadends_dispatch_id.py

Adds each entry to its catalog when missing (or fills it), then compiles the .mo. Dispatch strings go to
dispatch/locale; the rest to tickets/locale (Django reads every installed app's catalog).
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

DISPATCH = {
    "nobody to offer since": "tidak ada yang bisa ditawari sejak",
    "reports waiting": "laporan menunggu",
    "already restored": "sudah menyala",
    "power back": "sudah menyala",
    "Nobody to offer since": "Tidak ada teknisi yang bisa ditawari sejak",
    "No technician can be offered these outages. Assign one by hand or call a crew in; the ULP supervisor has been "
    "told.": "Tidak ada teknisi yang bisa ditawari gangguan ini. Tugaskan secara manual atau panggil regu; "
    "supervisor ULP sudah diberi tahu.",
    "Estimate saved; a message to the customers still without power is on its way.": "Perkiraan disimpan; pesan "
    "untuk pelanggan yang listriknya masih padam sedang dikirim.",
    "No name given": "Nama tidak diisi",
    "Call": "Telepon",
    "Photo from the customer": "Foto dari pelanggan",
}

TICKETS = {
    "(file attached)": "(berkas terlampir)",
    "A report number has digits only, like 251125-000123-4.": "Nomor laporan hanya berisi angka, "
    "contoh 251125-000123-4.",
    "API": "API",
    "SMS": "SMS",
    "WhatsApp": "WhatsApp",
    "Tracking page": "Halaman lacak",
    "An ID pelanggan or meter number has digits only; remove “%(chars)s”.": "ID pelanggan atau nomor meter "
    "hanya angka; hapus “%(chars)s”.",
    "Attach a photo or PDF (optional)": "Lampirkan foto atau PDF (opsional)",
    "Customer's answer: %(answer)s": "Jawaban pelanggan: %(answer)s",
    "Give the tracking link's token, or the report number and your phone number.": "Berikan token dari tautan "
    "lacak, atau nomor laporan dan nomor telepon Anda.",
    "PLN 123: estimated restoration for report %(number)s: %(time)s. Track: %(url)s": "PLN 123: perkiraan "
    "listrik menyala untuk laporan %(number)s: %(time)s. Lacak: %(url)s",
    "Estimated restoration": "Perkiraan menyala",
    "PLN 123: you told us the power is still out after report %(number)s; we opened report %(follow_up)s with "
    "priority and will keep you posted on it.": "PLN 123: Anda menyampaikan listrik masih padam setelah laporan "
    "%(number)s; kami membuka laporan %(follow_up)s dengan prioritas dan akan mengabarkan perkembangannya.",
    "Send a photo (JPEG or PNG) or a PDF document.": "Kirim foto (JPEG atau PNG) atau dokumen PDF.",
    "The file is too large (at most %(mb)s MB).": "Berkas terlalu besar (paling besar %(mb)s MB).",
    "This report is not waiting for an answer from you.": "Laporan ini tidak sedang menunggu jawaban Anda.",
    "This report number is not right (its last digit does not match). Please check the report number.": "Nomor "
    "laporan ini tidak benar (angka terakhirnya tidak cocok). Periksa kembali nomor laporan.",
    "Write your answer or attach a file.": "Tulis jawaban Anda atau lampirkan berkas.",
    "You typed %(count)s digits; a meter number has exactly 11.": "Anda mengetik %(count)s angka; nomor meter "
    "tepat 11 angka.",
    "You typed %(count)s digits; a report number has 13, like 251125-000123-4.": "Anda mengetik %(count)s angka; "
    "nomor laporan 13 angka, contoh 251125-000123-4.",
    "You typed %(count)s digits; an ID pelanggan has 12 and a meter number 11.": "Anda mengetik %(count)s angka; "
    "ID pelanggan 12 angka dan nomor meter 11 angka.",
    "You typed %(count)s digits; an ID pelanggan has exactly 12.": "Anda mengetik %(count)s angka; ID pelanggan "
    "tepat 12 angka.",
    "Your answer is too long.": "Jawaban Anda terlalu panjang.",
    "Your answer": "Jawaban Anda",
    "attachment": "lampiran",
    "channel": "kanal",
    "created": "dibuat",
    "message": "pesan",
    "customer reply": "jawaban pelanggan",
    "customer replies": "jawaban pelanggan",
    "Address": "Alamat",
    "File from the customer": "Berkas dari pelanggan",
    "Send answer": "Kirim jawaban",
    "Thank you, your answer has been sent. We continue working on your report.": "Terima kasih, jawaban Anda "
    "sudah terkirim. Kami melanjutkan penanganan laporan Anda.",
    "The time limit for your report is paused until you answer.": "Batas waktu penanganan laporan Anda dihentikan "
    "sementara sampai Anda menjawab.",
    "We need your answer": "Kami memerlukan jawaban Anda",
    "What you reported": "Yang Anda laporkan",
    "You can also answer by replying to our SMS or WhatsApp message.": "Anda juga dapat menjawab dengan membalas "
    "SMS atau pesan WhatsApp kami.",
}

CATALOGS = {
    ROOT / "dispatch" / "locale" / "id" / "LC_MESSAGES" / "django.po": DISPATCH,
    ROOT / "tickets" / "locale" / "id" / "LC_MESSAGES" / "django.po": TICKETS,
}


def main() -> int:
    for path, table in CATALOGS.items():
        po = polib.pofile(str(path))
        # Missing entries are appended as text, so the rest of the catalog keeps its wrapping (fewer conflicts).
        missing = [
            polib.POEntry(msgid=msgid, msgstr=msgstr) for msgid, msgstr in table.items() if po.find(msgid) is None
        ]
        if missing:
            with path.open("a", encoding="utf-8") as handle:
                for entry in missing:
                    handle.write("\n" + entry.__unicode__(wrapwidth=0))
        po = polib.pofile(str(path))
        changed = False
        for msgid, msgstr in table.items():
            entry = po.find(msgid)
            if not entry.msgstr or "fuzzy" in entry.flags:
                entry.msgstr = msgstr
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
                changed = True
        if changed:
            po.save(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
