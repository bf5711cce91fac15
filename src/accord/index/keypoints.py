"""An index of ``orb`` keypoint signals: descriptor votes pick candidates, RANSAC decides.

Every stored descriptor is one row of a FAISS binary index; a row's *slot* is the stored
picture it belongs to. A query looks up the ``NEIGHBOURS`` nearest rows of each of its
descriptors, each picture gets one vote per query descriptor that found it, and the
best-voted pictures are verified geometrically (``accord.signals.keypoints.verify``), so a
hit's distance is exactly ``OrbKeypoints.distance`` of the two values.

Verification is the expensive part (~1 ms), so a candidate is first checked on the
correspondences the index already found (RANSAC over them costs ~0.1 ms): only the best
``exact_top`` candidates, and those whose cheap check finds ``PRECHECK_INLIERS``, are
matched descriptor by descriptor.

FAISS structure: an exact ``IndexBinaryFlat`` while the index is small; from ``ivf_from``
rows on, an ``IndexBinaryIVF`` whose cells are centred on stored descriptors picked at
random (no k-means: training a binary codebook costs minutes), with a second, coarse IVF as
its quantizer so assigning a descriptor to one of 16,384 cells costs ~400 comparisons, not
16,384. The cells are re-drawn when the index has grown 4-fold, and the arrays compacted
when tombstones (removed pictures, kept until then) outnumber live rows.

Files: ``meta.json`` (format, version, parameters), one ``.npy`` per array and the FAISS
index serialised to bytes in ``faiss.npy``; never pickle.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from accord.errors import IndexFormatError
from accord.index.base import IndexHit, SignalIndex
from accord.signals.keypoints import (
    DESCRIPTOR_BYTES,
    Keypoints,
    Verification,
    decode_keypoints,
    verify,
    verify_matches,
)

FORMAT, VERSION = "accord.keypoint-index", 1
#: Nearest stored descriptors looked up per query descriptor: with 10K pictures in the
#: bank, a screenshot's own descriptors are often only third or fourth nearest.
NEIGHBOURS = 4
#: A neighbour further than this (bits of 256) casts no vote.
VOTE_DISTANCE = 64
#: Votes a picture needs before it is worth verifying.
MIN_VOTES = 3
#: Inliers of the cheap check that earn a candidate the exact one.
PRECHECK_INLIERS = 4
#: Rows per IVF cell aimed at, and the cell count's bounds.
ROWS_PER_CELL, MIN_CELLS, MAX_CELLS = 64, 256, 65_536
#: Cells of the IVF probed per descriptor, and of its coarse quantizer. Measured on
#: screenshots against a 10K-picture bank (benchmarks/second_stage.py): 2 probes found
#: 92.8 %, 4 found 95.2 %, 8 found 95.5 % (with 4 neighbours; 19 ms a query).
PROBES = 8
#: Growth of the row count that has the cells re-drawn.
REDRAW_GROWTH = 4
_BITS = DESCRIPTOR_BYTES * 8
_ARRAYS = ("descriptors", "points", "items", "starts", "counts", "sizes", "alive")


class KeypointIndex(SignalIndex):
    """A mutable, persistable index over ``orb`` values; not safe for concurrent writers."""

    signal_type = "orb"

    def __init__(
        self, *, candidates: int = 8, exact_top: int = 1, ivf_from: int = 65_536, seed: int = 0
    ) -> None:
        #: At most this many best-voted pictures are verified per query.
        self.candidates = candidates
        self.exact_top = exact_top
        #: Rows from which the exact flat index gives way to the IVF.
        self.ivf_from = ivf_from
        self.seed = seed
        self._descriptors = np.zeros((0, DESCRIPTOR_BYTES), np.uint8)
        self._points = np.zeros((0, 2), np.uint16)
        self._owner = np.zeros(0, np.int32)
        self._rows = 0
        self._items = np.zeros(0, np.int64)
        self._starts = np.zeros(0, np.int64)
        self._counts = np.zeros(0, np.int32)
        self._sizes = np.zeros((0, 2), np.uint16)
        self._alive = np.zeros(0, bool)
        self._slots = 0
        self._slot_of: dict[int, int] = {}
        self._live_rows = 0
        #: Rows the IVF cells were drawn for; 0 while the flat index serves.
        self._drawn_for = 0
        self._faiss: Any = None
        self._faiss_parts: tuple[Any, ...] = ()
        self._reset_faiss()

    # -- SignalIndex ------------------------------------------------------------------

    def add(self, items: Sequence[tuple[int, str]]) -> None:
        decoded = [(int(item), decode_keypoints(value)) for item, value in items]
        self.remove(item for item, _ in decoded)
        latest = dict(decoded)  # the last value of an item wins
        first_row = self._rows
        for item, keypoints in latest.items():
            self._append(item, keypoints)
        if self._rows > first_row:
            self._faiss.add(np.ascontiguousarray(self._descriptors[first_row : self._rows]))
        self._maybe_rebuild()

    def remove(self, items: Iterable[int]) -> None:
        for item in items:
            slot = self._slot_of.pop(int(item), None)
            if slot is not None:
                self._alive[slot] = False
                self._live_rows -= int(self._counts[slot])
        self._maybe_rebuild()

    def query(self, value: str, threshold: float) -> list[IndexHit]:
        query = decode_keypoints(value)
        if not len(query) or not self._slot_of:
            return []
        pairs = self._neighbours(query)
        hits = []
        for rank, (slot, votes) in enumerate(self._candidates(pairs)):
            verification = self._check(query, slot, pairs[pairs[:, 2] == slot], rank)
            if verification.inliers and verification.distance <= threshold:
                hits.append(self._hit(slot, verification, votes))
        return sorted(hits, key=lambda hit: (hit.distance, hit.item))

    def __len__(self) -> int:
        return len(self._slot_of)

    def memory_bytes(self) -> int:
        arrays = (
            self._descriptors, self._points, self._owner, self._items,
            self._starts, self._counts, self._sizes, self._alive,
        )  # fmt: skip
        # FAISS keeps each row's code, and in the IVF its 8-byte id; plus the cell centres.
        per_row = DESCRIPTOR_BYTES + (8 if self._drawn_for else 0)
        cells = _cell_count(self._drawn_for) if self._drawn_for else 0
        faiss_bytes = self._rows * per_row + cells * (DESCRIPTOR_BYTES + 8) * 2
        return sum(array.nbytes for array in arrays) + faiss_bytes + 100 * len(self._slot_of)

    def save(self, folder: Path) -> None:
        import faiss  # noqa: PLC0415 - FAISS takes half a second to import

        folder.mkdir(parents=True, exist_ok=True)
        used = {
            "descriptors": self._descriptors[: self._rows],
            "points": self._points[: self._rows],
            "items": self._items[: self._slots],
            "starts": self._starts[: self._slots],
            "counts": self._counts[: self._slots],
            "sizes": self._sizes[: self._slots],
            "alive": self._alive[: self._slots],
        }
        for name, array in used.items():
            np.save(folder / f"{name}.npy", np.ascontiguousarray(array), allow_pickle=False)
        np.save(folder / "faiss.npy", faiss.serialize_index_binary(self._faiss))
        meta = {
            "format": FORMAT,
            "version": VERSION,
            "signal_type": self.signal_type,
            "rows": self._rows,
            "slots": self._slots,
            "drawn_for": self._drawn_for,
            "parameters": {
                "candidates": self.candidates,
                "exact_top": self.exact_top,
                "ivf_from": self.ivf_from,
                "seed": self.seed,
            },
        }
        # Written last: a folder without it was never completely saved.
        (folder / "meta.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, folder: Path) -> Self:
        try:
            meta = json.loads((folder / "meta.json").read_text())
            if (meta.get("format"), meta.get("version")) != (FORMAT, VERSION):
                raise IndexFormatError(f"{folder} is not a version-{VERSION} keypoint index")
            if meta.get("signal_type") != cls.signal_type:
                raise IndexFormatError(f"{folder} holds {meta.get('signal_type')!r} values")
            index = cls(**{key: int(value) for key, value in meta["parameters"].items()})
            arrays = {name: np.load(folder / f"{name}.npy", allow_pickle=False) for name in _ARRAYS}
            index._restore(arrays, int(meta["rows"]), int(meta["slots"]), int(meta["drawn_for"]))
            index._restore_faiss(np.load(folder / "faiss.npy", allow_pickle=False))
        except IndexFormatError:
            raise
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RuntimeError) as error:
            raise IndexFormatError(f"cannot read the keypoint index in {folder}: {error}") from None
        return index

    # -- querying ---------------------------------------------------------------------

    def _neighbours(self, query: Keypoints) -> NDArray[np.int64]:
        """Live (query row, stored row, slot, distance) pairs, one per row and slot."""
        distances, rows = self._faiss.search(query.descriptors, NEIGHBOURS)
        found = (rows >= 0) & (distances <= VOTE_DISTANCE)
        query_rows = np.nonzero(found)[0]
        stored = rows[found].astype(np.int64)
        slots = self._owner[stored].astype(np.int64)
        live = self._alive[slots]
        pairs = np.stack(
            [query_rows[live], stored[live], slots[live], distances[found][live]], axis=1
        ).astype(np.int64)
        # Nearest first, then one pair per (query row, slot): a picture gets one vote each.
        pairs = pairs[np.lexsort((pairs[:, 3], pairs[:, 2], pairs[:, 0]))]
        keys = pairs[:, 0] * max(self._slots, 1) + pairs[:, 2]
        return pairs[np.unique(keys, return_index=True)[1]]

    def _candidates(self, pairs: NDArray[np.int64]) -> list[tuple[int, int]]:
        """(slot, votes) of the best-voted pictures, most votes first."""
        votes = np.bincount(pairs[:, 2], minlength=self._slots)
        eligible = np.flatnonzero(votes >= MIN_VOTES)
        best = eligible[np.lexsort((eligible, -votes[eligible]))][: self.candidates]
        return [(int(slot), int(votes[slot])) for slot in best]

    def _check(
        self, query: Keypoints, slot: int, pairs: NDArray[np.int64], rank: int
    ) -> Verification:
        stored = self._stored(slot)
        if rank >= self.exact_top:
            # One stored row per query row is already so; make it one query row per stored row.
            pairs = pairs[np.lexsort((pairs[:, 3], pairs[:, 1]))]
            pairs = pairs[np.unique(pairs[:, 1], return_index=True)[1]]
            local = pairs[:, 1] - self._starts[slot]
            cheap = verify_matches(query, stored, pairs[:, 0], local)
            if cheap.inliers < PRECHECK_INLIERS:
                return cheap
        return verify(query, stored)

    def _stored(self, slot: int) -> Keypoints:
        start, count = int(self._starts[slot]), int(self._counts[slot])
        width, height = (int(side) for side in self._sizes[slot])
        rows = slice(start, start + count)
        return Keypoints(width, height, self._points[rows], self._descriptors[rows])

    def _hit(self, slot: int, verification: Verification, votes: int) -> IndexHit:
        detail = {
            "inliers": verification.inliers,
            "region": list(verification.region or (0.0, 0.0, 0.0, 0.0)),
            "kind": verification.kind,
            "votes": votes,
        }
        return IndexHit(int(self._items[slot]), verification.distance, detail)

    # -- storage ----------------------------------------------------------------------

    def _append(self, item: int, keypoints: Keypoints) -> None:
        count = len(keypoints)
        self._reserve_rows(self._rows + count)
        self._reserve_slots(self._slots + 1)
        rows, slot = slice(self._rows, self._rows + count), self._slots
        self._descriptors[rows] = keypoints.descriptors
        self._points[rows] = keypoints.points
        self._owner[rows] = slot
        self._items[slot], self._starts[slot], self._counts[slot] = item, self._rows, count
        self._sizes[slot] = (keypoints.width, keypoints.height)
        self._alive[slot] = True
        self._slot_of[item] = slot
        self._rows += count
        self._slots += 1
        self._live_rows += count

    def _reserve_rows(self, needed: int) -> None:
        if needed > len(self._owner):
            size = max(needed, 2 * len(self._owner), 4096)
            self._descriptors = _grown(self._descriptors, size)
            self._points = _grown(self._points, size)
            self._owner = _grown(self._owner, size)

    def _reserve_slots(self, needed: int) -> None:
        if needed > len(self._items):
            size = max(needed, 2 * len(self._items), 64)
            self._items = _grown(self._items, size)
            self._starts = _grown(self._starts, size)
            self._counts = _grown(self._counts, size)
            self._sizes = _grown(self._sizes, size)
            self._alive = _grown(self._alive, size)

    def _maybe_rebuild(self) -> None:
        dead = self._rows - self._live_rows
        compact = dead > max(self._live_rows, self.ivf_from // 2)
        grown = self._drawn_for and self._rows >= REDRAW_GROWTH * self._drawn_for
        starts_ivf = not self._drawn_for and self._live_rows >= self.ivf_from
        if compact or grown or starts_ivf:
            self._rebuild()

    def _rebuild(self) -> None:
        """Drop tombstones, then build FAISS afresh over the live rows."""
        live = np.flatnonzero(self._alive[: self._slots])
        # Rows stay grouped by slot in slot order, so a mask keeps them contiguous.
        live_rows = self._alive[self._owner[: self._rows]]
        counts = self._counts[live]
        arrays: dict[str, NDArray[Any]] = {
            "descriptors": self._descriptors[: self._rows][live_rows],
            "points": self._points[: self._rows][live_rows],
            "items": self._items[live],
            "starts": (np.cumsum(counts) - counts).astype(np.int64),
            "counts": counts,
            "sizes": self._sizes[live],
            "alive": np.ones(len(live), bool),
        }
        rows = len(arrays["descriptors"])
        self._restore(arrays, rows, len(live), 0)
        self._reset_faiss()

    def _restore(self, arrays: dict[str, NDArray[Any]], rows: int, slots: int, drawn: int) -> None:
        """Adopt arrays read from disk or compacted, checking that they fit together."""
        counts = np.asarray(arrays["counts"])
        shapes = {
            "descriptors": ((rows, DESCRIPTOR_BYTES), np.uint8),
            "points": ((rows, 2), np.uint16),
            "items": ((slots,), np.int64),
            "starts": ((slots,), np.int64),
            "counts": ((slots,), np.int32),
            "sizes": ((slots, 2), np.uint16),
            "alive": ((slots,), np.bool_),
        }
        for name, (shape, dtype) in shapes.items():
            array = arrays[name]
            if array.shape != shape or array.dtype != dtype:
                raise IndexFormatError(f"{name} is {array.dtype}{array.shape}, not {shape}")
        expected_starts = np.cumsum(counts) - counts
        if (counts < 0).any() or int(counts.sum()) != rows:
            raise IndexFormatError("the keypoint counts do not add up to the stored rows")
        if not np.array_equal(arrays["starts"], expected_starts):
            raise IndexFormatError("the keypoint rows of the stored pictures overlap")
        self._descriptors, self._points = arrays["descriptors"], arrays["points"]
        self._items, self._starts, self._counts = arrays["items"], arrays["starts"], counts
        self._sizes, self._alive = arrays["sizes"], arrays["alive"]
        self._owner = np.repeat(np.arange(slots, dtype=np.int32), counts)
        self._rows, self._slots, self._drawn_for = rows, slots, drawn
        live = np.flatnonzero(self._alive)
        self._slot_of = {int(self._items[slot]): int(slot) for slot in live}
        if len(self._slot_of) != len(live):
            raise IndexFormatError("an item is stored twice")
        self._live_rows = int(counts[live].sum())

    def _restore_faiss(self, serialized: NDArray[np.uint8]) -> None:
        import faiss  # noqa: PLC0415

        index = faiss.deserialize_index_binary(np.ascontiguousarray(serialized, np.uint8))
        if index.ntotal != self._rows or index.d != _BITS:
            raise IndexFormatError(f"the FAISS index holds {index.ntotal} rows, not {self._rows}")
        if isinstance(index, faiss.IndexBinaryIVF):
            # Probes are a search setting of this version, not of the saved index.
            index.nprobe = PROBES
            quantizer = faiss.downcast_IndexBinary(index.quantizer)
            if isinstance(quantizer, faiss.IndexBinaryIVF):
                quantizer.nprobe = PROBES
        self._faiss, self._faiss_parts = index, ()

    def _reset_faiss(self) -> None:
        """A new FAISS index over the current rows: flat when small, IVF otherwise."""
        import faiss  # noqa: PLC0415

        rows = np.ascontiguousarray(self._descriptors[: self._rows])
        if self._rows < self.ivf_from:
            self._faiss, self._faiss_parts, self._drawn_for = faiss.IndexBinaryFlat(_BITS), (), 0
        else:
            self._faiss, self._faiss_parts = _ivf(rows, self.seed)
            self._drawn_for = self._rows
        if self._rows:
            self._faiss.add(rows)


def _cell_count(rows: int) -> int:
    wanted = 2 ** round(math.log2(max(rows / ROWS_PER_CELL, 1)))
    return int(min(MAX_CELLS, max(MIN_CELLS, wanted)))


def _ivf(rows: NDArray[np.uint8], seed: int) -> tuple[Any, tuple[Any, ...]]:
    """An empty two-level IVF with cells centred on randomly drawn rows."""
    import faiss  # noqa: PLC0415

    rng = np.random.default_rng(seed)
    cells = min(_cell_count(len(rows)), len(rows))
    centres = np.ascontiguousarray(rows[rng.choice(len(rows), cells, replace=False)])
    coarse_cells = max(16, math.isqrt(cells))
    coarse = faiss.IndexBinaryFlat(_BITS)
    coarse.add(np.ascontiguousarray(centres[rng.choice(cells, coarse_cells, replace=False)]))
    quantizer = faiss.IndexBinaryIVF(coarse, _BITS, coarse_cells)
    quantizer.is_trained = True
    quantizer.add(centres)
    quantizer.nprobe = PROBES
    index = faiss.IndexBinaryIVF(quantizer, _BITS, cells)
    index.is_trained = True
    index.nprobe = PROBES
    # FAISS's Python wrappers do not keep a quantizer alive: the caller holds the parts.
    return index, (coarse, quantizer)


def _grown(array: NDArray[Any], size: int) -> NDArray[Any]:
    out = np.zeros((size, *array.shape[1:]), array.dtype)
    out[: len(array)] = array
    return out
