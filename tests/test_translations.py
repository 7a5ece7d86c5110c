"""Every catalog is complete and its compiled .mo matches the .po it came from."""

from pathlib import Path

import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
CATALOGS = sorted(p for p in ROOT.glob("**/locale/id/LC_MESSAGES/django.po") if ".venv" not in p.parts)


def test_there_is_an_indonesian_catalog():
    assert CATALOGS


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_catalog_has_no_untranslated_or_fuzzy_entries(path):
    po = polib.pofile(str(path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []


@pytest.mark.parametrize("path", CATALOGS, ids=lambda p: str(p.relative_to(ROOT)))
def test_compiled_catalog_is_up_to_date(path):
    def translation(entry):
        return entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))

    po = {e.msgid: translation(e) for e in polib.pofile(str(path)) if e.msgid and not e.obsolete}
    mo = {e.msgid: translation(e) for e in polib.mofile(str(path.with_suffix(".mo"))) if e.msgid}
    assert po == mo
