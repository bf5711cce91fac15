"""Every CLI test runs against its own instance: a fresh data folder and master key."""

from __future__ import annotations

import json
import os
import subprocess
import sys
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


_RUN_AND_LIST_MODULES = """
import json, sys
from accord.cli.main import main
sys.argv = ["accord", *json.loads(sys.argv[1])]
try:
    main()
except SystemExit as done:
    assert not done.code, done.code
print(json.dumps(sorted(sys.modules)), file=sys.stderr)
"""


def modules_loaded_by(*args: str) -> set[str]:
    """The modules a command imports, run in a fresh interpreter (this one has imported
    everything already) on this test's instance."""
    ran = subprocess.run(
        [sys.executable, "-c", _RUN_AND_LIST_MODULES, json.dumps(args)],
        check=False,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    return set(json.loads(ran.stderr.splitlines()[-1]))
