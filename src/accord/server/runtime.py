"""The long-lived objects one app holds, built once from settings by ``create_app``."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.provenance.certificates import read_trust_anchors
from accord.server.auth.state import Guard
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.exchanges.service import ExchangeChannel, ExchangePoller, FetchLimits
from accord.server.guard.service import GuardRetention
from accord.server.guard.service import warm_up as warm_up_guard
from accord.server.mail.service import MailChannel
from accord.server.matching.indexes import IndexSet, IndexSyncer
from accord.server.outbox.loop import OutboxLoop
from accord.server.rates import SharedBuckets
from accord.server.settings import Settings
from accord.server.storage.blobs import FolderBlobStore
from accord.server.tdb.service import TdbChannel
from accord.server.webhooks.service import WebhookChannel


class LookupQueue:
    """Admits this process's lookups in arrival order, ``slots`` at a time.

    Lookups are CPU-bound: more at once than there are cores only makes them share the
    GIL, and a worker thread per waiting request lets a late one overtake an early one.
    A FIFO queue keeps the tail of the latency close to its median.
    """

    def __init__(self, slots: int) -> None:
        self.slots = slots
        self._limiter: anyio.CapacityLimiter | None = None

    def limiter(self) -> anyio.CapacityLimiter:
        # Created on first use, inside the event loop that will run the lookups.
        if self._limiter is None:
            self._limiter = anyio.CapacityLimiter(self.slots)
        return self._limiter


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    blobs: FolderBlobStore
    #: Bounds the files hashed at once, so concurrent uploads cannot exhaust memory.
    hash_slots: threading.BoundedSemaphore
    #: Orders ``POST /v1/match`` lookups, so each waits its turn without a thread.
    lookups: LookupQueue
    #: This process's bank indices, loaded from the latest snapshot and kept current.
    indexes: IndexSet
    index_syncer: IndexSyncer
    #: Send the outboxes: webhook messages; emails to notifiers, when SMTP is configured;
    #: statements of reasons to the DSA Transparency Database, when one is configured.
    outboxes: tuple[OutboxLoop, ...]
    #: Fetches every exchange (other instances' shared banks) every few minutes.
    exchange_poller: ExchangePoller
    #: Tallies and deletes generation-gate decisions past their retention, daily.
    guard_retention: GuardRetention
    guard: Guard
    #: PEM trust anchors from ``settings.trust_anchor_files``, read once at start.
    trust_anchors: tuple[str, ...]

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        engine = make_engine(settings.effective_database_url)
        sessions = make_session_factory(engine)
        indexes = IndexSet.load_latest(settings.index_dir)
        indexes.rules_max_age = settings.index_sync_seconds
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            blobs=FolderBlobStore(settings.blob_dir),
            hash_slots=threading.BoundedSemaphore(settings.hash_concurrency),
            lookups=LookupQueue(settings.hash_concurrency),
            indexes=indexes,
            index_syncer=IndexSyncer(
                indexes,
                sessions,
                snapshot_root=settings.index_dir,
                interval_seconds=settings.index_sync_seconds,
                snapshot_after_changes=settings.index_snapshot_after_changes,
            ),
            outboxes=tuple(
                OutboxLoop(sessions, channel, interval_seconds=settings.outbox_poll_seconds)
                for channel in (
                    WebhookChannel(settings.master_key.get_secret_value()),
                    MailChannel(settings),
                    TdbChannel(settings),
                    ExchangeChannel(settings.master_key.get_secret_value()),
                )
            ),
            exchange_poller=ExchangePoller(
                sessions,
                master_key=settings.master_key.get_secret_value(),
                limits=FetchLimits.of(settings),
                interval_seconds=settings.exchange_poll_seconds,
            ),
            guard_retention=GuardRetention(sessions, settings),
            guard=Guard.build(SharedBuckets(settings.rate_limits_file)),
            trust_anchors=read_trust_anchors(settings.trust_anchor_files),
        )

    @contextmanager
    def hashing_slot(self) -> Iterator[None]:
        with self.hash_slots:
            yield

    def start(self) -> None:
        """Start background work: keeping the indices current, sending the outboxes,
        fetching the exchanges, purging the generation gate's expired decisions."""
        self.index_syncer.start()
        for outbox in self.outboxes:
            outbox.start()
        self.exchange_poller.start()
        self.guard_retention.start()
        # Beside the first requests, not before them: one that needs it waits for it.
        threading.Thread(
            target=warm_up_guard, args=(self.settings,), name="guard-warm-up", daemon=True
        ).start()

    def close(self) -> None:
        self.guard_retention.stop()
        self.exchange_poller.stop()
        for outbox in reversed(self.outboxes):
            outbox.stop()
        self.index_syncer.stop()
        self.engine.dispose()
        self.guard.buckets.close()
