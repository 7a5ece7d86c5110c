# ruff: noqa: E501  (a table of sentences)
"""Indonesian translations of connection applications taken through Open311: the LY-PB / LY-PD service
definitions, their errors and the notice after posting (open311/definitions.py, open311/views.py,
open311/serializers.py), and the one new message of connections' intake. They are kept in the connections
catalog so the other catalogs stay untouched.

Run: python scripts/translations_open311apps_id.py. Adds the entries below that the catalog lacks (existing
translations are kept) and compiles the .mo file with msgfmt. After a makemessages in connections, run it again.
"""

import subprocess
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "connections" / "locale" / "id" / "LC_MESSAGES" / "django.po"

ENTRIES = {
    # connections/services.py
    "This key was already used for another ticket.": "Kunci ini sudah dipakai untuk tiket lain.",
    # open311/definitions.py
    "The applicant's full name, as on the KTP.": "Nama lengkap pemohon, sesuai KTP.",
    "NIK: the 16-digit number on the applicant's KTP.": "NIK: 16 digit nomor pada KTP pemohon.",
    "16 digits": "16 digit",
    "Which power (VA) do you want?": "Daya berapa (VA) yang Anda inginkan?",
    "Tariff class: R = household, B = business, I = industry, S = social (e.g. houses of worship), P = government. Each class allows only some powers.": "Golongan tarif: R = rumah tangga, B = bisnis, I = industri, S = sosial (mis. rumah ibadah), P = pemerintah. Setiap golongan hanya untuk daya tertentu.",
    "Prepaid (token) or postpaid?": "Prabayar (token) atau pascabayar?",
    "ID pelanggan of the connection whose power changes (12 digits, on the meter and the bill).": "ID pelanggan sambungan yang dayanya diubah (12 digit, tertera di meter dan rekening).",
    "Which power (VA) do you want instead of the present one?": "Daya (VA) berapa yang Anda inginkan sebagai pengganti daya sekarang?",
    "The place to connect: lat and long, within the area of a ULP we serve, and its address in address_string. Both are required.": "Tempat yang akan disambung: lat dan long, di dalam wilayah ULP yang kami layani, dan alamatnya di address_string. Keduanya wajib.",
    "The applicant's mobile phone is the phone parameter and their e-mail the email parameter (optional): every stage of the application is sent to them.": "Nomor ponsel pemohon adalah parameter phone dan e-mailnya parameter email (tidak wajib): setiap tahap permohonan dikirim ke sana.",
    "The KTP (and, for a business or industry class, the NIB) cannot be sent through Open311: after the request, the applicant sends a photo or PDF of it from the tracking page, whose link comes by SMS.": "KTP (dan, untuk golongan bisnis atau industri, NIB) tidak dapat dikirim lewat Open311: setelah permohonan dibuat, pemohon mengirim foto atau PDF-nya dari halaman lacak, yang tautannya dikirim lewat SMS.",
    # open311/views.py
    "lat and long are required for a new connection: they mark the place to connect.": "lat dan long wajib untuk pasang baru: keduanya menandai tempat yang akan disambung.",
    # open311/serializers.py
    "Stage: %(stage)s.": "Tahap: %(stage)s.",
    "Your application is registered at the %(stage)s stage.": "Permohonan Anda terdaftar pada tahap %(stage)s.",
    "Your application is registered at the %(stage)s stage. Documents cannot be sent through Open311: send a photo or PDF of your %(documents)s from the tracking page, whose link is in the SMS sent to your phone, or at %(url)s with this request number and your phone.": "Permohonan Anda terdaftar pada tahap %(stage)s. Dokumen tidak dapat dikirim lewat Open311: kirim foto atau PDF %(documents)s Anda dari halaman lacak, yang tautannya ada di SMS ke ponsel Anda, atau di %(url)s dengan nomor permohonan ini dan nomor ponsel Anda.",
}


def main() -> int:
    po = polib.pofile(str(CATALOG))
    present = {entry.msgid: entry for entry in po if not entry.obsolete}
    for msgid, msgstr in ENTRIES.items():
        entry = present.get(msgid)
        if entry is None:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        elif not entry.msgstr or "fuzzy" in entry.flags:
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            entry.msgstr = msgstr
    po.save(str(CATALOG))
    subprocess.run(["msgfmt", "-o", str(CATALOG.with_suffix(".mo")), str(CATALOG)], check=True)
    missing = [entry.msgid for entry in po.untranslated_entries()]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
