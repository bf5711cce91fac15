"""What hashing in decode workers (``accord.signals.sandbox``) costs a request.

    .venv/bin/python benchmarks/decode_sandbox.py [--requests 40] [--rounds 3]

Three apps in one process, each over its own empty SQLite instance, answer the same
requests through their full ASGI stack (Starlette's test client, one request at a time):

- ``in process``: ``ACCORD_DECODE_WORKERS=0``, every file decoded in the server's process;
- ``sandboxed``: ``ACCORD_SANDBOX_IMAGE_PIXELS=0``, every file hashed in a decode worker;
- ``default``: the shipped settings: videos, sound and pictures over 16 MP in a worker,
  smaller pictures in process.

Requests: ``POST /v1/match`` of a 1-megapixel JPEG (the edited bridge photo
``benchmarks/match_http.py`` posts), and ``POST /v1/hash`` of a 4-second video with sound
(``c2pa/video1.mp4``). Each app answers once before timing (its worker started), then the
apps take turns, request by request, ``--rounds`` x ``--requests`` times; the medians of
each and their ratio to ``in process`` are printed, and written to
benchmarks/results/decode_sandbox.json.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from PIL import Image

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus"
RESULTS = REPO / "benchmarks" / "results"
HTTP_OK = 200

CONFIGURATIONS: dict[str, dict[str, Any]] = {
    "in process": {"decode_workers": 0},
    "sandboxed": {"decode_workers": 2, "sandbox_image_pixels": 0},
    "default": {"decode_workers": 2},
}


def one_megapixel_jpeg() -> bytes:
    """The edited bridge photo scaled to about 1,000,000 pixels, as match_http.py posts."""
    with Image.open(CORPUS / "pdq" / "bridge-mods" / "high-contrast.jpg") as source:
        picture = source.convert("RGB").resize((1262, 792))
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=90)
    return buffer.getvalue()


def timed(client: TestClient, route: str, name: str, body: bytes) -> float:
    started = time.perf_counter()
    response = client.post(route, files={"file": (name, body)})
    seconds = time.perf_counter() - started
    if response.status_code != HTTP_OK:
        sys.exit(f"{route} answered {response.status_code}: {response.text}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=3)
    arguments = parser.parse_args()

    # After parsing, so --help is quick.
    from accord.server.app import create_app
    from accord.server.db.migrate import upgrade
    from accord.server.settings import Settings

    cases = {
        "match 1 MP JPEG": ("/v1/match", "photo.jpg", one_megapixel_jpeg()),
        "hash 4 s video": ("/v1/hash", "video.mp4", (CORPUS / "c2pa" / "video1.mp4").read_bytes()),
    }
    timings: dict[str, dict[str, list[float]]] = {case: {} for case in cases}
    with tempfile.TemporaryDirectory() as scratch:
        clients: dict[str, TestClient] = {}
        for label, changes in CONFIGURATIONS.items():
            settings = Settings(env="test", data_dir=Path(scratch) / label.replace(" ", "-"))
            settings.data_dir.mkdir()
            upgrade(settings.effective_database_url)
            clients[label] = TestClient(create_app(settings.model_copy(update=changes)))
            clients[label].__enter__()  # the lifespan: migrations, background work
        try:
            for case, (route, name, body) in cases.items():
                for label, client in clients.items():
                    timed(client, route, name, body)  # a worker started, caches warm
                    timings[case][label] = []
                # Request by request in turn, so a load elsewhere on the machine weighs on
                # every configuration alike.
                for _ in range(arguments.rounds * arguments.requests):
                    for label, client in clients.items():
                        timings[case][label].append(timed(client, route, name, body))
        finally:
            for client in clients.values():
                client.__exit__(None, None, None)

    report: dict[str, Any] = {}
    for case, by_label in timings.items():
        baseline = statistics.median(by_label["in process"])
        print(f"{case}: median of {len(by_label['in process'])} requests each")
        report[case] = {}
        for label, seconds in by_label.items():
            median = statistics.median(seconds)
            ratio = median / baseline
            report[case][label] = {"median_ms": median * 1000, "ratio": ratio}
            print(f"  {label:<11} {median * 1000:8.2f} ms   x{ratio:.3f}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "decode_sandbox.json").write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
