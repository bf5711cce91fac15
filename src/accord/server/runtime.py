"""The long-lived objects one app holds, built once from settings by ``create_app``."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

import anyio
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from accord.media.cost import decode_cost, picture_cost, picture_pixels
from accord.media.file import MediaFile
from accord.media.kinds import MediaKind
from accord.provenance.certificates import read_trust_anchors
from accord.server.alerts.loop import AlertLoop
from accord.server.auth.state import Guard
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.decoding import ASSESSMENT_COST_SCALE, Admissions, DecodeBudget, Lane
from accord.server.erasure.retention import RetentionJob
from accord.server.exchanges.service import ExchangeChannel, ExchangePoller, FetchLimits
from accord.server.guard.service import GuardRetention
from accord.server.guard.service import warm_up as warm_up_guard
from accord.server.mail.service import MailChannel
from accord.server.matching.indexes import IndexSet, IndexSyncer
from accord.server.outbox.loop import OutboxLoop
from accord.server.rates import open_rate_limiter
from accord.server.settings import Settings
from accord.server.storage.configured import blob_store
from accord.server.storage.store import BlobStore
from accord.server.tdb.service import TdbChannel
from accord.server.webhooks.service import WebhookChannel
from accord.signals.sandbox import DecodePool


class LookupQueue:
    """Admits this process's lookups in arrival order, one line per decoding lane, each
    ``slots[lane]`` at a time.

    Lookups are CPU-bound: more at once than there are cores only makes them share the
    GIL, and a worker thread per waiting request lets a late one overtake an early one.
    A FIFO queue keeps the tail of the latency close to its median. A line per lane keeps
    picture lookups from queueing behind videos.
    """

    def __init__(self, slots: Mapping[Lane, int]) -> None:
        self.slots = dict(slots)
        self._limiters: dict[Lane, anyio.CapacityLimiter] = {}

    def limiter(self, lane: Lane = Lane.PICTURES) -> anyio.CapacityLimiter:
        # Created on first use, inside the event loop that will run the lookups.
        if lane not in self._limiters:
            self._limiters[lane] = anyio.CapacityLimiter(self.slots[lane])
        return self._limiters[lane]


@dataclass(frozen=True)
class Runtime:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    #: Where original bytes live: a folder, or S3-compatible object storage.
    blobs: BlobStore
    #: The decoding lanes and memory budget every decoded upload is admitted by.
    admissions: Admissions
    #: Worker processes that hash videos, sound and large pictures, stopped when stuck;
    #: None when ``decode_workers`` is 0 (everything is hashed in this process).
    decoder: DecodePool | None
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
    #: Erases personal data past its retention (``ACCORD_RETENTION_*``), daily.
    retention: RetentionJob
    #: Checks the alert conditions and tells the recipients, every minute.
    alerts: AlertLoop
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
        slots = {
            Lane.PICTURES: settings.picture_lane_concurrency or settings.hash_concurrency,
            Lane.HEAVY: settings.heavy_lane_concurrency,
            Lane.ASSESSMENTS: settings.assessment_lane_concurrency,
        }
        return cls(
            settings=settings,
            engine=engine,
            sessions=sessions,
            blobs=blob_store(settings),
            admissions=Admissions(
                DecodeBudget(settings.decode_memory_bytes),
                slots,
                wait_seconds=settings.decode_wait_seconds,
                max_waiting=settings.decode_max_waiting,
                large_pixels=settings.sandbox_image_pixels,
                shared_lane=settings.decode_shared_lane,
            ),
            decoder=DecodePool(
                workers=settings.decode_workers,
                timeout_seconds=settings.decode_timeout_seconds,
                memory_bytes=settings.decode_worker_memory_bytes,
                image_pixels=settings.sandbox_image_pixels,
            )
            if settings.decode_workers
            else None,
            lookups=LookupQueue(slots),
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
            retention=RetentionJob(sessions, engine, settings),
            alerts=AlertLoop(
                sessions,
                settings,
                index_age=lambda session: (
                    indexes.status(
                        session, max_stale_seconds=settings.index_max_stale_seconds
                    ).seconds_since_sync
                ),
            ),
            guard=Guard.build(open_rate_limiter(settings)),
            trust_anchors=read_trust_anchors(settings.trust_anchor_files),
        )

    @contextmanager
    def decoding(
        self, media: MediaFile, *, lane: Lane | None = None, patient: bool = False
    ) -> Iterator[None]:
        """Run the block, which decodes ``media``, once admitted: in ``lane`` (by default
        the lane of the media's kind and size) with its decoding's memory
        (``decoding.Admissions``). ``patient``: background work, which waits as long as it
        takes."""
        if self.admissions.holds(media.path):
            yield  # this thread's admission already counts this file
            return
        # A picture's header is read once, for its lane and its cost.
        pixels = picture_pixels(media) if media.kind is MediaKind.IMAGE else None
        chosen = lane or self.admissions.lane_of(media.kind, pixels)
        cost = decode_cost(media) if pixels is None else picture_cost(pixels)
        if chosen is Lane.ASSESSMENTS:
            cost = round(cost * ASSESSMENT_COST_SCALE)
        with self.admissions.admitted(chosen, cost, media.path, patient=patient):
            yield

    def start(self) -> None:
        """Start background work: keeping the indices current, sending the outboxes,
        fetching the exchanges, purging the generation gate's expired decisions."""
        self.index_syncer.start()
        for outbox in self.outboxes:
            outbox.start()
        self.exchange_poller.start()
        self.guard_retention.start()
        self.retention.start()
        self.alerts.start()
        # Beside the first requests, not before them: one that needs it waits for it.
        threading.Thread(
            target=warm_up_guard, args=(self.settings,), name="guard-warm-up", daemon=True
        ).start()

    def close(self) -> None:
        self.alerts.stop()
        self.retention.stop()
        self.guard_retention.stop()
        self.exchange_poller.stop()
        for outbox in reversed(self.outboxes):
            outbox.stop()
        self.index_syncer.stop()
        self.engine.dispose()
        self.guard.buckets.close()
        if self.decoder is not None:
            self.decoder.close()
