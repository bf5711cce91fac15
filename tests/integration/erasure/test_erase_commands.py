"""``accord person consent|withdraw-consent|erase`` and ``accord notifier erase`` on the
command line: what was erased and kept when they work, one readable line when they refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app

runner = CliRunner()


@pytest.fixture(autouse=True)
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ACCORD_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ACCORD_MASTER_KEY", "the master key of an instance that erases")
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)


def accord(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr


def test_consent_is_needed_withdrawn_and_a_person_erased(faces: Path) -> None:
    code, _, stderr = accord("person", "add", "Quentin Doe", "--photo", faces / "obama.jpg")
    assert code == 1
    assert stderr.startswith("accord: error: Quentin Doe has no consent to the processing")

    assert accord("person", "add", "Quentin Doe")[0] == 0
    code, stdout, _ = accord("person", "consent", "Quentin Doe")
    assert code == 0
    assert stdout.startswith("consent of Quentin Doe recorded by cli:")
    assert accord("person", "photo", "Quentin Doe", faces / "obama.jpg")[0] == 0

    code, stdout, _ = accord("person", "withdraw-consent", "Quentin Doe")
    assert (code, stdout) == (0, "consent of Quentin Doe withdrawn: erased 1 face(s), 0 voice(s)\n")
    code, _, stderr = accord("person", "photo", "Quentin Doe", faces / "obama2.jpg")
    assert (code, "no consent" in stderr) == (1, True)

    code, stdout, _ = accord("person", "erase", "Quentin Doe", "--note", "Art. 17, 3 May")
    assert code == 0
    lines = stdout.splitlines()
    assert lines[0] == (
        "erasure request #1: erased 0 faces, 0 voices, 0 representatives, 1 people, 0 cases"
    )
    assert any(line.startswith("kept: the audit log's entries") for line in lines)
    assert accord("person", "list")[1] == ""
    code, stdout, _ = accord("audit", "verify")
    assert (code, stdout.startswith("audit log intact")) == (0, True)


def test_a_notifier_erasure_refuses_what_it_cannot_do() -> None:
    code, _, stderr = accord("notifier", "erase", "not-an-address")
    assert (code, stderr) == (1, "accord: error: not an email address: 'not-an-address'\n")
    code, _, stderr = accord("notifier", "erase", "stranger@mail.example")
    assert code == 1
    assert stderr == "accord: error: accord keeps no personal data about this address\n"
    code, _, stderr = accord("person", "erase", "Nobody Known")
    assert (code, "no protected person" in stderr) == (1, True)
