"""Every CLI test runs against its own instance: a fresh data folder and master key."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli.main import app

#: The master key of each test instance (issuers' keys are sealed under it).
MASTER_KEY = "the master key of this test instance"

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "data"
    monkeypatch.setenv("ACCORD_DATA_DIR", str(folder))
    monkeypatch.setenv("ACCORD_MASTER_KEY", MASTER_KEY)
    monkeypatch.delenv("ACCORD_DATABASE_URL", raising=False)
    return folder


def accord(*args: str | Path) -> tuple[int, str, str]:
    """Run the CLI in-process: exit code, stdout, stderr."""
    result = runner.invoke(app, [str(arg) for arg in args])
    return result.exit_code, result.stdout, result.stderr
