"""The client's half of a cluster scan's matching: workers looked each file's signals up in
the indices (``scan_worker``); here the matching domain's own ``match_signals`` applies
the banks' rules to what they found, with the database, exactly as a local scan does.

It runs on a copy of the runtime whose indices answer from the worker's hits: each index
type becomes a ``RecordedIndex`` holding the current file's hits. A lookup the worker did
not make, or made less far (a bank loosened since the scan began), is asked of this
process's own index, so the answer never depends on what the workers guessed.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, NoReturn, Self

from accord.index.base import IndexHit, SignalIndex

if TYPE_CHECKING:
    from accord.cli.scan_worker import Lookups
    from accord.server.matching.service import IndexSet
    from accord.server.runtime import Runtime


_READ_ONLY = "a recorded index only answers the lookups a worker made"


class ReadOnlyIndexError(TypeError):
    """A recorded index was asked to change or be saved: it only answers lookups."""


class RecordedIndex(SignalIndex):
    """One index type's hits for the file being matched, as a worker found them."""

    signal_type: ClassVar[str] = "recorded"

    def __init__(self, name: str, real: IndexSet, limit: float | None) -> None:
        self._name = name
        self._real = real
        #: How far the worker looked; None: it did not look in this index.
        self._limit = limit
        self.hits: Mapping[str, Sequence[tuple[int, float, Mapping[str, object]]]] = {}

    def query(self, value: str, threshold: float) -> list[IndexHit]:
        found = self.hits.get(value)
        if found is None or self._limit is None or threshold > self._limit:
            return self._real.query(self._name, value, threshold)
        return [
            IndexHit(item, distance, dict(detail))
            for item, distance, detail in found
            if distance <= threshold
        ]

    def __len__(self) -> int:
        return self._real.size(self._name)

    def memory_bytes(self) -> int:
        return 0

    def add(self, items: Sequence[tuple[int, str]]) -> NoReturn:  # noqa: ARG002 - read-only
        raise ReadOnlyIndexError(_READ_ONLY)

    def remove(self, items: Iterable[int]) -> NoReturn:  # noqa: ARG002 - read-only
        raise ReadOnlyIndexError(_READ_ONLY)

    def save(self, folder: Path) -> NoReturn:  # noqa: ARG002 - read-only
        raise ReadOnlyIndexError(_READ_ONLY)

    @classmethod
    def load(cls, folder: Path) -> Self:  # noqa: ARG003 - read-only
        raise ReadOnlyIndexError(_READ_ONLY)


class ReplayedLookups:
    """A copy of ``runtime`` for matching the files workers hashed and looked up."""

    def __init__(self, runtime: Runtime, limits: Mapping[str, float]) -> None:
        from accord.index.registry import index_classes  # noqa: PLC0415
        from accord.server.matching.service import IndexSet  # noqa: PLC0415

        real = runtime.indexes
        self._recorded = {
            name: RecordedIndex(name, real, limits.get(name)) for name in index_classes()
        }
        indexes = IndexSet(dict(self._recorded), real.position)
        # Synced as the real set is (the workers' snapshot); bank rules are re-read from
        # the database as often as a local scan re-reads them.
        indexes.synced_at = real.synced_at or time.time()
        indexes.rules_max_age = real.rules_max_age
        self.runtime = replace(runtime, indexes=indexes)

    def use(self, lookups: Lookups) -> None:
        """Answer from one file's lookups until the next call."""
        for name, recorded in self._recorded.items():
            recorded.hits = lookups.get(name, {})
