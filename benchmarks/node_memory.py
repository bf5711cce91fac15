"""What one API node holds with millions of banked PDQ hashes, on PostgreSQL.

    .venv/bin/python benchmarks/node_memory.py [--sizes 0,1000000,10000000] [--requests 300]

A database of its own (``accord_node_memory_<pid>`` beside ``--admin-url``, dropped at the
end) gets one bank, grown in steps to each size by PostgreSQL itself (``INSERT ... SELECT
... FROM generate_series``: one entry and one PDQ signal per row, as ``accord bank
import`` stores a hash list), then ``VACUUM ANALYZE``. The hashes are pseudo-random
(``md5(i) || md5(-i)``: 256 evenly spread bits): fine for memory, and the easiest case of
the multi-index hash tables for latency (real PDQ hashes cluster, so some buckets hold
more). Entry 1 holds the bridge photo's hash, so every lookup below is a match. Rows are
written straight into the tables, past ``lock_index_feeds``: nothing else writes then, and
the ids only grow.

At each size a real ``accord serve`` (one process: ``--workers 1``) starts twice on the
same data folder:

- from the feed: no snapshot, so it reads every signal from the database; the seconds
  from ``Popen`` until ``/readyz`` answers 200, then until the index syncer has written
  its first snapshot (``ACCORD_INDEX_SNAPSHOT_AFTER_CHANGES=1``, so the smallest bank is
  snapshotted too), the CPU time the process used until ready (steadier than wall time
  on a shared machine), and its VmHWM (peak) and VmRSS once the snapshot is written;
- from that snapshot (just written, so in the page cache: a node reading it from a cold
  disk or a network volume takes longer): the seconds and CPU time to ready, VmHWM and
  VmRSS; then ``/v1/match`` latency, one request after another: ``--requests`` lookups
  of a near PDQ hash as JSON (``{"signals": {"pdq": ...}}``: match only) and as many
  posts of a 1-megapixel JPEG (hash, its eight orientations, match); then VmRSS again:
  what a serving node holds. Decode workers start only for heavy uploads; their memory,
  if any started, is printed apart.

Memory is the server process's own (/proc/PID/status). Disk: the snapshot folder and
``pg_total_relation_size`` (table, indexes, TOAST) of ``entry_signals`` and
``bank_entries``. Prints a markdown table with, per figure, a least-squares fit over the
sizes (linear; with a square term for starting from the feed) and its value at 100
million hashes, extrapolated; writes benchmarks/results/node-memory.json. With the
default sizes it takes about 5 minutes on 2 cores, with 30 million too about 10 (and
10 GiB of database).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import psycopg

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO / "benchmarks"))

from match_http import one_megapixel_jpeg  # noqa: E402

ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
HTTP_OK = 200
MIB = 1024**2
GIB = 1024**3
BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
#: The bridge hash with 8 bits flipped: a near, not exact, match.
NEAR_PDQ = f"{int(BRIDGE_PDQ, 16) ^ 0xFF:064x}"
#: Rows per ``INSERT ... SELECT``: each its own transaction, so progress shows.
FILL_STEP = 1_000_000
#: How long a server may take to become ready, or to write its snapshot.
READY_DEADLINE_SECONDS = 3600
POLL_SECONDS = 0.1
#: Lookups sent, and not timed, before the timed ones: lazy imports, first connections.
WARM_UP_REQUESTS = 10
#: Below this much available memory the server is killed: the machine comes first.
MEMORY_FLOOR = 2 * GIB
#: The fitted figures' extrapolation point.
EXTRAPOLATE_TO = 100_000_000


# Database --------------------------------------------------------------------------------


@contextmanager
def own_database(admin_url: str) -> Iterator[tuple[str, str]]:
    """A fresh database of this run's own: (psycopg URL, SQLAlchemy URL); dropped after."""
    name = f"accord_node_memory_{os.getpid()}"
    base = admin_url.rsplit("/", 1)[0]
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"{base}/{name}"
        yield url, url.replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fill(url: str, bank_id: int, have: int, want: int) -> float:
    """Grow the bank from ``have`` to ``want`` rows (row 1 is the bridge, the rest random
    hashes); seconds taken, with the ``VACUUM ANALYZE`` after."""
    started = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as connection:
        # Bulk-load settings for this session only: foreign keys are not re-checked for
        # rows generated to satisfy them, and a crash may lose the last commits.
        connection.execute("SET session_replication_role = replica")
        connection.execute("SET synchronous_commit = off")
        for first in range(have + 1, want + 1, FILL_STEP):
            last = min(first + FILL_STEP - 1, want)
            connection.execute(
                "INSERT INTO bank_entries (id, bank_id, source, labels, note, extra, added_by,"
                " added_at, enabled, updated_at) SELECT i, %s, 'node-memory', '[]', '', '{}',"
                " 'benchmark', now(), true, now() FROM generate_series(%s::bigint, %s) i",
                (bank_id, first, last),
            )
            connection.execute(
                "INSERT INTO entry_signals (id, entry_id, signal_type, value, created_at)"
                " SELECT i, i, 'pdq', CASE WHEN i = 1 THEN %s"
                " ELSE md5(i::text) || md5((-i)::text) END, now()"
                " FROM generate_series(%s::bigint, %s) i",
                (BRIDGE_PDQ, first, last),
            )
            print(f"  filled {last:,} rows ({time.perf_counter() - started:.0f} s)", flush=True)
        connection.execute("SELECT setval('bank_entries_id_seq', %s)", (want,))
        connection.execute("SELECT setval('entry_signals_id_seq', %s)", (want,))
        connection.execute("VACUUM ANALYZE bank_entries")
        connection.execute("VACUUM ANALYZE entry_signals")
    return time.perf_counter() - started


def table_bytes(url: str) -> dict[str, int]:
    """``pg_total_relation_size`` of the bank tables, and the whole database's size."""
    with psycopg.connect(url) as connection:
        sizes: dict[str, int] = {}
        for table in ("entry_signals", "bank_entries"):
            row = connection.execute("SELECT pg_total_relation_size(%s)", (table,)).fetchone()
            sizes[table] = int(row[0]) if row else 0
        row = connection.execute("SELECT pg_database_size(current_database())").fetchone()
        sizes["database"] = int(row[0]) if row else 0
    return sizes


def create_bank(env: dict[str, str], url: str) -> int:
    """Migrate the database and create the bank through the CLI; the bank's id."""
    for command in (["db", "upgrade"], ["bank", "create", "NODE_MEMORY"]):
        done = subprocess.run(
            [sys.executable, "-m", "accord", *command],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            sys.exit(f"accord {' '.join(command)} failed:\n{done.stderr}")
    with psycopg.connect(url) as connection:
        row = connection.execute("SELECT id FROM banks WHERE name = 'NODE_MEMORY'").fetchone()
    if row is None:
        sys.exit("the bank was not created")
    return int(row[0])


# Processes -------------------------------------------------------------------------------


def status_kib(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in KiB; empty once it has ended."""
    fields: dict[str, int] = {}
    try:
        with Path(f"/proc/{pid}/status").open() as status:
            for line in status:
                key, _, value = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    fields[key] = int(value.split()[0])
    except OSError:
        pass
    return fields


def cpu_seconds(pid: int) -> float:
    """User and system CPU time a process has used: less noisy than wall time on a
    shared machine (PostgreSQL's own work is not in it)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children_of(pid: int) -> list[int]:
    """Every process descended from ``pid`` (decode workers, their forkserver)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # The command name, in parentheses, may hold spaces: the fields follow its end.
        parents[int(entry.name)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    found, pending = [], [pid]
    while pending:
        parent = pending.pop()
        kids = [child for child, of in parents.items() if of == parent]
        found += kids
        pending += kids
    return found


def available_bytes() -> int:
    with Path("/proc/meminfo").open() as info:
        for line in info:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) * 1024
    return 0


@dataclass
class MemoryGuard:
    """Kills the server should the machine run short of memory (others share it)."""

    pid: int
    killed: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)

    @contextmanager
    def watching(self) -> Iterator[MemoryGuard]:
        thread = threading.Thread(target=self._watch, name="memory-guard", daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.2):
            if available_bytes() < MEMORY_FLOOR:
                self.killed = True
                os.killpg(self.pid, signal.SIGKILL)  # its own session: only this server
                return


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    log: Path
    started: float


@contextmanager
def serving(env: dict[str, str], folder: Path, label: str) -> Iterator[Server]:
    """``accord serve`` with one process, stopped when the block ends."""
    port = free_port()
    log = folder / f"server-{label}.log"
    with log.open("wb") as output:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "accord", "serve", "--port", str(port), "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the memory guard
        )
    try:
        yield Server(process, f"http://127.0.0.1:{port}", log, started)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def wait_ready(server: Server, guard: MemoryGuard) -> tuple[float, dict[str, Any]]:
    """Seconds from start until ``/readyz`` answers 200, and its index figures."""
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    with httpx.Client(timeout=5) as http:
        while server.process.poll() is None and time.monotonic() < deadline:
            try:
                response = http.get(f"{server.base}/readyz")
                if response.status_code == HTTP_OK:
                    indexes: dict[str, Any] = response.json()["indexes"]
                    return time.perf_counter() - server.started, indexes
            except httpx.HTTPError:
                pass  # not listening yet, or still building its indices
            time.sleep(POLL_SECONDS)  # the server offers no readiness event to wait on
    reason = "was killed: the machine ran short of memory" if guard.killed else "never got ready"
    sys.exit(f"the server {reason}:\n{server.log.read_text()[-3000:]}")


def wait_snapshot(index_dir: Path, server: Server) -> tuple[float, Path]:
    """Seconds from start until the syncer's first snapshot folder is complete."""
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    while server.process.poll() is None and time.monotonic() < deadline:
        # A snapshot is written in a dot-folder and renamed whole when complete.
        done = sorted(index_dir.glob("snapshot-*")) if index_dir.is_dir() else []
        if done:
            return time.perf_counter() - server.started, done[-1]
        time.sleep(POLL_SECONDS)  # nothing to wait on but the folder
    sys.exit(f"no snapshot was written:\n{server.log.read_text()[-3000:]}")


def folder_bytes(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


# Lookups ---------------------------------------------------------------------------------


def latency(base: str, requests: int, *, jpeg: bytes | None) -> dict[str, float]:
    """p50/p99 of ``POST /v1/match``, one request after another; each must match."""
    url = f"{base}/v1/match"
    if jpeg is None:
        body = json.dumps({"signals": {"pdq": NEAR_PDQ}}).encode()
        headers = {"content-type": "application/json"}
    else:
        body, headers = jpeg, {"content-type": "image/jpeg"}
    seconds: list[float] = []
    with httpx.Client(timeout=60) as http:
        for turn in range(WARM_UP_REQUESTS + requests):
            started = time.perf_counter()
            response = http.post(url, content=body, headers=headers)
            took = time.perf_counter() - started
            if response.status_code != HTTP_OK or response.json().get("matched") is not True:
                sys.exit(f"lookup failed ({response.status_code}): {response.text[:500]}")
            if turn >= WARM_UP_REQUESTS:
                seconds.append(took)
    p50, p99 = np.percentile(np.array(seconds) * 1000, [50, 99])
    return {"p50_ms": round(float(p50), 2), "p99_ms": round(float(p99), 2)}


# One size --------------------------------------------------------------------------------


@dataclass
class Point:
    """Every figure at one bank size (memory in KiB)."""

    hashes: int
    fill_seconds: float
    table_bytes: dict[str, int]
    indexed_pdq: int = 0
    # Started with no snapshot: every signal read from the database feed.
    cold_ready_seconds: float = 0.0
    cold_ready_cpu_seconds: float = 0.0
    cold_snapshot_seconds: float = 0.0
    snapshot_bytes: int = 0
    #: VmHWM and VmRSS once its snapshot is written: the peak of reading and saving.
    cold_peak_kib: int = 0
    cold_resident_kib: int = 0
    # Started from that snapshot.
    warm_ready_seconds: float = 0.0
    warm_ready_cpu_seconds: float = 0.0
    warm_peak_kib: int = 0
    warm_ready_kib: int = 0
    #: VmRSS after the lookups: what a serving node holds.
    steady_kib: int = 0
    #: VmRSS of the server's child processes then (decode workers: none expected).
    children_kib: int = 0
    signals_lookup: dict[str, float] = field(default_factory=dict)
    jpeg_lookup: dict[str, float] = field(default_factory=dict)
    #: The machine's 1-minute load average when the start from the feed was ready.
    load_average: float = 0.0


def measure(point: Point, env: dict[str, str], folder: Path, args: argparse.Namespace) -> None:
    index_dir = Path(env["ACCORD_DATA_DIR"]) / "index"
    shutil.rmtree(index_dir, ignore_errors=True)  # cold: no snapshot at all
    with (
        serving(env, folder, f"cold-{point.hashes}") as server,
        MemoryGuard(server.process.pid).watching() as guard,
    ):
        point.cold_ready_seconds, indexes = wait_ready(server, guard)
        point.cold_ready_cpu_seconds = cpu_seconds(server.process.pid)
        point.load_average = os.getloadavg()[0]
        point.indexed_pdq = int(indexes["sizes"]["pdq"])
        print(f"  cold start ready in {point.cold_ready_seconds:.1f} s", flush=True)
        point.cold_snapshot_seconds, snapshot = wait_snapshot(index_dir, server)
        memory = status_kib(server.process.pid)
        point.cold_peak_kib, point.cold_resident_kib = memory["VmHWM"], memory["VmRSS"]
        point.snapshot_bytes = folder_bytes(snapshot)
    with (
        serving(env, folder, f"warm-{point.hashes}") as server,
        MemoryGuard(server.process.pid).watching() as guard,
    ):
        point.warm_ready_seconds, indexes = wait_ready(server, guard)
        point.warm_ready_cpu_seconds = cpu_seconds(server.process.pid)
        memory = status_kib(server.process.pid)
        point.warm_peak_kib, point.warm_ready_kib = memory["VmHWM"], memory["VmRSS"]
        if int(indexes["sizes"]["pdq"]) != point.indexed_pdq:
            sys.exit(f"the snapshot held {indexes['sizes']['pdq']} PDQ hashes")
        print(f"  warm start ready in {point.warm_ready_seconds:.1f} s", flush=True)
        point.signals_lookup = latency(server.base, args.requests, jpeg=None)
        point.jpeg_lookup = latency(server.base, args.requests, jpeg=one_megapixel_jpeg())
        point.steady_kib = status_kib(server.process.pid)["VmRSS"]
        point.children_kib = sum(
            status_kib(child).get("VmRSS", 0) for child in children_of(server.process.pid)
        )


# Report ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    """One figure of the table, and how it is fitted over the sizes."""

    label: str
    unit: str  # MiB, s or ms
    value: Callable[[Point], float]
    #: The fit's polynomial degree in the number of hashes (None: not fitted). Starting
    #: from the feed is fitted with a square term: each batch of 200,000 feed rows ends
    #: with a merge that rewrites the 16 chunk tables, O(hashes held) each time.
    degree: int | None = 1


def kib_as_mib(kib: int) -> float:
    return kib / 1024


ROWS = [
    Row(
        "RSS serving (started from a snapshot, after the lookups)",
        "MiB",
        lambda p: kib_as_mib(p.steady_kib),
    ),
    Row("RSS peak, start from a snapshot", "MiB", lambda p: kib_as_mib(p.warm_peak_kib)),
    Row(
        "RSS peak, start from the feed and first snapshot",
        "MiB",
        lambda p: kib_as_mib(p.cold_peak_kib),
    ),
    Row("RSS after a start from the feed", "MiB", lambda p: kib_as_mib(p.cold_resident_kib)),
    Row("start to ready from the database feed", "s", lambda p: p.cold_ready_seconds, 2),
    Row("server CPU until then", "s", lambda p: p.cold_ready_cpu_seconds, 2),
    Row("start to first snapshot written", "s", lambda p: p.cold_snapshot_seconds, 2),
    Row("start to ready from a snapshot", "s", lambda p: p.warm_ready_seconds),
    Row("server CPU until then", "s", lambda p: p.warm_ready_cpu_seconds),
    Row("snapshot on disk", "MiB", lambda p: p.snapshot_bytes / MIB),
    Row("PostgreSQL entry_signals", "MiB", lambda p: p.table_bytes["entry_signals"] / MIB),
    Row("PostgreSQL bank_entries", "MiB", lambda p: p.table_bytes["bank_entries"] / MIB),
    Row("/v1/match p50, PDQ as JSON", "ms", lambda p: p.signals_lookup["p50_ms"]),
    Row("/v1/match p99, PDQ as JSON", "ms", lambda p: p.signals_lookup["p99_ms"]),
    Row("/v1/match p50, 1 MP JPEG", "ms", lambda p: p.jpeg_lookup["p50_ms"]),
    Row("/v1/match p99, 1 MP JPEG", "ms", lambda p: p.jpeg_lookup["p99_ms"]),
    Row("bulk load of this step's rows + VACUUM", "s", lambda p: p.fill_seconds, None),
    Row("load average (1 min) at the feed start's end", "", lambda p: p.load_average, None),
]


def fit(points: list[Point], row: Row) -> tuple[str, float] | None:
    """The fitted line or curve, described, and its value at ``EXTRAPOLATE_TO``; None
    when the row is not fitted or too few sizes were measured."""
    sizes = np.array([p.hashes for p in points], dtype=float) / 1e6  # in millions
    distinct = len(set(sizes.tolist()))
    if row.degree is None or distinct < 2:
        return None
    degree = min(row.degree, distinct - 1)
    values = np.array([row.value(p) for p in points])
    coefficients = np.polyfit(sizes, values, degree)
    at = float(np.polyval(coefficients, EXTRAPOLATE_TO / 1e6))
    if degree == 2:
        square, slope, intercept = coefficients
        return f"{intercept:,.1f} + {slope:,.3f} m + {square:,.4f} m² (m: millions)", at
    slope, intercept = coefficients
    if row.unit == "MiB":
        return f"{intercept:,.1f} MiB + {slope * MIB / 1e6:,.1f} B/hash", at
    return f"{intercept:,.1f} + {slope:,.3f} {row.unit} per million", at


def print_table(points: list[Point]) -> None:
    header = " | ".join(f"{p.hashes:,}" for p in points)
    print(f"\n| figure | {header} | fit | at {EXTRAPOLATE_TO:,} (extrapolated) |")
    print("|---|" + "---|" * (len(points) + 2))
    for row in ROWS:
        values = " | ".join(f"{row.value(p):,.1f}" for p in points)
        fitted = fit(points, row)
        described, at = fitted if fitted else ("", None)
        extrapolated = "" if at is None else f"{at:,.0f}"
        label = f"{row.label} ({row.unit})" if row.unit else row.label
        print(f"| {label} | {values} | {described} | {extrapolated} |")
    children = max(p.children_kib for p in points)
    print(f"\nchild processes of the server (decode workers): at most {children / 1024:.0f} MiB")


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda text: sorted(int(size) for size in text.split(",")),
        default=[0, 1_000_000, 10_000_000],
        help="bank sizes in random hashes, ascending (the bank grows from one to the next)",
    )
    parser.add_argument("--requests", type=int, default=300, help="timed lookups per kind")
    parser.add_argument("--admin-url", default=ADMIN_URL, help="a PostgreSQL admin database")
    return parser.parse_args()


def stop_on_terminate(_signum: int, _frame: object) -> None:
    """SIGTERM ends the run as Ctrl-C does: the server stopped, the database dropped."""
    raise KeyboardInterrupt


def main() -> None:
    args = parse_arguments()
    signal.signal(signal.SIGTERM, stop_on_terminate)
    points: list[Point] = []
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as temporary, own_database(args.admin_url) as urls:
        folder = Path(temporary)
        url, sqlalchemy_url = urls
        env = {
            **os.environ,
            "ACCORD_DATA_DIR": str(folder / "data"),
            "ACCORD_DATABASE_URL": sqlalchemy_url,
            "ACCORD_LOG_LEVEL": "WARNING",
            # Snapshot after the first sync at every size, the smallest too (the default
            # waits for 100,000 changes).
            "ACCORD_INDEX_SNAPSHOT_AFTER_CHANGES": "1",
        }
        bank_id = create_bank(env, url)
        rows = 0
        for size in args.sizes:
            print(f"{size:,} random hashes and the bridge:", flush=True)
            seconds = fill(url, bank_id, rows, size + 1)
            rows = size + 1
            point = Point(size, round(seconds, 1), table_bytes(url))
            measure(point, env, folder, args)
            points.append(point)
    total = time.perf_counter() - started
    result = {
        "part": "node-memory",
        "machine": {"cores": os.cpu_count(), "load_average_after": os.getloadavg()},
        "database": "PostgreSQL",
        "server_workers": 1,
        "requests_per_kind": args.requests,
        "seconds_total": round(total),
        "points": [asdict(point) for point in points],
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "node-memory.json").write_text(json.dumps(result, indent=2) + "\n")
    print_table(points)
    print(f"\nwhole run: {total / 60:.1f} min on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
