"""Figures read from the database when Prometheus scrapes: the triage backlog, open cases,
the outboxes and the TDB backlog, and this process's indices.

They are read through the owning domains' services, at most once per ``MAX_AGE_SECONDS``
whoever scrapes (several Prometheus servers, a dashboard's refreshes), so scraping cannot
load the database. Each is a fact of the whole node, so in multiprocess mode it comes
from the process that answers the scrape only, never summed over the workers.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy.exc import SQLAlchemyError

from accord.server.alerts import service as alerts
from accord.server.cases import service as cases
from accord.server.db.base import utc_now
from accord.server.matching.service import IndexStatus
from accord.server.notices import service as notices
from accord.server.outbox.engine import OutboxStats
from accord.server.runtime import Runtime
from accord.server.tdb import service as tdb

logger = logging.getLogger("accord.metrics")

#: How long figures read once answer every scrape.
MAX_AGE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class Figures:
    triage_waiting: int
    triage_oldest: datetime | None
    open_cases: dict[tuple[str, str], int]
    outboxes: list[OutboxStats]
    tdb_waiting: int
    tdb_oldest: datetime | None
    index: IndexStatus


def read_figures(runtime: Runtime) -> Figures:
    """A handful of COUNT queries, in one session."""
    with runtime.sessions() as session:
        triage_waiting, triage_oldest = notices.triage_backlog(session)
        tdb_waiting, tdb_oldest = tdb.backlog(session)
        return Figures(
            triage_waiting=triage_waiting,
            triage_oldest=triage_oldest,
            open_cases=cases.open_case_counts(session),
            outboxes=alerts.outbox_counts(session),
            tdb_waiting=tdb_waiting,
            tdb_oldest=tdb_oldest,
            index=runtime.indexes.status(
                session, max_stale_seconds=runtime.settings.index_max_stale_seconds
            ),
        )


class FiguresCache:
    """The last figures read, and whether reading them failed (a failure is kept as long
    as figures are, so a database that is down is not asked again at every scrape)."""

    def __init__(self, max_age_seconds: float = MAX_AGE_SECONDS) -> None:
        self.max_age_seconds = max_age_seconds
        self._lock = threading.Lock()
        self._read_at: float | None = None
        self._figures: Figures | None = None

    def get(self, runtime: Runtime) -> Figures | None:
        """Figures at most ``max_age_seconds`` old; None when the database could not be read."""
        with self._lock:  # one scrape reads; the others wait for its figures
            now = time.monotonic()
            if self._read_at is None or now - self._read_at > self.max_age_seconds:
                self._figures = _read_or_none(runtime)
                self._read_at = now
            return self._figures


def _read_or_none(runtime: Runtime) -> Figures | None:
    try:
        return read_figures(runtime)
    except SQLAlchemyError:
        logger.exception("the figures for metrics could not be read")
        return None


class FiguresCollector(Collector):
    """The figures as gauges, for one scrape."""

    def __init__(self, figures: Figures | None) -> None:
        self.figures = figures

    def collect(self) -> Iterator[GaugeMetricFamily]:
        figures = self.figures
        yield GaugeMetricFamily(
            "accord_figures_up",
            "1 if the database answered the figures below at the last read, else 0.",
            value=int(figures is not None),
        )
        if figures is None:
            return
        now = utc_now()
        yield GaugeMetricFamily(
            "accord_triage_backlog", "Notices waiting for triage.", value=figures.triage_waiting
        )
        yield GaugeMetricFamily(
            "accord_triage_oldest_age_seconds",
            "Age of the oldest notice waiting for triage (0 when none waits).",
            value=_age(figures.triage_oldest, now),
        )
        cases_open = GaugeMetricFamily(
            "accord_cases_open",
            "Open cases, by priority band (urgent, priority, standard) and SLA state "
            "(on_time, due_soon, breached).",
            labels=["priority", "sla"],
        )
        for (band, state), count in sorted(figures.open_cases.items()):
            cases_open.add_metric([band, state], count)
        yield cases_open
        yield from _outbox_families(figures.outboxes)
        yield GaugeMetricFamily(
            "accord_tdb_backlog",
            "Statements of reasons waiting to be sent to the DSA Transparency Database.",
            value=figures.tdb_waiting,
        )
        yield GaugeMetricFamily(
            "accord_tdb_oldest_age_seconds",
            "Age of the oldest statement waiting for the TDB (0 when none waits).",
            value=_age(figures.tdb_oldest, now),
        )
        yield from _index_families(figures.index)


def _outbox_families(outboxes: list[OutboxStats]) -> Iterator[GaugeMetricFamily]:
    pending = GaugeMetricFamily(
        "accord_outbox_pending",
        "Outbox messages waiting to be sent, by channel.",
        labels=["channel"],
    )
    dead = GaugeMetricFamily(
        "accord_outbox_dead",
        "Outbox messages given up after their last try (dead letters), by channel.",
        labels=["channel"],
    )
    for stats in outboxes:
        pending.add_metric([stats.queue], stats.pending)
        dead.add_metric([stats.queue], stats.dead)
    yield pending
    yield dead


def _index_families(status: IndexStatus) -> Iterator[GaugeMetricFamily]:
    entries = GaugeMetricFamily(
        "accord_index_entries",
        "Signals in the answering process's in-memory index, by signal type.",
        labels=["signal_type"],
    )
    for signal_type, size in sorted(status.sizes.items()):
        entries.add_metric([signal_type], size)
    yield entries
    if status.seconds_since_sync is not None:  # absent until the first sync
        yield GaugeMetricFamily(
            "accord_index_seconds_since_sync",
            "Seconds since the answering process's indices last reached the banks' feeds.",
            value=status.seconds_since_sync,
        )
    behind = GaugeMetricFamily(
        "accord_index_behind_rows",
        "Feed rows (new signals, removals) the answering process has not applied yet.",
        labels=["feed"],
    )
    behind.add_metric(["signals"], max(0, status.head.signals - status.position.signals))
    behind.add_metric(["removals"], max(0, status.head.removals - status.position.removals))
    yield behind


def _age(oldest: datetime | None, now: datetime) -> float:
    return 0.0 if oldest is None else max(0.0, (now - oldest).total_seconds())
