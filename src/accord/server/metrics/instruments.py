"""What accord's code counts and times, created on first use, never at import.

In multiprocess mode (``folder``) each process writes its values to files that the scrape
sums; otherwise they live in this process's own registry (``own_registry``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from accord.server.db.base import utc_now
from accord.server.metrics.folder import shared_folder

if TYPE_CHECKING:
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

#: Seconds: from a quick lookup to a long video's hashing.
_WORK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120)
#: Seconds from queueing to delivery: the first try, a few backoffs, or hours down.
_DELIVERY_BUCKETS = (1, 5, 15, 60, 300, 900, 3600, 6 * 3600, 24 * 3600)


@dataclass(frozen=True, slots=True)
class Instruments:
    #: This process's values when it counts alone; unused in multiprocess mode.
    own_registry: CollectorRegistry
    requests: Counter
    request_seconds: Histogram
    in_progress: Gauge
    problems: Counter
    hashing_seconds: Histogram
    lookups: Counter
    guard_verdicts: Counter
    delivery_seconds: Histogram


_lock = threading.Lock()
_made: list[Instruments] = []


def instruments() -> Instruments:
    """This process's instruments, made by the first caller."""
    if not _made:
        with _lock:
            if not _made:
                _made.append(_make())
    return _made[0]


def _make() -> Instruments:
    # Imported here: prometheus_client fixes its mode when first imported (``folder``).
    from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram  # noqa: PLC0415

    own = CollectorRegistry()
    # In multiprocess mode the scrape reads every process's files; registered here too,
    # this process's values would be counted twice.
    registry = None if shared_folder() else own
    return Instruments(
        own_registry=own,
        requests=Counter(
            "accord_http_requests",
            "HTTP requests answered, by method, route template and status class.",
            ["method", "route", "status"],
            registry=registry,
        ),
        request_seconds=Histogram(
            "accord_http_request_duration_seconds",
            "Time to answer an HTTP request, by method and route template.",
            ["method", "route"],
            buckets=_WORK_BUCKETS,
            registry=registry,
        ),
        in_progress=Gauge(
            "accord_http_requests_in_progress",
            "HTTP requests being answered now, over every worker.",
            multiprocess_mode="livesum",
            registry=registry,
        ),
        problems=Counter(
            "accord_http_problems",
            "Requests refused or failed, by the problem's code (media.corrupt, ...).",
            ["code"],
            registry=registry,
        ),
        hashing_seconds=Histogram(
            "accord_hashing_seconds",
            "Time to decode and hash a file, by media kind.",
            ["kind"],
            buckets=_WORK_BUCKETS,
            registry=registry,
        ),
        lookups=Counter(
            "accord_match_lookups",
            "Bank lookups, by stage (signals sent, a file's first stage, its keypoints) "
            "and result (match, no_match).",
            ["stage", "result"],
            registry=registry,
        ),
        guard_verdicts=Counter(
            "accord_guard_verdicts",
            "Generation gate decisions, by kind (prompt, output) and verdict.",
            ["kind", "verdict"],
            registry=registry,
        ),
        delivery_seconds=Histogram(
            "accord_outbox_delivery_seconds",
            "Time from queueing to delivery of an outbox message, by channel.",
            ["channel"],
            buckets=_DELIVERY_BUCKETS,
            registry=registry,
        ),
    )


def count_lookup(stage: str, found: bool) -> None:
    """A lookup of ``stage`` (signals, first, second) ended, having found a match or not."""
    result = "match" if found else "no_match"
    instruments().lookups.labels(stage=stage, result=result).inc()


def count_guard_verdict(kind: str, verdict: str) -> None:
    instruments().guard_verdicts.labels(kind=kind, verdict=verdict).inc()


def observe_delivery(channel: str, queued_at: datetime | None) -> None:
    """A message of ``channel`` queued at ``queued_at`` was delivered now."""
    if queued_at is not None:
        seconds = max(0.0, (utc_now() - queued_at).total_seconds())
        instruments().delivery_seconds.labels(channel=channel).observe(seconds)


@contextmanager
def timed_hashing(kind: str) -> Iterator[None]:
    """Time the block as the decoding and hashing of one ``kind`` of media."""
    started = time.perf_counter()
    try:
        yield
    finally:
        elapsed = time.perf_counter() - started
        instruments().hashing_seconds.labels(kind=kind).observe(elapsed)
