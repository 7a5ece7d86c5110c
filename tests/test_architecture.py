"""The layers hold, and the checks a commit runs are well formed."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def test_the_import_contracts_are_kept():
    result = subprocess.run([BIN / "lint-imports", "--no-cache"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_import_that_breaks_a_layer_is_caught(tmp_path):
    # given: a copy of the contracts and a tree where core imports an app
    for package in ("core", "tickets"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
    (tmp_path / "core" / "bad.py").write_text("import tickets\n")
    (tmp_path / "setup.cfg").write_text(
        "[importlinter]\nroot_packages =\n    core\n    tickets\n\n"
        "[importlinter:contract:core]\nname = core imports no app\ntype = forbidden\n"
        "source_modules = core\nforbidden_modules = tickets\n"
    )
    # when
    result = subprocess.run(
        [BIN / "lint-imports", "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(tmp_path)},
    )
    # then
    assert result.returncode == 1
    assert "core.bad -> tickets" in result.stdout


def test_the_pre_commit_configuration_is_valid():
    result = subprocess.run(
        [BIN / "pre-commit", "validate-config", ".pre-commit-config.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
