"""``accord serve --workers 2``: a scrape answered by either worker counts both workers'
requests (prometheus_client's multiprocess mode, in the data directory's ``metrics``)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
from prometheus_client import CollectorRegistry
from prometheus_client.multiprocess import MultiProcessCollector

from tests.integration.metrics.scraped import value
from tests.integration.serving import serve

#: A liveness bound: a busy machine is slow to start both workers and spread requests.
WAIT_SECONDS = 60.0
HEALTHZ = {"method": "GET", "route": "/healthz", "status": "2xx"}


def counted_by_each_worker(folder: Path, scratch: Path) -> dict[int, float]:
    """The ``/healthz`` requests each worker counted so far, read from its own file
    alone, by worker id."""
    counted = {}
    for values in folder.glob("counter_*.db"):
        alone = scratch / values.stem
        alone.mkdir(exist_ok=True)
        shutil.copy(values, alone / values.name)
        registry = CollectorRegistry()
        MultiProcessCollector(registry, path=str(alone))  # type: ignore[no-untyped-call]
        for family in registry.collect():
            for sample in family.samples:
                if sample.name == "accord_http_requests_total" and sample.labels == HEALTHZ:
                    counted[int(values.stem.split("_")[1])] = sample.value
    return counted


def test_a_scrape_counts_the_requests_of_every_worker(tmp_path: Path) -> None:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with serve(tmp_path / "data", arguments=("--workers", "2")) as served:
        sent = 0
        deadline = time.monotonic() + WAIT_SECONDS
        # A new connection per request: each worker accepts some of them, in time.
        while len(counted_by_each_worker(tmp_path / "data" / "metrics", scratch)) < 2:
            assert time.monotonic() < deadline, "one worker answered every request"
            for _ in range(10):
                try:
                    sent += httpx.get(f"{served.base}/healthz", timeout=30).status_code == 200
                except httpx.ConnectError:  # the socket listens once a worker has started
                    time.sleep(0.2)
        per_worker = counted_by_each_worker(tmp_path / "data" / "metrics", scratch)

        scraped = httpx.get(f"{served.base}/metrics", timeout=30)  # from this machine
        assert scraped.status_code == 200, scraped.text
    assert sum(per_worker.values()) == sent
    assert value(scraped.text, "accord_http_requests_total", **HEALTHZ) == sent
