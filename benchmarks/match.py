"""Matching benchmarks: accord against python-threatexchange, in the same run.

    .venv/bin/python benchmarks/match.py --part index [--sizes 1000000,10000000]

Part ``index``: accord's ``PdqIndex`` next to python-threatexchange's ``PDQIndex`` (the
FAISS ``IndexBinaryMultiHash`` that HMA uses) at each size, on the same hashes: random
PDQ hashes plus, around each planted query, two stored near-duplicates at known distances
0..31 (half of them with the flipped bits spread over all 16 chunks, the hardest case for
multi-index hashing) and one at 32..40 that must not be returned at threshold 31.

Per implementation and size, in a subprocess of its own (so that its peak memory is its
own): build time from ``(id, hex)`` pairs; adding 10,000 hashes (accord: ``add`` on the
built index; HMA has no incremental path, it rebuilds the whole index, so the peer's
figure is a full build of the larger set, and pytx's own ``add_all`` is shown beside it);
single-query latency (wall and CPU time, p50/p99) through each library's query call
taking a hex string; recall of the planted neighbours; answers beyond 31; memory per
stored hash (resident memory after the build, and the build's peak, minus the
subprocess's baseline, after ``gc.collect()`` and ``malloc_trim(0)`` as HMA does after a
build); for accord also the time to load the saved index in a fresh process, that
process's whole peak memory (the matcher's budget) and its latency. A peer that dies or passes
``--peer-memory-gb`` is recorded as such. Results go to
benchmarks/results/match-<part>.json.
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Single-threaded libraries, as a query is served: FAISS would otherwise start OpenMP.
os.environ.update(OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")

import numpy as np
from numpy.typing import NDArray

RESULTS = Path(__file__).resolve().parent / "results"
THRESHOLD = 31
ADDED = 10_000
#: Stored neighbours per planted query: two within the threshold, one beyond it.
NEAR_PER_QUERY, FAR_PER_QUERY = 2, 1
FAR_DISTANCES = (32, 40)
IMPLEMENTATIONS = ("accord", "pytx")

Json = dict[str, Any]


# Workload --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Queries:
    """The queries (hex) and, per query, the planted ids within 31 (with their distance)
    and beyond it."""

    values: list[str]
    near: list[dict[int, int]]
    far: list[set[int]]

    def to_json(self) -> Json:
        near = [{str(item): d for item, d in n.items()} for n in self.near]
        return {"values": self.values, "near": near, "far": [sorted(f) for f in self.far]}

    @classmethod
    def from_json(cls, data: Json) -> Queries:
        near = [{int(item): d for item, d in n.items()} for n in data["near"]]
        return cls(data["values"], near, [set(f) for f in data["far"]])


@dataclass(frozen=True)
class Workload:
    """The stored hashes, the 10,000 added later, and the queries."""

    codes: NDArray[np.uint8]  # (size, 32); row i has id i
    added: NDArray[np.uint8]  # (ADDED, 32); row i has id size + i
    queries: Queries


def flip(
    code: NDArray[np.uint8], distance: int, rng: np.random.Generator, *, spread: bool
) -> NDArray[np.uint8]:
    """``code`` with exactly ``distance`` bits flipped (dealt over the chunks if ``spread``)."""
    if spread:
        chunk = np.arange(distance) % 16
        bits = np.concatenate(
            [c * 16 + rng.permutation(16)[: (chunk == c).sum()] for c in range(16)]
        )
    else:
        bits = rng.choice(256, size=distance, replace=False)
    unpacked = np.unpackbits(code)
    unpacked[bits] ^= 1
    return np.packbits(unpacked)


def workload(size: int, queries: int, seed: int) -> Workload:
    """The same data in every subprocess: everything derives from ``seed``."""
    rng = np.random.default_rng(seed)
    codes = rng.integers(0, 256, size=(size, 32), dtype=np.uint8)
    added = rng.integers(0, 256, size=(ADDED, 32), dtype=np.uint8)
    planted = (queries * 2) // 3
    query_codes = rng.integers(0, 256, size=(queries, 32), dtype=np.uint8)
    rows = rng.choice(size, size=planted * (NEAR_PER_QUERY + FAR_PER_QUERY), replace=False)
    near: list[dict[int, int]] = [{} for _ in range(queries)]
    far: list[set[int]] = [set() for _ in range(queries)]
    slots = iter(rows.tolist())
    for query in range(planted):
        for copy in range(NEAR_PER_QUERY):
            distance = (query * NEAR_PER_QUERY + copy) % (THRESHOLD + 1)  # every 0..31
            row = next(slots)
            codes[row] = flip(query_codes[query], distance, rng, spread=copy == 1)
            near[query][row] = distance
        for _ in range(FAR_PER_QUERY):
            row = next(slots)
            distance = int(rng.integers(FAR_DISTANCES[0], FAR_DISTANCES[1] + 1))
            codes[row] = flip(query_codes[query], distance, rng, spread=True)
            far[query].add(row)
    # The added hashes hold a neighbour of the first 100 queries: they must be found too.
    for query in range(min(100, planted)):
        added[query] = flip(query_codes[query], 20, rng, spread=True)
        near[query][size + query] = 20
    order = rng.permutation(queries)  # planted and random queries interleaved
    values = hex_values(query_codes[order])
    return Workload(
        codes, added, Queries(values, [near[i] for i in order], [far[i] for i in order])
    )


def hex_values(codes: NDArray[np.uint8]) -> list[str]:
    """Codes as 64-hex strings, a million at a time (bounded temporaries)."""
    values: list[str] = []
    for start in range(0, len(codes), 1 << 20):
        text = codes[start : start + (1 << 20)].tobytes().hex()
        values.extend(text[i : i + 64] for i in range(0, len(text), 64))
    return values


# Measuring -------------------------------------------------------------------------------


def memory_kb() -> dict[str, int]:
    """This process's resident memory now (VmRSS) and at its peak (VmHWM), in KiB."""
    fields = {}
    for line in Path("/proc/self/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def reset_peak() -> None:
    """Make VmHWM start again from the current resident size (Linux >= 4.0)."""
    Path("/proc/self/clear_refs").write_text("5")


def trim_memory() -> None:
    """Hand freed memory back to the system, as HMA does after each index build."""
    gc.collect()
    ctypes.CDLL("libc.so.6").malloc_trim(0)


def percentiles(samples_ns: list[int]) -> dict[str, float]:
    values = np.array(samples_ns) / 1e6
    p50, p99 = np.percentile(values, [50, 99])
    return {"p50_ms": float(p50), "p99_ms": float(p99), "max_ms": float(values.max())}


Query = Callable[[str], list[tuple[int, int]]]


def run_queries(query: Query, queries: Queries) -> Json:
    """Latency of each query (wall and CPU) and what the answers got right."""
    values = queries.values
    for value in values[:50]:  # warm caches and lazy imports
        query(value)
    wall: list[int] = []
    cpu: list[int] = []
    found = missed = wrong_distance = far_returned = beyond = 0
    for value, near, far in zip(values, queries.near, queries.far, strict=True):
        started, started_cpu = time.perf_counter_ns(), time.thread_time_ns()
        hits = query(value)
        cpu.append(time.thread_time_ns() - started_cpu)
        wall.append(time.perf_counter_ns() - started)
        answer = dict(hits)
        found += sum(item in answer for item in near)
        missed += sum(item not in answer for item in near)
        wrong_distance += sum(answer[item] != d for item, d in near.items() if item in answer)
        far_returned += sum(item in answer for item in far)
        beyond += sum(distance > THRESHOLD for distance in answer.values())
    return {
        "queries": len(values),
        "wall": percentiles(wall),
        "cpu": percentiles(cpu),
        "planted_within_31": found + missed,
        "recall": found / max(1, found + missed),
        "wrong_distances": wrong_distance,
        "planted_beyond_31_returned": far_returned,
        "answers_beyond_31": beyond,
    }


def per_hash(kib: float, count: int) -> float:
    return kib * 1024 / count


# Workers: one implementation and size per subprocess -----------------------------------------


def accord_worker(args: argparse.Namespace) -> Json:
    from accord.index.pdq import PdqIndex

    reset_peak()
    baseline = memory_kb()["VmRSS"]
    data = workload(args.size, args.queries, args.seed)
    items = list(enumerate(hex_values(data.codes)))
    extra = list(enumerate(hex_values(data.added), start=args.size))
    queries = data.queries
    del data  # the input is the (id, hex) pairs, as a matcher reads them
    started = time.perf_counter()
    index = PdqIndex()
    index.add(items)
    build_s = time.perf_counter() - started
    del items
    trim_memory()
    resident = memory_kb()["VmRSS"] - baseline
    started = time.perf_counter()
    index.add(extra)
    add_s = time.perf_counter() - started

    def query(value: str) -> list[tuple[int, int]]:
        return [(hit.item, int(hit.distance)) for hit in index.query(value, THRESHOLD)]

    answers = run_queries(query, queries)  # with the 10,000 still in the delta
    started = time.perf_counter()
    index.codes.merge()
    merge_s = time.perf_counter() - started
    merged = run_queries(query, queries)
    started = time.perf_counter()
    index.save(Path(args.scratch) / "index")
    save_s = time.perf_counter() - started
    (Path(args.scratch) / "queries.json").write_text(json.dumps(queries.to_json()))
    peak = memory_kb()["VmHWM"] - baseline
    return {
        "build_s": build_s,
        "add_10k_s": add_s,
        "merge_after_add_s": merge_s,
        "save_s": save_s,
        "memory_bytes_reported": index.memory_bytes(),
        "resident_bytes_per_hash": per_hash(resident, args.size),
        "peak_bytes_per_hash": per_hash(peak, args.size),
        "saved_bytes": sum(
            path.stat().st_size for path in (Path(args.scratch) / "index").iterdir()
        ),
        "queries": answers,
        "queries_after_merge": merged,
    }


def accord_load_worker(args: argparse.Namespace) -> Json:
    """A fresh process that loads the saved index, as a restarted matcher does."""
    from accord.index.pdq import PdqIndex

    queries = Queries.from_json(json.loads((Path(args.scratch) / "queries.json").read_text()))
    reset_peak()
    baseline = memory_kb()["VmRSS"]
    started = time.perf_counter()
    index = PdqIndex.load(Path(args.scratch) / "index")
    load_s = time.perf_counter() - started
    after_load = memory_kb()

    def query(value: str) -> list[tuple[int, int]]:
        return [(hit.item, int(hit.distance)) for hit in index.query(value, THRESHOLD)]

    answers = run_queries(query, queries)
    return {
        "load_s": load_s,
        "size": len(index),
        "resident_bytes_per_hash": per_hash(after_load["VmRSS"] - baseline, len(index)),
        # The whole process: Python, numpy, the index and the queries' temporaries.
        "process_peak_mib": memory_kb()["VmHWM"] / 1024,
        "queries": answers,
    }


def pytx_worker(args: argparse.Namespace) -> Json:
    from threatexchange.signal_type.pdq.pdq_index import PDQIndex

    reset_peak()
    baseline = memory_kb()["VmRSS"]
    data = workload(args.size, args.queries, args.seed)
    entries = [(value, item) for item, value in enumerate(hex_values(data.codes))]
    extra = [(value, item) for item, value in enumerate(hex_values(data.added), start=args.size)]
    queries = data.queries
    del data  # the input is the (hex, id) pairs, as HMA reads them
    started = time.perf_counter()
    index = PDQIndex.build(entries)
    build_s = time.perf_counter() - started
    trim_memory()
    resident = memory_kb()["VmRSS"] - baseline
    started = time.perf_counter()
    index.add_all(extra)  # pytx's own path; HMA does not use it
    add_all_s = time.perf_counter() - started
    index.index.dispose()
    del index
    trim_memory()
    started = time.perf_counter()
    index = PDQIndex.build(entries + extra)  # what HMA does when hashes are added
    rebuild_s = time.perf_counter() - started

    def query(value: str) -> list[tuple[int, int]]:
        return [(m.metadata, int(m.similarity_info.distance)) for m in index.query(value)]

    answers = run_queries(query, queries)
    peak = memory_kb()["VmHWM"] - baseline
    return {
        "build_s": build_s,
        "add_10k_s": rebuild_s,
        "add_10k_note": "full rebuild of size + 10,000 (HMA has no incremental path)",
        "pytx_add_all_10k_s": add_all_s,
        "resident_bytes_per_hash": per_hash(resident, args.size),
        "peak_bytes_per_hash": per_hash(peak, args.size),
        "queries": answers,
    }


WORKERS: dict[str, Callable[[argparse.Namespace], Json]] = {
    "accord": accord_worker,
    "accord-load": accord_load_worker,
    "pytx": pytx_worker,
}


def run_worker(name: str, args: argparse.Namespace, size: int, scratch: Path) -> Json:
    """Run one worker in a subprocess, killing it past the memory limit."""
    out = scratch / f"{name}-{size}.json"
    command = [sys.executable, __file__, "--worker", name, "--size", str(size)]
    command += ["--queries", str(args.queries), "--seed", str(args.seed)]
    command += ["--scratch", str(scratch), "--out", str(out)]
    limit_kib = args.peer_memory_gb * 1024 * 1024
    print(f"  {name} at {size:,}...", file=sys.stderr, flush=True)
    started = time.monotonic()
    process = subprocess.Popen(command, stderr=subprocess.PIPE, text=True)
    largest, note = 0, ""
    while process.poll() is None:
        largest = max(largest, _resident_kib(process.pid))
        if largest > limit_kib:
            process.kill()
            note = f"killed: resident memory passed {args.peer_memory_gb} GB"
        time.sleep(0.2)
    stderr = process.stderr.read() if process.stderr else ""
    if process.returncode != 0 or not out.exists():
        return {"error": note or f"exit {process.returncode}: {stderr.strip()[-600:]}"}
    result: Json = json.loads(out.read_text())
    result["wall_s"] = time.monotonic() - started
    return result


def _resident_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


# Part "index" ----------------------------------------------------------------------------


def index_part(args: argparse.Namespace) -> Json:
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder)
        for size in args.sizes:
            accord = run_worker("accord", args, size, scratch)
            loaded = run_worker("accord-load", args, size, scratch) if "error" not in accord else {}
            peer = run_worker("pytx", args, size, scratch)
            rows.append({"size": size, "accord": accord, "accord_load": loaded, "pytx": peer})
    return {"threshold": THRESHOLD, "queries": args.queries, "seed": args.seed, "sizes": rows}


def print_index(report: Json) -> None:
    header = (
        "| size | impl | build s | add 10k s | p50 ms | p99 ms | cpu p50 | cpu p99 | recall "
        "| >31 returned | B/hash | peak B/hash | load s | process MiB |"
    )
    print(header)
    print("|" + "---|" * (header.count("|") - 1))
    for row in report["sizes"]:
        for name in IMPLEMENTATIONS:
            print(_index_line(row["size"], name, row[name], row["accord_load"]))
        print(_ratio_line(row))
    print()
    for row in report["sizes"]:
        print(_notes(row))
    before, after = report["load_average_before"], report["load_average_after"]
    print(f"load average before/after: {before[0]:.2f} / {after[0]:.2f} on {report['machine']}")


def _notes(row: Json) -> str:
    """The figures that do not fit the table: merge, save, reload, pytx's add_all."""
    ours, loaded, peer = row["accord"], row["accord_load"], row["pytx"]
    lines = [f"{row['size']:,}:"]
    if "error" not in ours:
        merged = ours["queries_after_merge"]
        lines.append(
            f"  accord: merging the 10,000 into the tables {ours['merge_after_add_s']:.2f} s "
            f"(once per 16,384 adds); then p50/p99 {merged['wall']['p50_ms']:.2f}/"
            f"{merged['wall']['p99_ms']:.2f} ms (cpu {merged['cpu']['p50_ms']:.2f}/"
            f"{merged['cpu']['p99_ms']:.2f}); save {ours['save_s']:.2f} s, "
            f"{ours['saved_bytes'] / ours['memory_bytes_reported']:.2f}x memory_bytes on disk"
        )
    if loaded and "error" not in loaded:
        answers = loaded["queries"]
        lines.append(
            f"  accord reloaded: {loaded['load_s']:.2f} s, {loaded['resident_bytes_per_hash']:.0f}"
            f" B/hash, whole process peak {loaded['process_peak_mib']:.0f} MiB, p50/p99 "
            f"{answers['wall']['p50_ms']:.2f}/{answers['wall']['p99_ms']:.2f} ms (cpu "
            f"{answers['cpu']['p50_ms']:.2f}/{answers['cpu']['p99_ms']:.2f}), recall "
            f"{answers['recall']:.4f}"
        )
    if "error" not in peer:
        lines.append(
            f"  pytx: add 10k = full rebuild (HMA's path); its own add_all took "
            f"{peer['pytx_add_all_10k_s']:.2f} s (rebuilds its id map)"
        )
    return "\n".join(lines)


def _index_line(size: int, name: str, result: Json, loaded: Json) -> str:
    if "error" in result:
        return f"| {size:,} | {name} | {result['error']} |"
    answers = result["queries"]
    load = f"{loaded['load_s']:.2f}" if name == "accord" and "load_s" in loaded else "-"
    process = f"{loaded['process_peak_mib']:.0f}" if name == "accord" and loaded else "-"
    return (
        f"| {size:,} | {name} | {result['build_s']:.2f} | {result['add_10k_s']:.3f} "
        f"| {answers['wall']['p50_ms']:.2f} | {answers['wall']['p99_ms']:.2f} "
        f"| {answers['cpu']['p50_ms']:.2f} | {answers['cpu']['p99_ms']:.2f} "
        f"| {answers['recall']:.4f} "
        f"| {answers['planted_beyond_31_returned'] + answers['answers_beyond_31']} "
        f"| {result['resident_bytes_per_hash']:.0f} | {result['peak_bytes_per_hash']:.0f} "
        f"| {load} | {process} |"
    )


def _ratio_line(row: Json) -> str:
    ours, peer = row["accord"], row["pytx"]
    if "error" in ours or "error" in peer:
        return f"| {row['size']:,} | ratio | - |"
    ratio = [
        peer["build_s"] / ours["build_s"],
        peer["add_10k_s"] / ours["add_10k_s"],
        peer["queries"]["wall"]["p50_ms"] / ours["queries"]["wall"]["p50_ms"],
        peer["queries"]["wall"]["p99_ms"] / ours["queries"]["wall"]["p99_ms"],
        peer["queries"]["cpu"]["p50_ms"] / ours["queries"]["cpu"]["p50_ms"],
        peer["queries"]["cpu"]["p99_ms"] / ours["queries"]["cpu"]["p99_ms"],
    ]
    memory = peer["resident_bytes_per_hash"] / ours["resident_bytes_per_hash"]
    peak = peer["peak_bytes_per_hash"] / ours["peak_bytes_per_hash"]
    cells = " | ".join(f"{value:.1f}x" for value in ratio)
    return f"| {row['size']:,} | pytx/accord | {cells} | | | {memory:.1f}x | {peak:.1f}x | | |"


@dataclass(frozen=True)
class Part:
    run: Callable[[argparse.Namespace], Json]
    show: Callable[[Json], None]


PARTS: dict[str, Part] = {"index": Part(index_part, print_index)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=sorted(PARTS), default="index")
    parser.add_argument(
        "--sizes", type=lambda text: [int(size) for size in text.split(",")],
        default=[1_000_000, 10_000_000],
    )  # fmt: skip
    parser.add_argument("--queries", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--peer-memory-gb", type=float, default=12.0)
    # Internal: run one worker (see run_worker).
    parser.add_argument("--worker", choices=sorted(WORKERS), help=argparse.SUPPRESS)
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--scratch", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        Path(args.out).write_text(json.dumps(WORKERS[args.worker](args)))
        return
    started = time.monotonic()
    report = {
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0]},
        "load_average_before": os.getloadavg(),
        "part": args.part,
        **PARTS[args.part].run(args),
        "load_average_after": os.getloadavg(),
        "wall_s": time.monotonic() - started,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"match-{args.part}.json").write_text(json.dumps(report, indent=2))
    PARTS[args.part].show(report)


if __name__ == "__main__":
    main()
