"""The dependency audit's verdicts (scripts/audit_dependencies.py), on pip-audit reports of the shape it prints.

This machine reaches no vulnerability service, so the reports are written here; the command itself runs in
``.ci/run``."""

import importlib.util
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit_dependencies.py"


@pytest.fixture
def audit():
    spec = importlib.util.spec_from_file_location("audit_dependencies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.main


def report(*dependencies):
    return {"dependencies": list(dependencies), "fixes": []}


CLEAN = {"name": "django", "version": "5.2.8", "vulns": []}
VULNERABLE = {
    "name": "requests",
    "version": "2.31.0",
    "vulns": [{"id": "GHSA-9wx4-h78v-vm56", "fix_versions": ["2.32.0"], "aliases": [], "description": "…"}],
}
UNKNOWN = {"name": "sigap-local", "version": "0", "skip_reason": "Dependency not found on PyPI"}


def test_an_advisory_against_an_installed_version_fails_and_names_the_fix(audit, capsys):
    assert audit(run=lambda service: report(CLEAN, VULNERABLE)) == 1
    out = capsys.readouterr().out
    assert "requests 2.31.0: GHSA-9wx4-h78v-vm56 (fixed in 2.32.0)" in out


def test_no_advisory_passes(audit, capsys):
    assert audit(run=lambda service: report(CLEAN, UNKNOWN)) == 0
    assert "no known vulnerabilities" in capsys.readouterr().out


def test_the_second_service_is_asked_when_the_first_cannot_be_reached(audit):
    asked = []

    def run(service):
        asked.append(service)
        return None if service == "pypi" else report(VULNERABLE)

    assert audit(run=run) == 1
    assert asked == ["pypi", "osv"]


@pytest.mark.parametrize("required, code", [("", 0), ("1", 2)])
def test_no_reachable_service_warns_and_fails_only_where_the_audit_is_required(
    audit, monkeypatch, capsys, required, code
):
    monkeypatch.setenv("PIP_AUDIT_REQUIRED", required)
    # every package skipped counts as not audited, like no answer at all
    assert audit(run=lambda service: report(UNKNOWN) if service == "pypi" else None) == code
    assert "dependencies were NOT audited" in capsys.readouterr().err
