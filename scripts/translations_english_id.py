"""Indonesian for the strings of "say only what is true": counted reports and jobs on the dispatch pages, the
empty lists that used to say "None.", the staff home page. Run: python scripts/translations_english_id.py

Adds each entry below that no Indonesian catalog translates yet to the catalog of the app it belongs to
(Django merges all catalogs at run time), then compiles the .mo.
"""

import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
CATALOG = "locale/id/LC_MESSAGES/django.po"

# catalog (relative to the repository) → {msgid: msgstr} or {(singular, plural): msgstr}
ID = {
    f"dispatch/{CATALOG}": {
        ("{count} report waiting", "{count} reports waiting"): "{count} laporan menunggu",
        ("{count} job", "{count} jobs"): "{count} pekerjaan",
    },
    f"hotline/{CATALOG}": {
        "No other violations.": "Tidak ada pelanggaran lain.",
    },
    CATALOG: {
        "Administration": "Administrasi",
        "No complaints raised with the Ombudsman or LP2K in this range.": (
            "Tidak ada pengaduan yang juga diajukan ke Ombudsman atau LP2K dalam rentang ini."
        ),
        "No comments in this range.": "Tidak ada komentar dalam rentang ini.",
        "Who": "Oleh",
        "Page not found": "Halaman tidak ditemukan",
        "There is no page at this address. The link may be mistyped or out of date.": (
            "Tidak ada halaman di alamat ini. Tautannya mungkin salah ketik atau sudah tidak berlaku."
        ),
    },
}


def main() -> int:
    for relative, entries in ID.items():
        target = ROOT / relative
        translated = set()
        for path in ROOT.glob("**/locale/id/LC_MESSAGES/django.po"):
            if ".venv" in path.parts or path == target:
                continue
            translated |= {e.msgid for e in polib.pofile(str(path)) if (e.msgstr or e.msgstr_plural) and not e.obsolete}
        po = polib.pofile(str(target))
        have = {e.msgid: e for e in po}
        for key, msgstr in entries.items():
            singular, plural = key if isinstance(key, tuple) else (key, None)
            if singular in have:
                entry = have[singular]
            elif singular in translated:
                continue
            else:
                entry = polib.POEntry(msgid=singular, msgid_plural=plural or "")
                po.append(entry)
            if plural:
                entry.msgstr_plural = {0: msgstr}
            else:
                entry.msgstr = msgstr
            if "python-brace-format" not in entry.flags and "{" in singular:
                entry.flags.append("python-brace-format")
        po.save(str(target))
        po.save_as_mofile(str(target.with_suffix(".mo")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
