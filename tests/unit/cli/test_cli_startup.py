"""``accord --help`` and each command's ``--help`` start fast: a command's heavy
dependencies (numpy, SQLAlchemy, C2PA...) are imported only when it runs."""

from __future__ import annotations

import json
import subprocess
import sys

from accord.cli.catalog import CATALOG

#: Each takes from a tenth of a second to a second to import.
HEAVY = {
    "numpy", "PIL", "cv2", "av", "c2pa", "faiss", "onnxruntime", "cryptography",
    "sqlalchemy", "alembic", "fastapi", "starlette", "uvicorn", "httpx", "rich",
}  # fmt: skip

HELP_CALLS = [["--help"], *([entry.name, "--help"] for entry in CATALOG)]

PROBE = """
import json, sys
from accord.cli.main import app

loaded = {}
for args in json.loads(sys.argv[1]):
    try:
        app(args)
    except SystemExit:
        pass
    loaded[" ".join(args)] = sorted({name.split(".")[0] for name in sys.modules})
print(json.dumps(loaded), file=sys.stderr)
"""


def test_help_imports_no_heavy_dependency() -> None:
    # In a fresh interpreter: this one has imported everything already.
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HELP_CALLS)],
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = json.loads(done.stderr.splitlines()[-1])
    assert loaded.keys() == {" ".join(args) for args in HELP_CALLS}
    for call, modules in loaded.items():
        assert not HEAVY & set(modules), call


def test_importing_the_cli_loads_no_command() -> None:
    code = "import json, sys, accord.cli.main; print(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    modules = set(json.loads(done.stdout))
    commands = {entry.target.partition(":")[0] for entry in CATALOG}
    assert not commands & modules
    assert "pydantic" not in modules  # Typer uses it to build a command's parameters
