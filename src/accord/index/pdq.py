"""``PdqIndex``: stored PDQ hashes, searched by Hamming distance with exact recall.

A thin layer over ``BinaryCodeIndex`` that speaks PDQ's serialized values. Queries take a
plain PDQ hash or a ``pdq_dihedral`` value (the eight hashes of a picture's rotations and
flips): each item is then reported once, at its smallest distance over the orientations,
with the orientation that matched in ``detail["orientation"]`` (a name from
``accord.signals.pdq.DIHEDRAL_ORIENTATIONS``), so a rotated or mirrored copy finds its
original. Stored values are plain PDQ hashes; a ``pdq_dihedral`` value given to ``add``
is stored as its first, unturned hash.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from operator import itemgetter
from pathlib import Path
from typing import Self

import numpy as np
from numpy.typing import NDArray

from accord.errors import InvalidSignal
from accord.index.base import IndexHit, SignalIndex
from accord.index.binary import BinaryCodeIndex, codes_from_hex
from accord.signals.pdq import DIHEDRAL_ORIENTATIONS, PdqDihedral, validate_pdq_hex

PDQ_HEX_LENGTH = 64


class PdqIndex(SignalIndex):
    """PDQ hashes by item id; see the module docstring."""

    signal_type = "pdq"
    #: ``BinaryCodeIndex`` publishes immutable states, so lookups need no lock.
    thread_safe = True

    def __init__(self, codes: BinaryCodeIndex | None = None) -> None:
        self.codes = codes if codes is not None else BinaryCodeIndex()

    def add(self, items: Sequence[tuple[int, str]]) -> None:
        if not items:
            return
        ids = np.fromiter(map(itemgetter(0), items), dtype=np.int64, count=len(items))
        values = list(map(itemgetter(1), items))
        try:
            codes = codes_from_hex(values)
        except InvalidSignal:  # the slow path: dihedral values, odd case or spaces
            codes = codes_from_hex([_stored_hex(value) for value in values])
        self.codes.add(ids, codes)

    def remove(self, items: Iterable[int]) -> None:
        self.codes.remove(items)

    def query(self, value: str, threshold: float) -> list[IndexHit]:
        return self.query_many([value], threshold)[0]

    def query_many(self, values: Sequence[str], threshold: float) -> list[list[IndexHit]]:
        """``query`` for each value (plain or dihedral, mixed), against one snapshot."""
        if threshold < 0:
            return [[] for _ in values]
        radius = math.floor(threshold)
        orientations = [_orientations(value) for value in values]
        codes = codes_from_hex([hash_ for hashes in orientations for hash_ in hashes])
        found = iter(self.codes.search_many(codes, radius))
        return [_hits([next(found) for _ in hashes], len(hashes) > 1) for hashes in orientations]

    def __len__(self) -> int:
        return len(self.codes)

    def memory_bytes(self) -> int:
        return self.codes.memory_bytes()

    def save(self, folder: Path) -> None:
        self.codes.save(folder)

    @classmethod
    def load(cls, folder: Path) -> Self:
        return cls(BinaryCodeIndex.load(folder))


def _stored_hex(value: str) -> str:
    """The hash to store for a PDQ or dihedral value: a dihedral's unturned picture."""
    if "," in value:
        return PdqDihedral.validate(value).split(",")[0]
    return validate_pdq_hex(value)


def _orientations(value: str) -> list[str]:
    """A query's hashes: one for a plain PDQ value, eight for a dihedral one."""
    if "," in value:
        return PdqDihedral.validate(value).split(",")
    return [validate_pdq_hex(value)]


def _hits(
    results: list[tuple[NDArray[np.int64], NDArray[np.int32]]], dihedral: bool
) -> list[IndexHit]:
    """One hit per item at its smallest distance, nearest first, then by item."""
    if not dihedral:
        ids, distances = results[0]
        return [
            IndexHit(item, float(d))
            for item, d in zip(ids.tolist(), distances.tolist(), strict=True)
        ]
    best: dict[int, tuple[int, int]] = {}
    for orientation, (ids, distances) in enumerate(results):
        for item, distance in zip(ids.tolist(), distances.tolist(), strict=True):
            if item not in best or distance < best[item][0]:
                best[item] = (distance, orientation)
    ranked = sorted(best.items(), key=lambda entry: (entry[1][0], entry[0]))
    return [
        IndexHit(item, float(distance), {"orientation": DIHEDRAL_ORIENTATIONS[orientation]})
        for item, (distance, orientation) in ranked
    ]
