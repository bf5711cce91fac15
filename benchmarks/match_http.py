"""End-to-end ``POST /v1/match`` under concurrent load, measured with wrk on loopback.

A real ``accord serve`` (SQLite, the embedded default) holds a bank of random PDQ hashes
plus the bridge photo, filled through ``accord bank import`` (so the import is timed too).
Two loads post a 1-megapixel JPEG of an edited bridge photo (``--query file``: hash and
match; ``--upload raw`` sends it as the body, ``multipart`` in a form) or a near PDQ hash
as JSON (``--query signals``: match only); every answer must be a match:

- saturation: wrk sends the next request on each connection as soon as the last is
  answered, which measures the most requests per second the server can answer; its
  latencies only say how long the queue of ``--connections`` requests takes to drain;
- a fixed rate: hey sends ``--rate`` requests per second over the same connections, the
  way uploads arrive, and measures the latency each request gets at that load.

``--mix video`` measures what heavy uploads do to picture lookups instead: wrk's
saturation load on the JPEG alone, then the same while ``--video-clients`` clients post a
large video (generated here with PyAV: 1080p, ``--video-seconds`` long, about 50 MB for
60 s) to ``--video-route`` one after another. It runs once with every kind in its own
decoding lane (the default) and once with every kind in one lane, as before lanes
existed (``ACCORD_DECODE_SHARED_LANE``), and prints p50, p99 and req/s of each and the
loaded p99 over the unloaded (the goal: at most 2).

``--nodes`` compares two ways to spend two cores on one PostgreSQL database
(``--database-url``, made afresh and filled with the bank once): one node with two
workers (``--workers 2``, pinned to both cores with ``taskset``) under one wrk, against
two nodes of one worker each, each pinned to its own core, under two wrk at once (one
per node, half the connections each; their req/s summed, the worse p99 kept), as
several API nodes behind a proxy would run.

Run: ``python benchmarks/match_http.py [--query file|signals] [--upload raw|multipart]
[--bank-size 200000] [--seconds 20] [--rate 200] [--mix video] [--nodes]``; needs
``wrk`` and ``hey`` (Debian packages; ``make bench`` installs them; ``--mix`` and
``--nodes`` need only wrk, ``--nodes`` PostgreSQL on 127.0.0.1:5432 too).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
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

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "benchmarks" / "results"
BOUNDARY = "accordbenchboundary"
HTTP_OK = 200
BRIDGE_PDQ = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
#: The PostgreSQL server ``--nodes`` makes its database on.
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432"
#: The bridge hash with 8 bits flipped: a near, not exact, match.
NEAR_PDQ = f"{int(BRIDGE_PDQ, 16) ^ 0xFF:064x}"

# Each wrk thread runs the script in its own Lua state; done() sums their counters.
WRK_SCRIPT = """
local f = assert(io.open(os.getenv("ACCORD_BODY"), "rb"))
wrk.method = "POST"
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = os.getenv("ACCORD_CONTENT_TYPE")
unmatched = 0
local threads = {}
function setup(thread)
  table.insert(threads, thread)
end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"matched":true', 1, true) then
    unmatched = unmatched + 1
  end
end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("unmatched")
  end
  io.write(string.format("UNMATCHED %d\\n", total))
end
"""


def one_megapixel_jpeg() -> bytes:
    """An edited bridge photo scaled to about 1,000,000 pixels."""
    with Image.open(CORPUS / "pdq" / "bridge-mods" / "high-contrast.jpg") as source:
        picture = source.convert("RGB").resize((1262, 792))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def multipart_body(jpeg: bytes) -> bytes:
    return (
        (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="q.jpg"\r\n'
            "Content-Type: image/jpeg\r\n\r\n"
        ).encode()
        + jpeg
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )


def request_body(query: str, upload: str) -> tuple[bytes, str]:
    """The body wrk posts and its content type."""
    if query == "signals":
        return json.dumps({"signals": {"pdq": NEAR_PDQ}}).encode(), "application/json"
    if upload == "raw":
        return one_megapixel_jpeg(), "image/jpeg"
    return multipart_body(one_megapixel_jpeg()), f"multipart/form-data; boundary={BOUNDARY}"


def run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stderr}")
    return done.stdout


def fill_bank(data: Path, size: int, env: dict[str, str]) -> float:
    """Create the bank and import ``size`` random hashes plus the bridge; seconds taken."""
    accord = [sys.executable, "-m", "accord"]
    run([*accord, "bank", "create", "BENCH"], env)
    rng = random.Random(7)
    listing = data / "bank.txt"
    with listing.open("w") as handle:
        handle.write(f"pdq {BRIDGE_PDQ}\n")
        for _ in range(size):
            handle.write(f"pdq {rng.getrandbits(256):064x}\n")
    started = time.perf_counter()
    run([*accord, "bank", "import", "BENCH", str(listing), "--format", "hma"], env)
    return time.perf_counter() - started


def serve(
    env: dict[str, str], port: int, workers: int, *, cores: str | None = None
) -> subprocess.Popen[bytes]:
    """A ready ``accord serve`` on ``port``; only on ``cores`` (``taskset -c``) when given."""
    pinned = ["taskset", "-c", cores] if cores is not None else []
    server = subprocess.Popen(
        [
            *pinned,
            *(sys.executable, "-m", "accord", "serve"),
            *("--port", str(port), "--workers", str(workers)),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2).status_code == 200:
                return server
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    server.kill()
    sys.exit("the server did not become ready")


def cpu_ticks() -> list[int]:
    """The machine's CPU time counters (user, nice, system, idle, iowait, irq, softirq, steal)."""
    with Path("/proc/stat").open() as stat:
        return [int(value) for value in stat.readline().split()[1:9]]


def steal_share(before: list[int], after: list[int]) -> float:
    """Share of CPU time the hypervisor took for other guests: the machine's noise."""
    spent = [end - start for start, end in zip(before, after, strict=True)]
    return spent[7] / max(1, sum(spent))


def parse_wrk(output: str) -> dict[str, Any]:
    def millis(label: str) -> float:
        match = re.search(rf"^\s*{label}%?\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
        if match is None:
            return float("nan")
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    unmatched = re.search(r"UNMATCHED (\d+)", output)
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return {
        "requests_per_second": float(rate.group(1)) if rate else float("nan"),
        "p50_ms": millis("50"),
        "p90_ms": millis("90"),
        "p99_ms": millis("99"),
        "unmatched": int(unmatched.group(1)) if unmatched else None,
        "non_2xx": int(errors.group(1)) if errors else 0,
    }


def parse_hey(output: str) -> dict[str, Any]:
    def millis(percent: int) -> float:
        match = re.search(rf"^\s*{percent}% in ([\d.]+) secs", output, re.MULTILINE)
        return float(match.group(1)) * 1000 if match else float("nan")

    rate = re.search(r"Requests/sec:\s+([\d.]+)", output)
    statuses = {
        int(code): int(count)
        for code, count in re.findall(r"^\s*\[(\d+)\]\s+(\d+) responses", output, re.MULTILINE)
    }
    return {
        "requests_per_second": float(rate.group(1)) if rate else float("nan"),
        "p50_ms": millis(50),
        "p90_ms": millis(90),
        "p99_ms": millis(99),
        "non_2xx": sum(count for code, count in statuses.items() if code != HTTP_OK),
    }


def large_video(path: Path, seconds: int) -> Path:
    """1080p H.264 at 30 fps and about 7 Mbit/s: every frame changes, so every frame
    costs its bits and its decoding, as a real clip's do (60 s: about 50 MB)."""
    import av  # only the mix needs FFmpeg

    rate, width, height = 30, 1920, 1080
    rng = np.random.default_rng(5)
    tiles = [rng.integers(0, 256, (height // 8, width // 8, 3), dtype=np.uint8) for _ in range(8)]
    with av.open(str(path), "w") as out:
        stream = out.add_stream("libx264", rate=rate)
        stream.width, stream.height, stream.pix_fmt = width, height, "yuv420p"
        stream.bit_rate = 7_000_000
        stream.options = {"preset": "ultrafast"}
        for index in range(seconds * rate):
            tile = np.roll(tiles[(index // rate) % len(tiles)], index, axis=1)
            frame = np.repeat(np.repeat(tile, 8, axis=0), 8, axis=1)
            frame[::3, ::5] = (index * 7) % 256
            for packet in stream.encode(av.VideoFrame.from_ndarray(frame, format="rgb24")):
                out.mux(packet)
        for packet in stream.encode():
            out.mux(packet)
    return path


@dataclass
class VideoClients:
    """Clients that each post the video, one request after another, until stopped."""

    url: str
    video: Path
    count: int
    statuses: list[int] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _started: threading.Barrier | None = None

    @contextmanager
    def posting(self) -> Iterator[None]:
        """Every client has sent its first request when the block starts."""
        self._started = threading.Barrier(self.count + 1)
        threads = [threading.Thread(target=self._client) for _ in range(self.count)]
        for thread in threads:
            thread.start()
        self._started.wait(timeout=60)
        try:
            yield
        finally:
            self._stop.set()
            for thread in threads:
                thread.join(timeout=600)

    def _client(self) -> None:
        assert self._started is not None  # set by posting()
        first = True
        with httpx.Client(timeout=600) as http:
            while not self._stop.is_set():
                with self.video.open("rb") as body:
                    request = http.build_request(
                        "POST", self.url, content=body, headers={"content-type": "video/mp4"}
                    )
                    response = http.send(request, stream=True)
                    if first:  # the request and its body are on their way
                        first = False
                        self._started.wait(timeout=60)
                    response.read()
                    self.statuses.append(response.status_code)
                    response.close()


def wrk_figures(wrk: str, script: Path, url: str, env: dict[str, str], args: Any) -> dict[str, Any]:
    output = run(
        [
            wrk,
            "-t1",
            f"-c{args.connections}",
            f"-d{args.seconds}s",
            "--latency",
            "-s",
            str(script),
            url,
        ],
        env,
    )
    return parse_wrk(output)


def measure_mix(
    args: Any, data: Path, env: dict[str, str], *, body: Path, content_type: str, script: Path
) -> dict[str, Any]:
    """Picture lookups unloaded and beside the video clients, with lanes and without."""
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is needed: apt-get install wrk (make bench does it)")
    started = time.perf_counter()
    video = args.video or large_video(data / "large.mp4", args.video_seconds)
    print(f"video: {video.stat().st_size / 1e6:.0f} MB ({time.perf_counter() - started:.0f} s)")
    runs: dict[str, Any] = {}
    for lanes, shared in (("separate lanes", "false"), ("one shared lane", "true")):
        served = {**env, "ACCORD_DECODE_SHARED_LANE": shared}
        server = serve(served, args.port, args.workers)
        try:
            url = f"http://127.0.0.1:{args.port}/v1/match"
            load = {**served, "ACCORD_BODY": str(body), "ACCORD_CONTENT_TYPE": content_type}
            run([wrk, "-t1", "-c4", "-d3s", "-s", str(script), url], load)
            unloaded = wrk_figures(wrk, script, url, load, args)
            clients = VideoClients(
                f"http://127.0.0.1:{args.port}{args.video_route}", video, args.video_clients
            )
            with clients.posting():
                loaded = wrk_figures(wrk, script, url, load, args)
        finally:
            server.terminate()
            server.wait(timeout=60)
        runs[lanes] = {
            "unloaded": unloaded,
            "with_videos": loaded,
            "p50_ratio": loaded["p50_ms"] / unloaded["p50_ms"],
            "p99_ratio": loaded["p99_ms"] / unloaded["p99_ms"],
            "video_statuses": {
                str(code): clients.statuses.count(code) for code in set(clients.statuses)
            },
        }
    return runs


def print_mix(runs: dict[str, Any], args: Any) -> None:
    print(
        f"picture /v1/match (1 MP JPEG, {args.connections} connections, {args.seconds} s) "
        f"beside {args.video_clients} clients posting the video to {args.video_route}:"
    )
    print("| lanes | load | req/s | p50 ms | p99 ms | p50, p99 / unloaded | videos answered |")
    print("|---|---|---|---|---|---|---|")
    for lanes, figures in runs.items():
        for load in ("unloaded", "with_videos"):
            numbers = figures[load]
            loaded = load == "with_videos"
            ratios = f"{figures['p50_ratio']:.2f}, {figures['p99_ratio']:.2f}" if loaded else "1"
            videos = figures["video_statuses"] if loaded else ""
            print(
                f"| {lanes} | {load.replace('_', ' ')} | {numbers['requests_per_second']:.0f} "
                f"| {numbers['p50_ms']:.1f} | {numbers['p99_ms']:.1f} | {ratios} | {videos} |"
            )


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bank-size", type=int, default=200_000)
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--rate", type=int, default=200, help="requests per second for hey")
    parser.add_argument(
        "--query",
        choices=("file", "signals"),
        default="file",
        help="post the JPEG (hash and match) or its PDQ hash as JSON (match only)",
    )
    parser.add_argument(
        "--upload",
        choices=("raw", "multipart"),
        default="raw",
        help="send the JPEG as the whole body (image/jpeg) or in a multipart form",
    )
    parser.add_argument(
        "--mix",
        choices=("video",),
        help="measure picture lookups unloaded and beside clients posting a large video",
    )
    parser.add_argument("--video-clients", type=int, default=4)
    parser.add_argument("--video-seconds", type=int, default=60)
    parser.add_argument("--video", type=Path, help="post this video instead of making one")
    parser.add_argument("--video-route", choices=("/v1/match", "/v1/hash"), default="/v1/match")
    parser.add_argument(
        "--nodes",
        action="store_true",
        help="compare two one-worker nodes, a core each, with one two-worker node",
    )
    parser.add_argument(
        "--database-url",
        default=f"{POSTGRES}/accord_bench_nodes",
        help="for --nodes: the PostgreSQL database to make afresh and share",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    if args.mix:
        main_mix(args)
        return
    if args.nodes:
        main_nodes(args)
        return
    wrk, hey = shutil.which("wrk"), shutil.which("hey")
    if wrk is None or hey is None:
        sys.exit("wrk and hey are needed: apt-get install wrk hey (make bench does it)")
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        env = {**os.environ, "ACCORD_DATA_DIR": str(data / "accord"), "ACCORD_LOG_LEVEL": "WARNING"}
        import_seconds = fill_bank(data, args.bank_size, env)
        body = data / "body.bin"
        content, content_type = request_body(args.query, args.upload)
        body.write_bytes(content)
        script = data / "post.lua"
        script.write_text(WRK_SCRIPT)
        started = time.perf_counter()
        server = serve(env, args.port, args.workers)
        ready_seconds = time.perf_counter() - started
        try:
            url = f"http://127.0.0.1:{args.port}/v1/match"
            warm = {**env, "ACCORD_BODY": str(body), "ACCORD_CONTENT_TYPE": content_type}
            run([wrk, "-t1", "-c4", "-d3s", "-s", str(script), url], warm)
            ticks = cpu_ticks()
            output = run(
                [
                    wrk,
                    "-t1",  # one load thread: the server needs the cores
                    f"-c{args.connections}",
                    f"-d{args.seconds}s",
                    "--latency",
                    "-s",
                    str(script),
                    url,
                ],
                warm,
            )
            stolen = steal_share(ticks, cpu_ticks())
            paced = run(
                [
                    hey,
                    f"-z={args.seconds}s",
                    f"-c={args.connections}",
                    f"-q={args.rate / args.connections}",  # per connection
                    "-m=POST",
                    f"-T={content_type}",
                    f"-D={body}",
                    url,
                ],
                env,
            )
        finally:
            server.terminate()
            server.wait(timeout=30)
    figures = parse_wrk(output)
    at_rate = parse_hey(paced)
    result = {
        "part": "http",
        "machine": {
            "cores": os.cpu_count(),
            "load_average_before": os.getloadavg(),
            "cpu_steal_share": round(stolen, 3),
        },
        "query": args.query,
        "upload": args.upload if args.query == "file" else None,
        "bank_size": args.bank_size + 1,
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "import_seconds": round(import_seconds, 2),
        "start_to_ready_seconds": round(ready_seconds, 2),
        "saturation": figures,
        "at_rate": {"offered_per_second": args.rate, **at_rate},
        "goal": {"requests_per_second": 200, "p99_ms": 100},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    label = f"{args.query}-{args.upload}" if args.query == "file" else args.query
    (RESULTS / f"match-http-{label}.json").write_text(json.dumps(result, indent=2) + "\n")
    print("| query | load | bank | workers | conns | req/s | p50 ms | p90 ms | p99 ms | failed |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    loads = (
        ("saturation (wrk)", figures, figures["unmatched"]),
        (f"{args.rate}/s (hey)", at_rate, at_rate["non_2xx"]),
    )
    for load, numbers, failed in loads:
        print(
            f"| {label} | {load} | {result['bank_size']:,} | {args.workers} | {args.connections} "
            f"| {numbers['requests_per_second']:.0f} | {numbers['p50_ms']:.1f} "
            f"| {numbers['p90_ms']:.1f} | {numbers['p99_ms']:.1f} | {failed} |"
        )
    print(f"import of {args.bank_size:,} hashes: {import_seconds:.1f} s")
    print(f"start to ready: {ready_seconds:.1f} s")
    print(f"CPU time taken by the hypervisor during the run (steal): {stolen:.0%}")


def main_mix(args: Any) -> None:
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        env = {**os.environ, "ACCORD_DATA_DIR": str(data / "accord"), "ACCORD_LOG_LEVEL": "WARNING"}
        fill_bank(data, args.bank_size, env)
        body = data / "body.bin"
        content, content_type = request_body("file", "raw")
        body.write_bytes(content)
        script = data / "post.lua"
        script.write_text(WRK_SCRIPT)
        ticks = cpu_ticks()
        runs = measure_mix(args, data, env, body=body, content_type=content_type, script=script)
        stolen = steal_share(ticks, cpu_ticks())
    result = {
        "part": "http-mix-video",
        "machine": {"cores": os.cpu_count(), "cpu_steal_share": round(stolen, 3)},
        "workers": args.workers,
        "connections": args.connections,
        "seconds": args.seconds,
        "video_clients": args.video_clients,
        "video_seconds": args.video_seconds,
        "video_route": args.video_route,
        "runs": runs,
        "goal": {"p99_ratio": 2.0},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "match-http-mix-video.json").write_text(json.dumps(result, indent=2) + "\n")
    print_mix(runs, args)
    print(f"CPU time taken by the hypervisor during the run (steal): {stolen:.0%}")


def fresh_database(url: str) -> None:
    """Drop and create the database ``url`` names (on its server, as user postgres)."""
    import psycopg  # only --nodes needs PostgreSQL

    server, name = url.rsplit("/", 1)
    admin = server.replace("postgresql+psycopg://", "postgresql://") + "/postgres"
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def loads_at_once(
    wrk: str, script: Path, urls: list[str], env: dict[str, str], *, connections: int, seconds: int
) -> list[dict[str, Any]]:
    """One wrk per URL, all at once, ``connections`` shared among them."""
    each = max(1, connections // len(urls))
    command = [wrk, "-t1", f"-c{each}", f"-d{seconds}s", "--latency", "-s", str(script)]
    loads = [
        subprocess.Popen([*command, url], env=env, stdout=subprocess.PIPE, text=True)
        for url in urls
    ]
    outputs = [load.communicate()[0] for load in loads]
    if any(load.returncode != 0 for load in loads):
        sys.exit("wrk failed:\n" + "\n".join(outputs))
    return [parse_wrk(output) for output in outputs]


def main_nodes(args: Any) -> None:
    """One node with two workers against two nodes of one worker, a core each."""
    wrk = shutil.which("wrk")
    if wrk is None:
        sys.exit("wrk is needed: apt-get install wrk (make bench does it)")
    if (os.cpu_count() or 1) < 2:
        sys.exit("--nodes pins servers to cores 0 and 1: it needs two cores")
    fresh_database(args.database_url)
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder)
        shared = {**os.environ, "ACCORD_DATABASE_URL": args.database_url}
        shared["ACCORD_LOG_LEVEL"] = "WARNING"
        run([sys.executable, "-m", "accord", "db", "upgrade"], shared)
        fill_bank(data, args.bank_size, {**shared, "ACCORD_DATA_DIR": str(data / "cli")})
        body = data / "body.bin"
        content, content_type = request_body(args.query, args.upload)
        body.write_bytes(content)
        script = data / "post.lua"
        script.write_text(WRK_SCRIPT)
        load = {**shared, "ACCORD_BODY": str(body), "ACCORD_CONTENT_TYPE": content_type}
        layouts = {
            "1 node, 2 workers": [("one", "0,1", 2)],
            "2 nodes, 1 worker each": [("first", "0", 1), ("second", "1", 1)],
        }
        ticks = cpu_ticks()
        runs: dict[str, Any] = {}
        for layout, nodes in layouts.items():
            ports = [args.port + offset for offset in range(len(nodes))]
            servers = [
                serve({**shared, "ACCORD_DATA_DIR": str(data / name)}, port, workers, cores=cores)
                for (name, cores, workers), port in zip(nodes, ports, strict=True)
            ]
            try:
                urls = [f"http://127.0.0.1:{port}/v1/match" for port in ports]
                loads_at_once(wrk, script, urls, load, connections=4, seconds=3)  # warm up
                figures = loads_at_once(
                    wrk, script, urls, load, connections=args.connections, seconds=args.seconds
                )
            finally:
                for server in servers:
                    server.terminate()
                for server in servers:
                    server.wait(timeout=60)
            runs[layout] = {
                "requests_per_second": sum(each["requests_per_second"] for each in figures),
                "p99_ms": max(each["p99_ms"] for each in figures),
                "p50_ms": max(each["p50_ms"] for each in figures),
                "unmatched": sum(each["unmatched"] or 0 for each in figures),
                "per_node": figures,
            }
        stolen = steal_share(ticks, cpu_ticks())
    label = f"{args.query}-{args.upload}" if args.query == "file" else args.query
    result = {
        "part": "http-nodes",
        "machine": {
            "cores": os.cpu_count(),
            "load_average_after": os.getloadavg(),
            "cpu_steal_share": round(stolen, 3),
        },
        "query": label,
        "bank_size": args.bank_size + 1,
        "connections": args.connections,
        "seconds": args.seconds,
        "runs": runs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "match-http-nodes.json").write_text(json.dumps(result, indent=2) + "\n")
    print(
        f"/v1/match ({label}), bank of {args.bank_size + 1:,} on PostgreSQL, "
        f"{args.connections} connections in all, {args.seconds} s:"
    )
    print("| layout | req/s (sum) | p50 ms (worse) | p99 ms (worse) | unmatched |")
    print("|---|---|---|---|---|")
    for layout, figures in runs.items():
        print(
            f"| {layout} | {figures['requests_per_second']:.0f} | {figures['p50_ms']:.1f} "
            f"| {figures['p99_ms']:.1f} | {figures['unmatched']} |"
        )
    print(f"load average after: {os.getloadavg()[0]:.2f}; CPU steal: {stolen:.0%}")


if __name__ == "__main__":
    main()
