"""The contract every signal index keeps.

An index maps *items* (integer ids the caller chooses; the server uses the primary key of
a stored signal) to serialized signal values of one signal type, and finds the items
within a distance of a query value. Indices change in place: ``add`` and ``remove`` never
rebuild the whole structure. They persist to a folder of ``.npy`` arrays plus one JSON
file (never pickle) and load back from it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self


@dataclass(frozen=True, slots=True)
class IndexHit:
    """One stored item near the query."""

    item: int
    #: In the signal type's own units (bits for PDQ, 100 - match % for vPDQ, BER for audio).
    distance: float
    #: What else the index learnt: matched orientation, query/target percentages, offset...
    detail: Mapping[str, Any] = field(default_factory=dict)


class SignalIndex(ABC):
    """A mutable, persistable index over the values of one signal type."""

    #: The signal type whose values this index stores.
    signal_type: ClassVar[str]
    #: True when queries may run in threads while one writer adds or removes; otherwise
    #: the owner serialises every call.
    thread_safe: ClassVar[bool] = False

    @abstractmethod
    def add(self, items: Sequence[tuple[int, str]]) -> None:
        """Store ``(item, value)`` pairs; values are already validated by their type."""

    @abstractmethod
    def remove(self, items: Iterable[int]) -> None:
        """Forget items; unknown ids are ignored."""

    @abstractmethod
    def query(self, value: str, threshold: float) -> list[IndexHit]:
        """Every live item within ``threshold`` of ``value``, nearest first."""

    @abstractmethod
    def __len__(self) -> int:
        """How many live items the index holds."""

    @abstractmethod
    def memory_bytes(self) -> int:
        """An estimate of the memory the index's arrays occupy."""

    @abstractmethod
    def save(self, folder: Path) -> None:
        """Write the index into ``folder`` (created if missing), without pickle."""

    @classmethod
    @abstractmethod
    def load(cls, folder: Path) -> Self:
        """Read an index written by ``save``; raise ``IndexFormatError`` if it is unusable."""


def stats(index: SignalIndex) -> dict[str, Any]:
    """A small, JSON-ready description of an index for status endpoints."""
    return {"size": len(index), "memory_bytes": index.memory_bytes()}
