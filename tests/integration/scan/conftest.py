"""A real Dask cluster for ``accord scan --cluster``: a scheduler and two workers started
with dask's own CLI, as a user starts them, and an accord instance (SQLite in a data
folder) with one bank, shared by the tests of a module.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

BIN = Path(sys.executable).parent
#: A liveness bound: a machine busy with other test runs can take this long.
STARTUP_SECONDS = 60.0
#: The longest a scan of the tests' few dozen files may take on a busy machine.
SCAN_SECONDS = 120.0
MASTER_KEY = "the master key of this test instance"
BRIDGE = Path("pdq") / "bridge-mods"
LABELME = Path("pdq") / "reg-test-input" / "labelme-subset"


@dataclass(frozen=True)
class Instance:
    """An accord data folder with a FAKES bank holding the bridge photo."""

    data_dir: Path
    env: dict[str, str]


@dataclass(frozen=True)
class DaskCluster:
    address: str
    #: The ``dask worker`` processes (each a nanny that restarts its worker if it dies).
    nannies: tuple[subprocess.Popen[bytes], ...]
    logs: Path

    def worker_pids(self) -> list[int]:
        """The processes that run tasks: each nanny's worker child (Linux's /proc)."""
        return [pid for nanny in self.nannies for pid in _children(nanny.pid) if _is_worker(pid)]


def _children(parent: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            # "pid (name) state ppid ...": the name may hold spaces, so split after it.
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:
            continue  # ended meanwhile
        if int(fields[1]) == parent:
            found.append(int(stat.parent.name))
    return found


def _is_worker(pid: int) -> bool:
    """Dask's worker process, not the resource tracker multiprocessing starts beside it."""
    try:
        return b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def accord_run(
    *args: str | Path, env: dict[str, str], timeout: float = SCAN_SECONDS
) -> subprocess.CompletedProcess[str]:
    """``accord ARGS`` in a process of its own: exit code, stdout, stderr."""
    return subprocess.run(
        [sys.executable, "-m", "accord", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def read_records(results: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in results.read_text().splitlines()]


def by_name(records: Sequence[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Records by file name, the name taken out (paths differ between scans)."""
    return {Path(record["file"]).name: {**record, "file": None} for record in records}


@pytest.fixture(scope="module")
def instance(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Instance:
    data_dir = tmp_path_factory.mktemp("instance") / "data"
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")},
        "ACCORD_DATA_DIR": str(data_dir),
        "ACCORD_MASTER_KEY": MASTER_KEY,
    }
    for command in (
        ("bank", "create", "FAKES"),
        ("bank", "add", "FAKES", corpus / BRIDGE / "aaa-orig.jpg", "--label", "fake"),
    ):
        done = accord_run(*command, env=env)
        assert done.returncode == 0, done.stderr
    return Instance(data_dir, env)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    """21 pictures: the bridge photo's edits (matches), unrelated photos, two
    unreadable files."""
    folder = tmp_path_factory.mktemp("inbox")
    for photo in sorted((corpus / BRIDGE).glob("*.jpg")) + sorted((corpus / LABELME).glob("*")):
        shutil.copy(photo, folder / photo.name)
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really")
    (folder / "notes.png").write_text("not a picture")
    return folder


@pytest.fixture(scope="module")
def expected(
    instance: Instance, inbox: Path, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, Any]]:
    """A local scan's records of the inbox, by file name."""
    results = tmp_path_factory.mktemp("local") / "local.jsonl"
    done = accord_run("scan", inbox, "-o", results, "--workers", "1", env=instance.env)
    assert done.returncode == 0, done.stderr
    records = by_name(read_records(results))
    assert sum(bool(record.get("matches")) for record in records.values()) >= 10
    assert sum(bool(record.get("error")) for record in records.values()) == 2
    return records


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskCluster]:
    """``dask scheduler`` on a free loopback port and two ``dask worker``s of one thread."""
    folder = tmp_path_factory.mktemp("dask")
    with dask_processes(folder, workers=2) as cluster:
        yield cluster


@contextmanager
def dask_processes(
    folder: Path, *, workers: int, worker_command: Sequence[str] | None = None
) -> Iterator[DaskCluster]:
    """A scheduler and ``workers`` workers (``worker_command`` instead of ``dask worker``
    for each, given the scheduler's address last), stopped when the block ends."""
    scheduler_file = folder / "scheduler.json"
    with ExitStack() as stack:
        stack.enter_context(
            _process(
                [str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                 "--no-dashboard", "--scheduler-file", str(scheduler_file)],
                folder / "scheduler.log",
            )
        )  # fmt: skip
        address = _wait_for_address(scheduler_file)
        command = list(worker_command or [str(BIN / "dask"), "worker", "--nthreads", "1",
                                          "--nworkers", "1", "--no-dashboard"])  # fmt: skip
        logs = [folder / f"worker-{number}.log" for number in range(workers)]
        nannies = tuple(stack.enter_context(_process([*command, address], log)) for log in logs)
        _wait_for_registration(logs, address)
        yield DaskCluster(address, nannies, folder)


@contextmanager
def _process(command: list[str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_for_address(scheduler_file: Path) -> str:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            return str(json.loads(scheduler_file.read_text())["address"])
        except (OSError, ValueError, KeyError):
            time.sleep(0.05)
    pytest.fail(f"the Dask scheduler wrote no {scheduler_file} in {STARTUP_SECONDS:g} s")


def _wait_for_registration(logs: Sequence[Path], address: str) -> None:
    """Until every worker's log says it registered with the scheduler."""
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if all("Registered to:" in log.read_text(errors="replace") for log in logs):
            return
        time.sleep(0.05)
    pytest.fail(f"the Dask workers did not register with {address} in {STARTUP_SECONDS:g} s")
