"""The folder the workers of ``accord serve`` share their metric values in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from accord.server.metrics.folder import (
    MULTIPROCESS_VARIABLE,
    forget_dead_workers,
    prepare_folder,
    shared_folder,
)


def test_preparing_empties_the_folder_and_names_it_for_the_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(MULTIPROCESS_VARIABLE, raising=False)  # restored after the test
    assert shared_folder() is None
    (tmp_path / "metrics").mkdir()
    (tmp_path / "metrics" / "counter_4242.db").write_bytes(b"from the last run")
    (tmp_path / "metrics" / "README").write_text("not ours")

    folder = prepare_folder(tmp_path)

    assert folder == tmp_path / "metrics"
    assert sorted(path.name for path in folder.iterdir()) == ["README"]
    assert os.environ[MULTIPROCESS_VARIABLE] == str(folder)
    assert shared_folder() == folder


def test_a_dead_workers_live_gauges_go_and_its_counters_stay(tmp_path: Path) -> None:
    ended = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], check=True, capture_output=True
    )
    dead, alive = int(ended.stdout), os.getpid()
    names = [
        f"gauge_livesum_{dead}.db",
        f"counter_{dead}.db",
        f"gauge_livesum_{alive}.db",
    ]
    for name in names:
        (tmp_path / name).write_bytes(b"")

    assert forget_dead_workers(tmp_path) == [dead]
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(names[1:])


def test_serve_imports_prometheus_client_only_after_naming_the_folder() -> None:
    """prometheus_client picks its mode when first imported: what ``accord serve`` imports
    before ``prepare_folder`` must not bring it in, or a lone worker would count alone."""
    modules = [
        "accord.cli.serving",
        "accord.cli.listening",
        "accord.provenance.certificates",
        "accord.server.db.migrate",
        "accord.server.logs",
        "accord.server.metrics.folder",
    ]
    check = f"import sys, {', '.join(modules)}; assert 'prometheus_client' not in sys.modules"
    ran = subprocess.run([sys.executable, "-c", check], check=False, capture_output=True)
    assert ran.returncode == 0, ran.stderr.decode()
