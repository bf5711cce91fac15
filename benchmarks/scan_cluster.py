"""``accord scan`` locally and on a Dask LocalCluster, in the same run; memory per worker
with a 1M-entry PDQ bank.

    .venv/bin/python benchmarks/scan_cluster.py [--copies 32] [--bank-size 1000000]

Throughput: the corpus pictures (JPEG, PNG, WebP; no video or audio) hard-linked
``--copies`` times into one folder (the same files again: identical hashes, identical
work) and scanned by ``accord scan`` as a user runs it, in a process of its own, against
a fresh instance with a FAKES bank holding one photo (so some files match): locally with
``--workers 1`` and ``2``, then ``--cluster local --workers 1`` and ``2``. Wall time covers
the whole command, start-up (and the cluster's) included. The fixed cost of each path is
measured apart, on one file, so the per-file overhead of the cluster path is
``(cluster-1 - local-1 - fixed difference) / files``.

Memory: a PDQ index of ``--bank-size`` random hashes built directly (loading a million rows
through the database is not what is measured), shipped to a LocalCluster of two workers as
the scan ships it (``IndexSnapshot``, scattered once), then a batch of pictures hashed and
looked up on each; the workers' peak RSS against the same with an empty bank.
Results also go to benchmarks/results/scan_cluster.json.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from accord.cli.scan_worker import IndexSnapshot, scan_batch
from accord.index.registry import index_classes
from accord.media.limits import MediaLimits
from accord.server.hashing.service import match_signal_names

CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
RESULTS = Path(__file__).resolve().parent / "results" / "scan_cluster.json"
PICTURES = (".jpg", ".jpeg", ".png", ".webp")
FAKE = CORPUS / "pdq" / "bridge-mods" / "aaa-orig.jpg"


def pictures() -> list[Path]:
    return sorted(path for path in CORPUS.rglob("*") if path.suffix.lower() in PICTURES)


def accord(*args: str | Path, env: dict[str, str]) -> float:
    """Run ``accord ARGS``; its wall time in seconds."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "accord", *map(str, args)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"accord {' '.join(map(str, args))} failed:\n{done.stderr}")
    return seconds


CONFIGS = {
    "local, --workers 1": ("--workers", "1"),
    "local, --workers 2": ("--workers", "2"),
    "LocalCluster, 1 worker": ("--cluster", "local", "--workers", "1"),
    "LocalCluster, 2 workers": ("--cluster", "local", "--workers", "2"),
}


def throughput(folder: Path, copies: int) -> dict[str, Any]:
    env = {
        **{key: value for key, value in os.environ.items() if not key.startswith("ACCORD_")},
        "ACCORD_DATA_DIR": str(folder / "data"),
        "ACCORD_MASTER_KEY": "the master key of this benchmark instance",
    }
    accord("bank", "create", "FAKES", env=env)
    accord("bank", "add", "FAKES", FAKE, env=env)
    found = pictures()
    inbox = folder / "inbox"
    for copy in range(copies):
        for number, path in enumerate(found):
            target = inbox / f"copy-{copy:03d}" / f"{number:03d}-{path.name}"
            target.parent.mkdir(parents=True, exist_ok=True)
            os.link(path, target)
    one = folder / "one.txt"
    one.write_text(f"{found[0]}\n")
    files = copies * len(found)
    rows: dict[str, Any] = {}
    for name, options in CONFIGS.items():
        fixed = accord("scan", one, "-o", folder / "one.jsonl", "--restart", *options, env=env)
        results = folder / f"{name.replace(' ', '_').replace(',', '')}.jsonl"
        seconds = accord("scan", inbox, "-o", results, *options, env=env)
        lines = results.read_text().splitlines()
        assert len(lines) == files, (name, len(lines))
        rows[name] = {
            "files": files,
            "seconds": round(seconds, 2),
            "files_per_second": round(files / seconds, 1),
            "one_file_seconds": round(fixed, 2),
        }
        print(f"  {name}: {files / seconds:.1f} files/s", file=sys.stderr)
    local, cluster = rows["local, --workers 1"], rows["LocalCluster, 1 worker"]
    start_difference = cluster["one_file_seconds"] - local["one_file_seconds"]
    overhead = (cluster["seconds"] - local["seconds"] - start_difference) / files
    return {
        "scanned": f"{len(found)} corpus pictures x {copies} hard-linked copies",
        "runs": rows,
        "cluster_start_seconds": round(start_difference, 2),
        "cluster_overhead_ms_per_file": round(overhead * 1000, 2),
    }


def memory_mib() -> dict[str, float]:
    """Run on a worker: its resident memory now and its peak (Linux's VmRSS and VmHWM;
    ``ru_maxrss`` would count the parent's memory at the fork that started it)."""
    found = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in {"VmRSS", "VmHWM"}:
            found[key] = round(int(value.split()[0]) / 1024, 1)
    return found


def worker_memory(folder: Path, bank_size: int) -> dict[str, Any]:
    from distributed import Client, LocalCluster

    rows = {}
    for label, size in (("empty bank", 0), (f"{bank_size:,} PDQ entries", bank_size)):
        started = time.perf_counter()
        index = index_classes()["pdq"]()
        batch = 100_000
        for first in range(0, size, batch):
            count = min(batch, size - first)
            index.add([(first + n, secrets.token_hex(32)) for n in range(count)])
        saved = folder / f"index-{size}"
        index.save(saved / "pdq")
        snapshot = IndexSnapshot.of_folder(saved, {"pdq": 31.0})
        built = time.perf_counter() - started
        names = match_signal_names(keypoints=False)
        items = [str(path) for path in pictures()]
        with (
            LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=2,
                threads_per_worker=1,
                host="127.0.0.1",
                dashboard_address=None,
                scheduler_kwargs={"dashboard_address": ":0"},
            ) as cluster,
            Client(cluster, set_as_default=False) as client,  # type: ignore[no-untyped-call]
        ):
            before = client.run(memory_mib)
            [shipped] = client.scatter([snapshot], broadcast=True, hash=False)
            tick = time.perf_counter()
            futures = [
                client.submit(scan_batch, shipped, items, names, MediaLimits(), None, pure=False)
                for _ in range(4)
            ]
            client.gather(futures)
            scanned = time.perf_counter() - tick
            after = client.run(memory_mib)
        rows[label] = {
            "snapshot_mib": round(sum(map(len, snapshot.files.values())) / 2**20, 1),
            "index_build_seconds": round(built, 1),
            "worker_start_rss_mib": max(found["VmRSS"] for found in before.values()),
            "worker_peak_rss_mib": sorted(found["VmHWM"] for found in after.values()),
            "files_per_second": round(4 * len(items) / scanned, 1),
        }
        print(f"  {label}: {rows[label]}", file=sys.stderr)
    return rows


def table(results: dict[str, Any]) -> str:
    lines = [
        f"Scanned: {results['throughput']['scanned']}.",
        "",
        "| run | files | seconds | files/s | one file, s |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in results["throughput"]["runs"].items():
        lines.append(
            f"| {name} | {row['files']} | {row['seconds']} | {row['files_per_second']} "
            f"| {row['one_file_seconds']} |"
        )
    lines += [
        "",
        f"Cluster path, 1 worker vs local, 1 worker: start-up "
        f"{results['throughput']['cluster_start_seconds']} s more, then "
        f"{results['throughput']['cluster_overhead_ms_per_file']} ms per file.",
        "",
        "| bank | snapshot MiB | worker RSS at start, MiB | worker peak RSS, MiB "
        "| files/s (2 workers) |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, row in results["memory"].items():
        peaks = " / ".join(str(value) for value in row["worker_peak_rss_mib"])
        lines.append(
            f"| {name} | {row['snapshot_mib']} | {row['worker_start_rss_mib']} | {peaks} "
            f"| {row['files_per_second']} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=32)
    parser.add_argument("--bank-size", type=int, default=1_000_000)
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="accord-scan-bench-") as temporary:
        folder = Path(temporary)
        results = {
            "cpus": os.cpu_count(),
            "throughput": throughput(folder, arguments.copies),
            "memory": worker_memory(folder, arguments.bank_size),
        }
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(table(results))


if __name__ == "__main__":
    main()
