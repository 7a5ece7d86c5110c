# ruff: noqa: E501  (a table of sentences)
"""Indonesian for customer feedback: the back-office feedback page and its reply, the reply message, the
feedback section of the reports and the reply on the tracking page. Run: python scripts/translations_feedback_id.py

Adds each entry below that no Indonesian catalog translates yet to the tickets app's catalog
(tickets/locale/id/LC_MESSAGES/django.po; Django merges all catalogs at run time), then compiles the .mo.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "tickets" / "locale" / "id" / "LC_MESSAGES" / "django.po"

ID = {
    # tickets/feedback.py: the reply's rules
    "Write a reply first.": "Tulis balasan terlebih dahulu.",
    "At most %(count)s characters, please.": "Paling banyak %(count)s karakter.",
    "This feedback has already been answered; a customer gets one reply.": "Masukan ini sudah dibalas; pelanggan menerima satu balasan.",
    "This feedback is closed; it can no longer be answered.": "Masukan ini sudah ditutup; tidak dapat dibalas lagi.",
    "This feedback left no phone number, e-mail address or ticket, so no reply can reach the customer. Close it instead.": "Masukan ini tidak mencantumkan nomor telepon, alamat e-mail, atau tiket, sehingga balasan tidak dapat sampai ke pelanggan. Tutup saja masukan ini.",
    "This feedback is already closed.": "Masukan ini sudah ditutup.",
    # the model's choices and fields
    "Feedback page": "Halaman masukan",
    "Replied": "Sudah dibalas",
    "Closed without reply": "Ditutup tanpa balasan",
    "origin": "asal",
    "reply": "balasan",
    # the message to the customer
    "PLN 123 replies to your feedback: %(reply)s": "PLN 123 membalas masukan Anda: %(reply)s",
    "Reply to your feedback": "Balasan atas masukan Anda",
    # back-office pages
    "Reply to the customer": "Balasan untuk pelanggan",
    "Feedback closed.": "Masukan ditutup.",
    "Reply sent to the customer.": "Balasan terkirim ke pelanggan.",
    "Customer feedback": "Masukan pelanggan",
    "Received": "Diterima",
    "Name": "Nama",
    "Phone": "Telepon",
    "Our reply": "Balasan kami",
    "The reply goes to the phone (SMS or WhatsApp) and e-mail address the customer gave, and appears on the ticket's tracking page. A customer gets one reply.": "Balasan dikirim ke nomor telepon (SMS atau WhatsApp) dan alamat e-mail yang diberikan pelanggan, serta tampil di halaman lacak tiketnya. Pelanggan menerima satu balasan.",
    "Send reply": "Kirim balasan",
    "The customer left no phone number, e-mail address or ticket: no reply can reach them. Close the feedback once it has been read.": "Pelanggan tidak mencantumkan nomor telepon, alamat e-mail, atau tiket: balasan tidak dapat sampai. Tutup masukan ini setelah dibaca.",
    "Close": "Tutup",
    "All kinds": "Semua jenis",
    "All": "Semua",
    "No feedback.": "Tidak ada masukan.",
    # tracking page
    "Our reply to your feedback: %(reply)s": "Balasan kami atas masukan Anda: %(reply)s",
    # reports
    "Customer feedback per day by kind": "Masukan pelanggan per hari menurut jenis",
    "Kritik, saran and apresiasi from every channel: the feedback page, the API and the tickets logged in those categories.": "Kritik, saran, dan apresiasi dari semua saluran: halaman masukan, API, dan tiket yang dicatat pada kategori tersebut.",
    "%(replied)s answered (%(percent)s%%)": "%(replied)s dijawab (%(percent)s%%)",
    "reply time: median %(median)s h, average %(average)s h": "waktu balas: median %(median)s jam, rata-rata %(average)s jam",
    "Total": "Total",
}
PLURALS = {
    ("%(total)s piece of feedback", "%(total)s pieces of feedback"): "%(total)s masukan",
}


def main() -> int:
    translated = set()
    for path in ROOT.glob("**/locale/id/LC_MESSAGES/django.po"):
        if ".venv" in path.parts or path == TARGET:
            continue
        translated |= {
            e.msgid for e in polib.pofile(str(path)) if (e.msgstr or e.msgstr_plural.get(0)) and not e.obsolete
        }
    po = polib.pofile(str(TARGET))
    have = {e.msgid for e in po}
    # New entries are appended as text, so the existing entries keep their line wrapping (a small diff).
    added = [
        polib.POEntry(msgid=msgid, msgstr=msgstr)
        for msgid, msgstr in ID.items()
        if msgid not in have and msgid not in translated
    ] + [
        polib.POEntry(msgid=singular, msgid_plural=plural, msgstr_plural={0: msgstr})
        for (singular, plural), msgstr in PLURALS.items()
        if singular not in have and singular not in translated
    ]
    if added:
        with TARGET.open("a", encoding="utf-8") as catalog:
            catalog.write("".join("\n" + entry.__unicode__(wrapwidth=79) for entry in added))
    polib.pofile(str(TARGET)).save_as_mofile(str(TARGET.with_suffix(".mo")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
