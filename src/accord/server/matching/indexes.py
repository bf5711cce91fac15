"""One process's in-memory indices over every bank signal, kept current from the database.

The database is the source of truth. Each process follows two append-only feeds (new
``entry_signals`` rows, new ``signal_removals`` rows) from where its indices stand, so a
change made anywhere reaches every process within one sync interval and nothing is ever
rebuilt from scratch. Snapshots on disk (``.npy`` + JSON, one folder per signal type) let
a new process start from a recent state instead of replaying the feeds.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from accord.errors import IndexFormatError
from accord.index.base import IndexHit, SignalIndex
from accord.index.registry import index_classes
from accord.server.background import BackgroundLoop
from accord.server.banks.service import feed_heads, removals_after, signals_after
from accord.server.matching.bank_rules import BankRules, read_bank_rules

logger = logging.getLogger("accord.index")

SNAPSHOT_FORMAT = 1
_SNAPSHOT_PREFIX = "snapshot-"
#: Feed rows read per round trip; bounds memory and how long one write lock is held.
FEED_BATCH = 200_000


@dataclass(frozen=True, slots=True)
class FeedPosition:
    """How far this process has read each feed (the last id applied)."""

    signals: int = 0
    removals: int = 0


class IndexSet:
    """Every signal type's index, with the feed position they reflect."""

    def __init__(self, indices: dict[str, SignalIndex], position: FeedPosition) -> None:
        self._indices = indices
        self._locks = {name: threading.Lock() for name in indices}
        self.position = position
        #: Wall-clock time of the last sync that reached the feeds' end (None: never).
        self.synced_at: float | None = None
        #: Every bank's matching rules, re-read by lookups at most ``rules_max_age`` apart.
        self.banks: Mapping[int, BankRules] = {}
        self.rules_max_age = 1.0
        self._banks_read_at: float | None = None
        #: Set by writers in this process (entries or banks), so the next match syncs first
        #: (read your writes).
        self.dirty = False
        self._sync_lock = threading.Lock()

    @classmethod
    def empty(cls) -> IndexSet:
        return cls(
            {name: index_cls() for name, index_cls in index_classes().items()}, FeedPosition()
        )

    def has(self, signal_type: str) -> bool:
        return signal_type in self._indices

    def size(self, signal_type: str) -> int:
        return len(self._indices[signal_type])

    def query(self, signal_type: str, value: str, threshold: float) -> list[IndexHit]:
        with self._guard(signal_type):
            return self._indices[signal_type].query(value, threshold)

    @contextmanager
    def _guard(self, signal_type: str) -> Iterator[None]:
        """Serialise access to an index that cannot take queries while it changes."""
        index = self._indices[signal_type]
        with nullcontext() if index.thread_safe else self._locks[signal_type]:
            yield

    # -- catching up with the database ---------------------------------------------------

    def sync(self, session: Session) -> int:
        """Apply every feed row ``session`` can see past our position; returns the count."""
        with self._sync_lock:
            applied = 0
            while True:
                step = self._apply_additions(session) + self._apply_removals(session)
                applied += step
                if step == 0:
                    self.synced_at = time.time()
                    return applied

    def catch_up(self, session: Session) -> None:
        """Before a lookup: sync when this process wrote to a bank or never synced, and
        re-read the banks' rules when they are older than ``rules_max_age``.

        The background syncer keeps the indices current, so lookups rarely sync themselves.
        Rules are read here, in the lookup's own session, never by the syncer: a session
        that cannot yet see a bank (or a test's transaction) must not replace them.
        """
        if self.synced_at is None or self.dirty:
            # Cleared only here: the background syncer's own session may not yet see a
            # write that a request's session (or a test's transaction) already does.
            self.dirty = False
            self.sync(session)
            self._read_banks(session)
        elif self._banks_read_at is None or (
            time.monotonic() - self._banks_read_at > self.rules_max_age
        ):
            self._read_banks(session)

    def refresh(self, session: Session) -> None:
        """Sync and re-read the banks' rules now, whatever the age of the last ones: for
        callers that must see every bank change already committed."""
        self.sync(session)
        self._read_banks(session)

    def _read_banks(self, session: Session) -> None:
        read_at = time.monotonic()
        self.banks = read_bank_rules(session)
        self._banks_read_at = read_at

    def _apply_additions(self, session: Session) -> int:
        rows = signals_after(session, self.position.signals, FEED_BATCH)
        by_type: dict[str, list[tuple[int, str]]] = {}
        last = self.position.signals
        for signal_id, signal_type, value in rows:
            by_type.setdefault(signal_type, []).append((signal_id, value))
            last = signal_id
        for signal_type, items in by_type.items():
            if signal_type not in self._indices:
                continue  # a type this version cannot index; matching falls back to nothing
            with self._guard(signal_type):
                self._indices[signal_type].add(items)
        count = sum(len(items) for items in by_type.values())
        self.position = FeedPosition(last, self.position.removals)
        return count

    def _apply_removals(self, session: Session) -> int:
        rows = removals_after(session, self.position.removals, FEED_BATCH)
        by_type: dict[str, list[int]] = {}
        last = self.position.removals
        for removal_id, signal_id, signal_type in rows:
            by_type.setdefault(signal_type, []).append(signal_id)
            last = removal_id
        for signal_type, ids in by_type.items():
            if signal_type in self._indices:
                with self._guard(signal_type):
                    self._indices[signal_type].remove(ids)
        self.position = FeedPosition(self.position.signals, last)
        return sum(len(ids) for ids in by_type.values())

    def status(self, session: Session, *, max_stale_seconds: float) -> IndexStatus:
        """Freshness for readiness checks: how far behind the feeds this process is."""
        head = FeedPosition(*feed_heads(session))
        age = None if self.synced_at is None else max(0.0, time.time() - self.synced_at)
        return IndexStatus(
            loaded=self.synced_at is not None,
            stale=age is None or age > max_stale_seconds,
            seconds_since_sync=age,
            position=self.position,
            head=head,
            sizes={name: len(index) for name, index in self._indices.items()},
        )

    # -- snapshots -------------------------------------------------------------------------

    def save(self, root: Path) -> Path:
        """Write a snapshot folder under ``root`` atomically; returns it."""
        with self._sync_lock:  # contents and position must agree
            return self._save(root)

    def _save(self, root: Path) -> Path:
        name = f"{_SNAPSHOT_PREFIX}{self.position.signals:012d}-{self.position.removals:012d}"
        final = root / name
        if final.exists():
            return final
        staging = root / f".{name}.{os.getpid()}.{threading.get_ident()}"
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for signal_type, index in self._indices.items():
            with self._guard(signal_type):
                index.save(staging / signal_type)
        state = {
            "format": SNAPSHOT_FORMAT,
            "signals": self.position.signals,
            "removals": self.position.removals,
            "types": sorted(self._indices),
        }
        (staging / "state.json").write_text(json.dumps(state))
        try:
            staging.rename(final)
        except OSError:  # another process wrote the same position first
            shutil.rmtree(staging, ignore_errors=True)
        return final

    @classmethod
    def load(cls, folder: Path) -> IndexSet:
        try:
            state = json.loads((folder / "state.json").read_text())
            version = state["format"]
            position = FeedPosition(int(state["signals"]), int(state["removals"]))
            types = {str(name) for name in state["types"]}
        except (OSError, ValueError, KeyError, TypeError) as error:
            msg = f"snapshot {folder} is unreadable: {error!r}"
            raise IndexFormatError(msg) from error
        if version != SNAPSHOT_FORMAT:
            msg = f"snapshot format {version!r} is not {SNAPSHOT_FORMAT}"
            raise IndexFormatError(msg)
        indices: dict[str, SignalIndex] = {}
        for name, index_cls in index_classes().items():
            # A type added since the snapshot was taken cannot be loaded from it.
            if name not in types:
                msg = f"snapshot {folder} predates the {name} index"
                raise IndexFormatError(msg)
            indices[name] = index_cls.load(folder / name)
        return cls(indices, position)

    @classmethod
    def load_latest(cls, root: Path) -> IndexSet:
        """The newest readable snapshot under ``root``, or an empty set."""
        for folder in sorted(snapshot_folders(root), reverse=True):
            try:
                return cls.load(folder)
            except IndexFormatError as error:
                logger.warning("skipping snapshot: %s", error.detail)
        return cls.empty()


def snapshot_folders(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return [path for path in root.iterdir() if path.name.startswith(_SNAPSHOT_PREFIX)]


def prune_snapshots(root: Path, keep: int = 2) -> None:
    for folder in sorted(snapshot_folders(root), reverse=True)[keep:]:
        shutil.rmtree(folder, ignore_errors=True)


@dataclass(frozen=True, slots=True)
class IndexStatus:
    loaded: bool
    stale: bool
    seconds_since_sync: float | None
    position: FeedPosition
    head: FeedPosition
    sizes: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "loaded": self.loaded,
            "stale": self.stale,
            "seconds_since_sync": self.seconds_since_sync,
            "behind": {
                "signals": max(0, self.head.signals - self.position.signals),
                "removals": max(0, self.head.removals - self.position.removals),
            },
            "sizes": self.sizes,
        }


class IndexSyncer(BackgroundLoop):
    """A background thread that keeps an ``IndexSet`` current and snapshots it now and then."""

    def __init__(
        self,
        index_set: IndexSet,
        sessions: sessionmaker[Session],
        *,
        snapshot_root: Path | None,
        interval_seconds: float,
        snapshot_after_changes: int = 100_000,
    ) -> None:
        super().__init__("accord-index-sync", interval_seconds)
        self.index_set = index_set
        self._sessions = sessions
        self._snapshot_root = snapshot_root
        self._snapshot_after = snapshot_after_changes
        self._unsaved = 0

    def step(self) -> None:
        """One sync round, then a snapshot if enough changed; errors are logged, not fatal."""
        try:
            with self._sessions() as session:
                self._unsaved += self.index_set.sync(session)
            if self._snapshot_root is not None and self._unsaved >= self._snapshot_after:
                self.index_set.save(self._snapshot_root)
                prune_snapshots(self._snapshot_root)
                self._unsaved = 0
        except Exception:
            logger.exception("index sync failed; retrying in %.1f s", self.interval_seconds)
