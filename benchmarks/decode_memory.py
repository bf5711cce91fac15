"""Peak memory of a real ``accord serve`` when many 80-megapixel pictures arrive at once.

    .venv/bin/python benchmarks/decode_memory.py [--configurations unbounded,default,small]
        [--routes hash,assess,verify] [--hash-uploads 8] [--assess-uploads 6]
        [--verify-uploads 4]

An 80-megapixel PNG of a smooth gradient (a few hundred KB, generated here) costs about
1.5 GB to decode. For each configuration, and for each route in turn, a fresh server
(SQLite in a temporary folder, a free port on 127.0.0.1) gets that many uploads of it at
once: ``POST /v1/hash``, ``POST /v1/assess`` and the public Verify page (``POST /verify``).
Meanwhile the resident memory of the server's process tree (the server, its decode
workers, their forkserver; VmRSS summed, so pages they share are counted in each) is
sampled every 20 ms, and a client posts a 1-megapixel JPEG to ``/v1/match`` one request
after another, to see whether small lookups still get through.

- ``unbounded``: as before the decoding budget: a budget of 1 TiB, every file decoded in
  the server's own process (``ACCORD_DECODE_WORKERS=0``), 8 slots in every lane;
- ``default``: the shipped settings (a budget of a quarter of the memory, at most 4 GiB;
  pictures over 16 MP hashed in decode workers);
- ``small``: the shipped settings with a budget of 2 GiB (one 80 MP picture at a time);
  not run unless named (the three took 4 to 6.5 minutes on 2 shared cores).

The uploads are scaled down (and the run says so) where the machine's free memory could
not hold them all decoding at once without a budget; should free memory fall below 2 GiB
anyway, the server is killed and the route marked aborted. Prints a table per
configuration and writes benchmarks/results/decode-memory.json.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from PIL import Image

from accord.media.cost import PICTURE_BYTES_PER_PIXEL

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "benchmarks" / "results"
GIB = 1024**3
HTTP_OK = 200
#: 80,000,000 pixels: the most ``ACCORD_MAX_PIXELS`` admits by default.
WIDTH, HEIGHT = 10_000, 8_000
SAMPLE_SECONDS = 0.02
#: The process tree is listed again every this many samples (decode workers start late).
RESCAN_EVERY = 10
#: Below this much available memory the server is killed: the machine comes first.
MEMORY_FLOOR = 2 * GIB
#: Without a budget the uploads decode at once: keep them within this much memory ...
UNBOUNDED_CEILING = 12 * GIB
#: ... and leave this much of what is available to the rest of the machine.
HEADROOM = 4 * GIB
#: Pause between two lookups of the probe: a steady trickle, not a load of its own.
PROBE_PAUSE_SECONDS = 0.2

CONFIGURATIONS: dict[str, dict[str, str]] = {
    "unbounded": {
        "ACCORD_DECODE_MEMORY_BYTES": str(1024 * GIB),
        "ACCORD_DECODE_WORKERS": "0",
        "ACCORD_HASH_CONCURRENCY": "8",
        "ACCORD_PICTURE_LANE_CONCURRENCY": "8",
        "ACCORD_HEAVY_LANE_CONCURRENCY": "8",
        "ACCORD_ASSESSMENT_LANE_CONCURRENCY": "8",
        "ACCORD_DECODE_MAX_WAITING": "64",
    },
    "default": {},
    "small": {"ACCORD_DECODE_MEMORY_BYTES": str(2 * GIB)},
}
ROUTES = {"hash": "/v1/hash", "assess": "/v1/assess", "verify": "/verify"}


def eighty_megapixel_png() -> bytes:
    """A smooth gradient: nearly every row repeats the last, so it compresses to little."""
    across = np.linspace(0, 255, WIDTH, dtype=np.float32).astype(np.uint8)
    down = np.linspace(0, 255, HEIGHT, dtype=np.float32).astype(np.uint8)[:, None]
    red = np.broadcast_to(across, (HEIGHT, WIDTH))
    green = np.broadcast_to(down, (HEIGHT, WIDTH))
    blue = ((red.astype(np.uint16) + green) // 2).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(np.dstack([red, green, blue])).save(buffer, "PNG", compress_level=9)
    return buffer.getvalue()


def one_megapixel_jpeg() -> bytes:
    """The edited bridge photo scaled to about 1,000,000 pixels, as match_http.py posts."""
    with Image.open(CORPUS / "pdq" / "bridge-mods" / "high-contrast.jpg") as source:
        picture = source.convert("RGB").resize((1262, 792))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def meminfo(field_name: str) -> int:
    """A /proc/meminfo figure in bytes."""
    with Path("/proc/meminfo").open() as info:
        for line in info:
            if line.startswith(f"{field_name}:"):
                return int(line.split()[1]) * 1024
    msg = f"/proc/meminfo has no {field_name}"
    raise LookupError(msg)


def parent_of(pid: int) -> int | None:
    """The parent's id; None once the process has ended."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name, in parentheses, may hold spaces: the fields follow its end.
    return int(stat[stat.rindex(")") + 2 :].split()[1])


def process_tree(root: int) -> list[int]:
    """``root`` and every process descended from it."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (parent := parent_of(int(entry.name))) is not None:
            children.setdefault(parent, []).append(int(entry.name))
    tree, pending = [], [root]
    while pending:
        pid = pending.pop()
        tree.append(pid)
        pending.extend(children.get(pid, []))
    return tree


def role(pid: int, root: int) -> str:
    """What a process of the server's tree is, from its command line."""
    if pid == root:
        return "server"
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return "other"
    if b"multiprocessing.forkserver" in command:
        # Decode workers are forked by the forkserver, so they share its command line.
        return "forkserver" if parent_of(pid) == root else "worker"
    return "resource tracker" if b"resource_tracker" in command else "other"


def resident_bytes(pid: int) -> int:
    try:
        with Path(f"/proc/{pid}/status").open() as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:  # ended since the tree was listed
        pass
    return 0


def tree_resident_bytes(root: int) -> int:
    return sum(resident_bytes(pid) for pid in process_tree(root))


@dataclass
class MemorySampler:
    """Samples the resident memory of a process tree until stopped; kills the tree should
    the machine run short of memory."""

    root: int
    peak: int = 0
    #: Resident bytes by role (server, worker, ...) at the peak; "workers" counts workers.
    peak_by_role: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    aborted: bool = False
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    @contextmanager
    def sampling(self) -> Iterator[MemorySampler]:
        self._thread = threading.Thread(target=self._sample, name="memory-sampler")
        self._thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            self._thread.join()

    def _sample(self) -> None:
        roles: dict[int, str] = {}
        while not self._stop.is_set():
            if self.samples % RESCAN_EVERY == 0:
                roles = {
                    pid: roles.get(pid) or role(pid, self.root) for pid in process_tree(self.root)
                }
            resident = {pid: resident_bytes(pid) for pid in roles}
            total = sum(resident.values())
            if total > self.peak:
                self.peak = total
                self.peak_by_role = {}
                for pid, used in resident.items():
                    self.peak_by_role[roles[pid]] = self.peak_by_role.get(roles[pid], 0) + used
                self.peak_by_role["workers"] = sum(1 for r in roles.values() if r == "worker")
            self.samples += 1
            if not self.aborted and meminfo("MemAvailable") < MEMORY_FLOOR:
                self.aborted = True
                os.killpg(self.root, signal.SIGKILL)  # its own session: only this server
            self._stop.wait(SAMPLE_SECONDS)


@dataclass
class Answer:
    status: int
    seconds: float
    code: str | None = None
    retry_after: str | None = None


def post_file(http: httpx.Client, url: str, name: str, body: bytes, kind: str) -> Answer:
    started = time.perf_counter()
    try:
        response = http.post(url, files={"file": (name, body, kind)})
    except httpx.HTTPError:  # the server was killed, or dropped the connection
        return Answer(0, time.perf_counter() - started, "connection failed")
    seconds = time.perf_counter() - started
    code = None
    if response.headers.get("content-type", "").startswith("application/problem+json"):
        code = response.json().get("code")
    return Answer(response.status_code, seconds, code, response.headers.get("retry-after"))


def post_at_once(url: str, body: bytes, count: int) -> list[Answer]:
    """``count`` clients post ``body`` together; their answers in the order they came."""
    answers: list[Answer] = []
    lock = threading.Lock()
    start = threading.Barrier(count)

    def client() -> None:
        with httpx.Client(timeout=600) as http:
            start.wait()
            answer = post_file(http, url, "large.png", body, "image/png")
        with lock:
            answers.append(answer)

    threads = [threading.Thread(target=client) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


@dataclass
class MatchProbe:
    """Posts the small JPEG to ``/v1/match``, one lookup after another, until stopped."""

    url: str
    jpeg: bytes
    answers: list[Answer] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    @contextmanager
    def probing(self) -> Iterator[MatchProbe]:
        thread = threading.Thread(target=self._probe, name="match-probe")
        thread.start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()

    def _probe(self) -> None:
        with httpx.Client(timeout=600) as http:
            while not self._stop.is_set():
                self.answers.append(post_file(http, self.url, "small.jpg", self.jpeg, "image/jpeg"))
                self._stop.wait(PROBE_PAUSE_SECONDS)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(env: dict[str, str], folder: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A fresh ``accord serve`` over its own SQLite in ``folder``, once it is ready."""
    port = free_port()
    log = folder / "server.log"
    with log.open("wb") as output:
        server = subprocess.Popen(
            [sys.executable, "-m", "accord", "serve", "--port", str(port)],
            env={**env, "ACCORD_DATA_DIR": str(folder / "data")},
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, for the memory guard
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while server.poll() is None and time.monotonic() < deadline:
            try:
                if httpx.get(f"{base}/readyz", timeout=2).status_code == HTTP_OK:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)  # polling a server that offers no readiness event
        else:
            sys.exit(f"the server did not become ready:\n{log.read_text()[-2000:]}")
        yield server, base
    finally:
        if server.poll() is None:
            server.terminate()
            try:
                server.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()


def latency_figures(answers: list[Answer]) -> dict[str, Any]:
    seconds = sorted(answer.seconds for answer in answers)
    statuses: dict[str, int] = {}
    for answer in answers:
        label = str(answer.status) + (f" {answer.code}" if answer.code else "")
        statuses[label] = statuses.get(label, 0) + 1
    return {
        "requests": len(answers),
        "statuses": statuses,
        "p50_seconds": round(statistics.median(seconds), 3) if seconds else None,
        "max_seconds": round(seconds[-1], 3) if seconds else None,
    }


def measure_route(
    env: dict[str, str], folder: Path, route: str, uploads: int, *, png: bytes, jpeg: bytes
) -> dict[str, Any]:
    """Peak memory, answers and lookups during ``uploads`` posts of the PNG to ``route``."""
    with serving(env, folder) as (server, base):
        probe = MatchProbe(f"{base}/v1/match", jpeg)
        with httpx.Client(timeout=60) as http:  # the first warms the lookup path
            unloaded = [post_file(http, probe.url, "s.jpg", jpeg, "image/jpeg") for _ in range(3)]
        idle = tree_resident_bytes(server.pid)
        sampler = MemorySampler(server.pid)
        started = time.perf_counter()
        with sampler.sampling(), probe.probing():
            answers = post_at_once(f"{base}{route}", png, uploads)
        wall = time.perf_counter() - started
    return {
        "uploads": uploads,
        "answers": latency_figures(answers),
        "retry_after": sorted({a.retry_after for a in answers if a.retry_after is not None}),
        "wall_seconds": round(wall, 1),
        "idle_tree_bytes": idle,
        "peak_tree_bytes": sampler.peak,
        "peak_over_idle_bytes": sampler.peak - idle,
        "at_peak_by_role": sampler.peak_by_role,
        "samples": sampler.samples,
        "aborted_for_memory": sampler.aborted,
        "match_unloaded_ms": round(min(a.seconds for a in unloaded) * 1000, 1),
        "match_during_load": latency_figures(probe.answers),
    }


def safe_uploads(wanted: dict[str, int], pixels: int) -> dict[str, int]:
    """Each route's uploads, fewer where decoding them all at once would not fit."""
    per_file = round(pixels * PICTURE_BYTES_PER_PIXEL)
    room = min(UNBOUNDED_CEILING, meminfo("MemAvailable") - HEADROOM)
    most = max(1, room // per_file)
    counts = {route: min(count, most) for route, count in wanted.items()}
    print(
        f"free memory {meminfo('MemAvailable') / GIB:.1f} GiB; an 80 MP decode is priced at "
        f"{per_file / GIB:.2f} GiB, so at most {most} at once without a budget"
    )
    for route, count in counts.items():
        if count < wanted[route]:
            print(f"  {route}: {count} uploads instead of {wanted[route]}, to stay safe")
    return counts


def gib(value: int) -> str:
    return f"{value / GIB:.2f}"


def split_at_peak(by_role: dict[str, int]) -> str:
    """The server's and its decode workers' share of the peak, in GiB."""
    workers = by_role.get("workers", 0)
    if not workers:
        return gib(by_role.get("server", 0))
    return f"{gib(by_role.get('server', 0))} + {gib(by_role.get('worker', 0))} ({workers})"


def print_table(name: str, routes: dict[str, Any]) -> None:
    print(f"\n{name}:")
    print(
        "| route | uploads | answers | p50 s | max s | peak tree GiB | over idle GiB "
        "| at peak: server + workers (count) GiB "
        "| /v1/match idle ms | /v1/match during load: answers, p50 s, max s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for route, figures in routes.items():
        answers, probe = figures["answers"], figures["match_during_load"]
        aborted = " (aborted: memory)" if figures["aborted_for_memory"] else ""
        print(
            f"| {ROUTES[route]} | {figures['uploads']} | {answers['statuses']}{aborted} "
            f"| {answers['p50_seconds']} | {answers['max_seconds']} "
            f"| {gib(figures['peak_tree_bytes'])} | {gib(figures['peak_over_idle_bytes'])} "
            f"| {split_at_peak(figures['at_peak_by_role'])} | {figures['match_unloaded_ms']} "
            f"| {probe['statuses']}, {probe['p50_seconds']}, {probe['max_seconds']} |"
        )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--configurations",
        default="unbounded,default",
        help="comma-separated, of: " + ", ".join(CONFIGURATIONS),
    )
    parser.add_argument(
        "--routes", default=",".join(ROUTES), help="comma-separated, of: " + ", ".join(ROUTES)
    )
    parser.add_argument("--hash-uploads", type=int, default=8)
    parser.add_argument("--assess-uploads", type=int, default=6)
    parser.add_argument("--verify-uploads", type=int, default=4)
    arguments = parser.parse_args()
    unknown = set(arguments.configurations.split(",")) - set(CONFIGURATIONS)
    unknown |= set(arguments.routes.split(",")) - set(ROUTES)
    if unknown:
        parser.error(f"unknown configurations: {', '.join(sorted(unknown))}")
    return arguments


def main() -> None:
    arguments = parse_arguments()
    started = time.perf_counter()
    png, jpeg = eighty_megapixel_png(), one_megapixel_jpeg()
    print(f"PNG: {WIDTH}x{HEIGHT} ({WIDTH * HEIGHT / 1e6:.0f} MP), {len(png) / 1000:.0f} KB")
    counts = {
        "hash": arguments.hash_uploads,
        "assess": arguments.assess_uploads,
        "verify": arguments.verify_uploads,
    }
    wanted = {route: counts[route] for route in arguments.routes.split(",")}
    uploads = safe_uploads(wanted, WIDTH * HEIGHT)
    base_env = {**os.environ, "ACCORD_ENV": "development", "ACCORD_LOG_LEVEL": "WARNING"}
    report: dict[str, Any] = {
        "machine": {
            "cores": os.cpu_count(),
            "memory_bytes": meminfo("MemTotal"),
            "available_at_start_bytes": meminfo("MemAvailable"),
        },
        "png": {"width": WIDTH, "height": HEIGHT, "bytes": len(png)},
        "configurations": {},
    }
    with tempfile.TemporaryDirectory() as scratch:
        for name in arguments.configurations.split(","):
            env = {**base_env, **CONFIGURATIONS[name]}
            routes: dict[str, Any] = {}
            for route, count in uploads.items():
                folder = Path(scratch) / f"{name}-{route}"
                folder.mkdir()
                routes[route] = measure_route(env, folder, ROUTES[route], count, png=png, jpeg=jpeg)
            report["configurations"][name] = {"settings": CONFIGURATIONS[name], "routes": routes}
            print_table(name, routes)
    report["run_seconds"] = round(time.perf_counter() - started, 1)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "decode-memory.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"\nrun: {report['run_seconds']:.0f} s")


if __name__ == "__main__":
    main()
