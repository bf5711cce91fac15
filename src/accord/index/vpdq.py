"""``VideoPdqIndex``: finds stored videos that share frames with a query video.

Every stored video's usable frames (quality >= 50, each distinct hash once: HMA's filter,
``signals.vpdq._usable``) go into one ``BinaryCodeIndex`` under the video's item id, and
into a frame table (hash, quality, seconds) kept in runs per video. A query's usable
frames (at most ``_MAX_QUERY_FRAMES``, evenly spread) are looked up within PDQ distance
31; a stored video is a candidate when at least ``_MIN_MATCHED_FRAMES`` query frames
found one of its frames. Candidates, best first by the share of frames that matched
(at most ``_MAX_CANDIDATES``), are then scored by ``VideoPdq.compare`` itself, with its
stored frames rebuilt from the table, so a hit is exactly what the signal type says:
both tiers (HMA's frame distance, and the looser time-aligned one that sees through a
large logo), the query's and the target's match percentages, and distance
``100 - max(query %, target %)``. A known clip inside a longer upload is found through
its query share, a stored clip inside a long query through its target share.

Why one matched frame is enough to be a candidate: under a large logo only 1-7 % of a
copy's frames stay within 31 bits of the original's (corpus: 1 of 177 for one pair);
the time-aligned tier recovers the rest, but only once the pair is compared at all.
Unrelated videos rarely share a frame within 31 bits, and the candidate cap bounds the
work when they do.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final, Self

import numpy as np
from numpy.typing import NDArray

from accord.errors import IndexFormatError
from accord.index.audio import GrowableArray, Segments
from accord.index.base import IndexHit, SignalIndex
from accord.index.binary import BinaryCodeIndex, codes_from_hex
from accord.signals.vpdq import (
    ALIGNMENT_TOLERANCE,
    FRAME_MATCH_DISTANCE,
    MIN_FRAME_QUALITY,
    VideoComparison,
    VideoPdq,
    VpdqFrame,
    _common_offset,
    _usable,
    parse,
    serialize,
)

FORMAT: Final = "accord.vpdq-index"
VERSION: Final = 1
CODE_BYTES: Final = 32
#: Query frames looked up at most; longer queries are sampled evenly for candidates (the
#: scoring still compares every frame).
_MAX_QUERY_FRAMES: Final = 4096
#: Query frames that must find a stored video's frame within 31 bits to compare with it.
_MIN_MATCHED_FRAMES: Final = 1
#: Stored videos compared per query at most, the best-matched first.
_MAX_CANDIDATES: Final = 64
#: ``[query seconds, target seconds]`` pairs reported per hit at most.
_MAX_MATCHED_FRAMES: Final = 200
#: Dead frames are dropped from the table once they outnumber live ones and this.
_COMPACT_MIN: Final = 1 << 14

Int64s = NDArray[np.int64]


class VideoPdqIndex(SignalIndex):
    """Stored vPDQ values, searchable by video; see the module docstring."""

    signal_type = "vpdq"

    def __init__(self) -> None:
        self._codes = BinaryCodeIndex()
        #: Usable frames of every stored video, in runs per video (dead ones until compacted).
        self._hashes = GrowableArray(np.uint8, (CODE_BYTES,))
        self._qualities = GrowableArray(np.uint8)
        self._seconds = GrowableArray(np.float64)
        self._segments = Segments()

    # --- changes -----------------------------------------------------------------------

    def add(self, items: Sequence[tuple[int, str]]) -> None:
        """Store videos; an item already stored is replaced."""
        latest = {int(item): _usable(parse(value), MIN_FRAME_QUALITY) for item, value in items}
        if not latest:
            return
        self.remove(latest)
        frames = [frame for video in latest.values() for frame in video]
        lengths = np.array([len(video) for video in latest.values()], dtype=np.int64)
        ids = np.fromiter(latest, dtype=np.int64, count=len(latest))
        self._segments.append(ids, lengths)
        hashes = codes_from_hex([frame.pdq_hex for frame in frames])
        self._hashes.append(hashes)
        self._qualities.append(np.array([frame.quality for frame in frames], dtype=np.uint8))
        self._seconds.append(np.array([frame.timestamp for frame in frames], dtype=np.float64))
        self._codes.add(np.repeat(ids, lengths), hashes)

    def remove(self, items: Iterable[int]) -> None:
        gone = [int(item) for item in items]
        self._segments.kill(gone)
        self._codes.remove(gone)
        if self._segments.wasteful(_COMPACT_MIN):
            self._compact()

    def _compact(self) -> None:
        """Drop dead videos' frames from the table (the code index compacts itself)."""
        keep = self._segments.kept_rows()
        for table in (self._hashes, self._qualities, self._seconds):
            table.replace(table.view[keep])
        self._segments.compact()

    # --- queries -----------------------------------------------------------------------

    def query(self, value: str, threshold: float) -> list[IndexHit]:
        """Stored videos within ``threshold`` of ``value`` by ``VideoPdq.compare``."""
        frames = _usable(parse(value), MIN_FRAME_QUALITY)
        if not frames or len(self) == 0:
            return []
        usable = serialize(frames)  # compares the same, parses faster than ``value``
        hits = []
        for segment in self._candidates(frames):
            comparison = VideoPdq.compare(usable, self._value_of(segment))
            if comparison.distance <= threshold:
                hits.append(self._hit(segment, comparison))
        return sorted(hits, key=lambda hit: (hit.distance, hit.item))

    def _candidates(self, frames: Sequence[VpdqFrame]) -> list[int]:
        """Live segments whose frames some query frames matched, best share first."""
        sample = _spread(frames, _MAX_QUERY_FRAMES)
        codes = codes_from_hex([frame.pdq_hex for frame in sample])
        found = self._codes.search_many(codes, FRAME_MATCH_DISTANCE)
        items, counts = np.unique(np.concatenate([ids for ids, _ in found]), return_counts=True)
        enough = counts >= _MIN_MATCHED_FRAMES
        items, counts = items[enough], counts[enough]
        segments = self._live_segments(items)
        if len(segments) == 0:
            return []
        # The share of the smaller side that matched: a clip in either video scores high.
        counts = counts[np.searchsorted(items, self._segments.items.view[segments])]
        sides = np.minimum(len(sample), np.maximum(self._segments.lengths.view[segments], 1))
        share = np.minimum(counts / sides, 1.0)
        best = np.lexsort((-counts, -share))[:_MAX_CANDIDATES]
        return [int(segment) for segment in segments[best]]

    def _live_segments(self, items: Int64s) -> Int64s:
        """The live segments of ``items`` (sorted ids), one per item."""
        segments: Int64s = np.flatnonzero(
            self._segments.live.view & np.isin(self._segments.items.view, items)
        )
        return segments

    def _value_of(self, segment: int) -> str:
        """A stored video's usable frames, serialized, as ``VideoPdq.compare`` reads them."""
        rows = self._segments.span(segment)
        hexes = self._hashes.view[rows].tobytes().hex()
        qualities = self._qualities.view[rows].tolist()
        seconds = self._seconds.view[rows].tolist()
        return serialize(
            VpdqFrame(hexes[64 * i : 64 * i + 64], quality, second)
            for i, (quality, second) in enumerate(zip(qualities, seconds, strict=True))
        )

    def _hit(self, segment: int, comparison: VideoComparison) -> IndexHit:
        detail: dict[str, Any] = {
            "query_percent": comparison.query_match_percent,
            "target_percent": comparison.target_match_percent,
            "matched_frames": [list(pair) for pair in comparison.matches[:_MAX_MATCHED_FRAMES]],
        }
        offset = aligned_offset(comparison)
        if offset is not None:
            detail["offset_seconds"] = round(offset, 3)
        return IndexHit(int(self._segments.items.view[segment]), comparison.distance, detail)

    # --- size and persistence ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._segments)

    def memory_bytes(self) -> int:
        tables = (self._hashes, self._qualities, self._seconds)
        own = sum(table.nbytes for table in tables) + self._segments.nbytes
        return own + self._codes.memory_bytes()

    def save(self, folder: Path) -> None:
        """The frame table (compacted) as ``.npy``, the code index in ``codes/``."""
        self._compact()
        folder.mkdir(parents=True, exist_ok=True)
        arrays = self._arrays()
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array, allow_pickle=False)
        self._codes.save(folder / "codes")
        meta = {"format": FORMAT, "version": VERSION, "signal_type": self.signal_type}
        meta |= {name: len(array) for name, array in arrays.items()}
        # meta.json last: a folder without it is an incomplete save.
        (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    def _arrays(self) -> dict[str, NDArray[Any]]:
        return {
            "items": self._segments.items.view,
            "lengths": self._segments.lengths.view,
            "hashes": self._hashes.view,
            "qualities": self._qualities.view,
            "seconds": self._seconds.view,
        }

    @classmethod
    def load(cls, folder: Path) -> Self:
        meta = _read_meta(folder)
        arrays = {
            name: _read_array(folder / f"{name}.npy", dtype, (int(meta[name]), *row))
            for name, (dtype, row) in _LAYOUT.items()
        }
        codes = BinaryCodeIndex.load(folder / "codes")
        _check_consistent(arrays, len(codes))
        index = cls()
        index._codes = codes
        index._segments.restore(arrays["items"], arrays["lengths"])
        index._hashes.replace(arrays["hashes"])
        index._qualities.replace(arrays["qualities"])
        index._seconds.replace(arrays["seconds"])
        return index


def aligned_offset(comparison: VideoComparison) -> float | None:
    """Target minus query seconds that most matched frames share, if at least half do."""
    if not comparison.matches:
        return None
    offsets = np.array([target - query for query, target in comparison.matches])
    offset = _common_offset(offsets)
    if offset is None:
        return None
    agreeing = np.count_nonzero(np.abs(offsets - offset) <= ALIGNMENT_TOLERANCE)
    return offset if 2 * agreeing >= len(offsets) else None


def _spread(frames: Sequence[VpdqFrame], limit: int) -> Sequence[VpdqFrame]:
    """At most ``limit`` of ``frames``, evenly spaced."""
    if len(frames) <= limit:
        return frames
    return [frames[i] for i in np.linspace(0, len(frames) - 1, limit).astype(np.intp).tolist()]


# --- reading a saved index --------------------------------------------------------------

_LAYOUT: Final[dict[str, tuple[np.dtype[Any], tuple[int, ...]]]] = {
    "items": (np.dtype(np.int64), ()),
    "lengths": (np.dtype(np.int64), ()),
    "hashes": (np.dtype(np.uint8), (CODE_BYTES,)),
    "qualities": (np.dtype(np.uint8), ()),
    "seconds": (np.dtype(np.float64), ()),
}


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexFormatError(f"cannot read the vPDQ index's meta.json: {error}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(f"{folder} does not hold a vPDQ index")
    if meta.get("version") != VERSION:
        raise IndexFormatError(f"vPDQ index version {meta.get('version')!r} is not {VERSION}")
    if not all(isinstance(meta.get(name), int) and meta[name] >= 0 for name in _LAYOUT):
        raise IndexFormatError("the vPDQ index's meta.json lacks its array sizes")
    return meta


def _read_array(path: Path, dtype: np.dtype[Any], shape: tuple[int, ...]) -> NDArray[Any]:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise IndexFormatError(f"cannot read {path.name}: {error}") from None
    if not isinstance(array, np.ndarray) or array.dtype != dtype or array.shape != shape:
        raise IndexFormatError(f"{path.name} is not {dtype} of shape {shape}")
    return array


def _check_consistent(arrays: dict[str, NDArray[Any]], codes: int) -> None:
    """Refuse a frame table that ``save`` cannot have written, or that the codes disagree with."""
    items, lengths = arrays["items"], arrays["lengths"]
    frames = len(arrays["hashes"])
    seconds = arrays["seconds"]
    problems = [
        (len(items) != len(lengths), "items and lengths differ in size"),
        (bool((lengths < 0).any()) or int(lengths.sum()) != frames, "bad lengths"),
        (len({frames, len(arrays["qualities"]), len(seconds)}) != 1, "frame columns differ"),
        (len(np.unique(items)) != len(items), "an item is stored twice"),
        (bool((arrays["qualities"] > 100).any()), "a quality above 100"),  # noqa: PLR2004
        (not bool(np.all(np.isfinite(seconds) & (seconds >= 0))), "a bad timestamp"),
        (codes != frames, f"{codes} codes for {frames} frames"),
    ]
    for failed, why in problems:
        if failed:
            raise IndexFormatError(f"inconsistent vPDQ index: {why}")
