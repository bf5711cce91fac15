"""``accord backup`` and ``accord restore`` on the command line: a summary when they work,
one readable line and exit status 1 when they refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app

MASTER_KEY = "the master key of the instance backed up"
runner = CliRunner()


def accord(data_dir: Path, *args: str | Path, master_key: str = MASTER_KEY) -> tuple[int, str]:
    """Run the CLI in-process on the instance in ``data_dir``: exit code and output."""
    environment = {"ACCORD_DATA_DIR": str(data_dir), "ACCORD_MASTER_KEY": master_key}
    result = runner.invoke(app, [str(arg) for arg in args], env=environment)
    return result.exit_code, result.stdout + result.stderr


@pytest.fixture(autouse=True)
def no_configured_database(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)


def test_backup_then_restore_on_the_command_line(tmp_path: Path, corpus: Path) -> None:
    origin, restored, backup = tmp_path / "origin", tmp_path / "restored", tmp_path / "backup"
    assert accord(origin, "bank", "create", "FAKES")[0] == 0
    picture = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    assert accord(origin, "bank", "add", "FAKES", picture)[0] == 0

    code, output = accord(origin, "backup", "--out", backup)
    assert code == 0, output
    assert output.startswith(f"backup written to {backup}: sqlite database, ")

    code, output = accord(restored, "restore", backup)
    assert code == 0, output
    first, second = output.splitlines()
    assert first.endswith(": 0 notices, 1 bank entries, 0 blobs, index snapshot none")
    assert second.startswith("audit log intact: ")
    assert accord(restored, "audit", "verify")[0] == 0


def test_refusals_are_one_line_and_exit_1(tmp_path: Path) -> None:
    origin, backup = tmp_path / "origin", tmp_path / "backup"
    assert accord(origin, "bank", "create", "FAKES")[0] == 0
    assert accord(origin, "backup", "--out", backup)[0] == 0

    refusals = {
        "is not empty: name a new or empty folder": ("backup", "--out", backup),
        "holds no manifest.json": ("restore", tmp_path),
        "already holds data": ("restore", backup),
    }
    for refusal, arguments in refusals.items():
        code, output = accord(origin, *arguments)
        assert (code, output.count("\n")) == (1, 1), output
        assert output.startswith("accord: error: "), output
        assert refusal in output, output
    code, output = accord(tmp_path / "other", "restore", backup, master_key="x" * 16 + " other")
    assert (code, output.count("\n")) == (1, 1), output
    assert "sealed under another master key" in output
    assert not (tmp_path / "other" / "accord.db").exists()
