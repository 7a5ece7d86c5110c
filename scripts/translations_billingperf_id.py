# ruff: noqa: E501  (a table of sentences)
"""Indonesian translations of the billing strings added with the fast import and the import sweeper.

python scripts/translations_billingperf_id.py adds the entries of the table below to billing's catalog (or fills
them when makemessages added them empty) and compiles the .mo file. Run scripts/translations_billing_id.py first
after a makemessages: it puts back the strings other apps keep in billing's catalog.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "billing" / "locale" / "id" / "LC_MESSAGES" / "django.po"

TABLE = {
    "The uploaded file is gone; upload it again.": "Berkas yang diunggah sudah tidak ada; unggah lagi.",
}


def main() -> int:
    po = polib.pofile(str(CATALOG))
    present = {entry.msgid for entry in po}
    for msgid, msgstr in TABLE.items():
        if msgid not in present:
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
    missing = []
    for entry in po:
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
            entry.msgstr = ""
        if not entry.msgid_plural and not entry.msgstr:
            entry.msgstr = TABLE.get(entry.msgid, "")
            if not entry.msgstr:
                missing.append(entry.msgid)
    po.save(str(CATALOG))
    po.save_as_mofile(str(CATALOG.with_suffix(".mo")))
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
