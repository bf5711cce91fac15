"""Sharing a bank between two instances over TAXII 2.1, against HMA's file exchange.

Instance A (SQLite) holds ``--entries`` random PDQ entries; sharing the bank publishes
them (timed). A real ``accord serve`` serves A; instance B (a second SQLite database)
subscribes with ``accord exchange add`` and fetches everything with ``accord exchange
fetch`` (timed, with the peak memory of both processes). Then ``--increment`` new entries
join A and B fetches again: the incremental fetch must not rescan the collection.

The peer: the same entries through HMA's file exchange format, the way HMA users move
banks today: ``accord bank export --format hma`` on A, the file read by
python-threatexchange's own file exchange (``LocalFileSignalExchangeAPI.fetch_iter``, what
HMA's fetcher runs), and ``accord bank import --format hma`` on B.

Run: ``python benchmarks/exchange.py [--entries 1000000] [--increment 1000]``. The table
goes to stdout and ``benchmarks/results/exchange.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "benchmarks" / "results"
sys.path.insert(0, str(REPO))

from tests.integration.serving import serve  # noqa: E402

OWNER = "Benchmark Authority"
BANK = "SHARED_BENCH"
#: Entries written per statement while A is filled (not timed).
FILL_BATCH = 20_000


@dataclass(frozen=True)
class Ran:
    seconds: float
    peak_rss_mib: float
    stdout: str


def run_accord(env: dict[str, str], *args: str) -> Ran:
    """``accord ARGS``: its wall time, peak resident memory and output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-m", "accord", *args], env=env, stdout=out, stderr=err
        )
        # Reaped here, not by Popen, for the child's own resource usage.
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if process.returncode:
            sys.exit(f"accord {' '.join(args)} failed: {err.read().strip()}")
        return Ran(seconds, usage.ru_maxrss / 1024, out.read())


def peak_rss_mib(pid: int) -> float:
    """The high-water mark of a running process's resident memory."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def random_pdq(rng: random.Random) -> str:
    return f"{rng.getrandbits(256):064x}"


@contextmanager
def session_on(data: Path) -> Iterator[Any]:
    from accord.server.db.engine import make_engine, make_session_factory
    from accord.server.db.migrate import upgrade

    url = f"sqlite:///{data / 'accord.db'}"
    upgrade(url)
    engine = make_engine(url)
    try:
        with make_session_factory(engine)() as session:
            yield session
            session.commit()
    finally:
        engine.dispose()


def fill(data: Path, count: int, rng: random.Random, *, create: bool) -> float:
    """``count`` random PDQ entries into A's bank; seconds spent publishing them."""
    from accord.server.banks import service as banks
    from accord.server.banks.schemas import EntryFields, Marking

    with session_on(data) as session:
        if create:
            bank = banks.create_bank(session, BANK, owner=OWNER, marking=Marking.GREEN)
        else:
            bank = banks.get_bank(session, BANK)
        fields = EntryFields(source="benchmark", added_by="benchmark")
        publishing = 0.0
        for start in range(0, count, FILL_BATCH):
            items = [
                ({"pdq": random_pdq(rng)}, fields) for _ in range(min(FILL_BATCH, count - start))
            ]
            if create:
                banks.add_entries(session, bank, items)
            else:
                started = time.perf_counter()
                banks.add_entries(session, bank, items)
                publishing += time.perf_counter() - started
        if create:
            started = time.perf_counter()
            banks.share_bank(session, bank)
            session.flush()
            publishing = time.perf_counter() - started
        return publishing


def share_key(data: Path) -> str:
    from accord.server.auth.keys import create_key

    with session_on(data) as session:
        _, key = create_key(session, "BENCH_PARTNER", ["share"])
        return key


def environment(data: Path) -> dict[str, str]:
    return {**os.environ, "ACCORD_DATA_DIR": str(data), "ACCORD_LOG_FORMAT": "json"}


def hma_file_transfer(a: Path, b: Path, folder: Path) -> dict[str, float]:
    """The peer: A's bank out as an HMA file, read by pytx's file exchange, into B."""
    from threatexchange.exchanges.impl.file_api import (
        FileCollaborationConfig,
        LocalFileSignalExchangeAPI,
    )
    from threatexchange.signal_type.pdq.signal import PdqSignal

    exported = folder / "bank.hma"
    out = run_accord(
        environment(a), "bank", "export", BANK, "--format", "hma", "--output", str(exported)
    )
    started = time.perf_counter()
    config = FileCollaborationConfig(
        name="bench", api="local_file", enabled=True, filename=str(exported), signal_type=None
    )
    api = LocalFileSignalExchangeAPI.for_collab(config)
    read = sum(len(delta.updates) for delta in api.fetch_iter([PdqSignal], None))
    pytx_seconds = time.perf_counter() - started
    run_accord(environment(b), "bank", "create", "FROM_FILE")
    imported = run_accord(
        environment(b), "bank", "import", "FROM_FILE", str(exported), "--format", "hma"
    )
    return {
        "export_s": out.seconds,
        "pytx_fetch_s": pytx_seconds,
        "pytx_records": float(read),
        "import_s": imported.seconds,
        "import_peak_rss_mib": imported.peak_rss_mib,
        "total_s": out.seconds + pytx_seconds + imported.seconds,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--increment", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=15)
    options = parser.parse_args()
    rng = random.Random(options.seed)
    with tempfile.TemporaryDirectory(prefix="accord-exchange-bench-") as temp:
        root = Path(temp)
        a, b = root / "a", root / "b"
        a.mkdir()
        b.mkdir()
        print(f"filling A with {options.entries:,} entries ...", file=sys.stderr)
        publish_s = fill(a, options.entries, rng, create=True)
        key = share_key(a)
        results: dict[str, Any] = {
            "entries": options.entries,
            "publish_s": publish_s,
            "publish_entries_per_s": options.entries / publish_s,
        }
        with serve(a, exchange_poll_seconds="3600") as served:
            env_b = {**environment(b), "BENCH_KEY": key}
            run_accord(
                env_b,
                "exchange",
                "add",
                "FROM_A",
                "--taxii",
                f"{served.base}/taxii2/",
                "--collection",
                BANK,
                "--bank",
                "FROM_A",
                "--api-key-env",
                "BENCH_KEY",
            )
            full = run_accord(env_b, "exchange", "fetch", "FROM_A")
            results |= {
                "full_fetch_s": full.seconds,
                "full_fetch_entries_per_s": options.entries / full.seconds,
                "subscriber_peak_rss_mib": full.peak_rss_mib,
            }
            print(f"increment: {options.increment:,} new entries on A ...", file=sys.stderr)
            results["increment_publish_s"] = fill(a, options.increment, rng, create=False)
            incremental = run_accord(env_b, "exchange", "fetch", "FROM_A")
            idle = run_accord(env_b, "exchange", "fetch", "FROM_A")
            results |= {
                "incremental_fetch_s": incremental.seconds,
                # The same command with nothing new: what of it is start-up, not fetching.
                "empty_fetch_s": idle.seconds,
                "publisher_peak_rss_mib": peak_rss_mib(served.pid),
            }
        results["hma_file"] = hma_file_transfer(a, b, root)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "exchange.json").write_text(json.dumps(results, indent=2) + "\n")
    print_table(results, options.increment)


def print_table(results: dict[str, Any], increment: int) -> None:
    hma = results["hma_file"]
    entries = results["entries"]
    rows = [
        ("publish (share the bank)", results["publish_s"], entries),
        ("TAXII full fetch, A to B", results["full_fetch_s"], entries),
        ("HMA file: export, pytx, import", hma["total_s"], entries),
        (f"incremental fetch of {increment:,}", results["incremental_fetch_s"], increment),
        ("fetch with nothing new", results["empty_fetch_s"], 0),
    ]
    print(f"{entries:,} PDQ entries")
    for name, seconds, count in rows:
        rate = f"{count / seconds:>10,.0f} entries/s" if count else ""
        print(f"{name:<34}{seconds:>9.2f} s {rate}")
    ratio = results["full_fetch_s"] / hma["total_s"]
    print(f"TAXII fetch time / HMA file time: {ratio:.2f}")
    print(
        f"peak RSS (MiB): publisher {results['publisher_peak_rss_mib']:.0f}, "
        f"subscriber {results['subscriber_peak_rss_mib']:.0f}, "
        f"HMA import {hma['import_peak_rss_mib']:.0f}"
    )


if __name__ == "__main__":
    main()
