"""Exact radius search over 256-bit binary codes (PDQ hashes) by multi-index hashing.

Each code is cut into 16 chunks of 16 bits. If two codes are within ``r`` bits, then for
any per-chunk radii ``s_c`` with ``sum(s_c + 1) > r`` some chunk differs by at most its
``s_c`` bits (pigeonhole), so looking up every key within ``s_c`` bit flips of each of the
query's chunks finds every code within ``r``: recall is exact, not approximate. For the
PDQ threshold of 31 that is every key within one flip of each chunk: 16 x 17 buckets.
Candidates are then checked with XOR and a popcount. When the buckets would hold more
codes than a plain scan reads (a small index, a large radius), the index scans instead.

Layout (about 108 bytes per code): the codes (32 B) and their ids (8 B) in one append-only
buffer; per chunk, a CSR table of the buffer positions grouped by chunk key (``offsets``,
65,537 x uint32 shared by all codes, and ``positions``, 4 B per code); the positions sorted
by id (4 B per code), to find an id's codes when it is removed. Codes added since the last
merge (the delta) sit at the buffer's tail outside the tables and are scanned; once there
are ``merge_at`` of them they are merged into the tables, one chunk at a time, so a merge
never holds two copies of all the tables. Removal leaves tombstones, dropped from results
and compacted away at a merge once they are a large part of the index.

Readers never lock: each query reads one immutable ``_State`` and writers (serialised by a
lock) publish a new one with a single reference assignment. Rows are only ever written
past the end of every published state, so no reader can see a half-written code.

One algorithm in one module (over 500 lines): the tables, the delta, the merge and the
lock-free readers share invariants that are easier to check read together.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any, Self

import numpy as np
from numpy.typing import NDArray

from accord.errors import IndexFormatError, InvalidSignal

CODE_BYTES = 32
CODE_BITS = CODE_BYTES * 8
CHUNKS = 16
KEYS = 1 << 16
#: A stored folder's ``meta.json`` names its format and version; loading checks both.
FORMAT = "accord.binary-code-index"
FORMAT_VERSION = 1
#: Codes checked per block in a scan: large enough to amortise numpy's per-call overhead,
#: small enough that the temporaries stay in cache.
_SCAN_BLOCK = 1 << 15
#: Queries probed together: bounds the temporaries when a long video asks thousands.
_QUERY_BATCH = 64
#: Values per ``bytes.fromhex`` call when parsing hex: bounds the joined temporary string.
_HEX_BATCH = 1 << 16
_POPCOUNT16 = np.bitwise_count(np.arange(KEYS, dtype=np.uint16))

Ids = NDArray[np.int64]
Distances = NDArray[np.int32]
Positions = NDArray[np.intp]


def codes_from_hex(values: Sequence[str], width: int = CODE_BYTES) -> NDArray[np.uint8]:
    """Hex strings of ``width`` bytes each as a ``(len(values), width)`` uint8 array."""
    out = np.empty((len(values), width), dtype=np.uint8)
    for start in range(0, len(values), _HEX_BATCH):
        batch = values[start : start + _HEX_BATCH]
        # Each value's length, not only the total: two wrong lengths could cancel out.
        if batch and set(map(len, batch)) != {2 * width}:
            raise InvalidSignal(f"expected {2 * width} hexadecimal characters per value")
        try:
            raw = bytes.fromhex("".join(batch))
        except ValueError as error:
            raise InvalidSignal(f"not hexadecimal: {error}") from None
        if len(raw) != width * len(batch):  # fromhex skips whitespace
            raise InvalidSignal(f"expected {2 * width} hexadecimal characters per value")
        out[start : start + len(batch)] = np.frombuffer(raw, dtype=np.uint8).reshape(-1, width)
    return out


def chunk_radii(radius: int) -> tuple[int, ...]:
    """Bit flips to probe per chunk so that any code within ``radius`` is found.

    The generalised pigeonhole bound: a code missed by every chunk differs by at least
    ``s_c + 1`` bits in each, ``sum(s_c + 1)`` in all, so that sum must exceed ``radius``.
    Spreading it evenly probes fewest keys (radius 40: nine chunks at 2, seven at 1).
    """
    total = max(0, radius + 1 - CHUNKS)
    base, extra = divmod(total, CHUNKS)
    return tuple(base + 1 if chunk < extra else base for chunk in range(CHUNKS))


@lru_cache(maxsize=64)
def _probe_plan(radius: int) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """For one radius: each probe's chunk, its XOR mask, and where each chunk's probes start."""
    masks = [np.flatnonzero(bits >= _POPCOUNT16) for bits in chunk_radii(radius)]
    chunk_of = np.repeat(np.arange(CHUNKS), [len(m) for m in masks])
    firsts = np.concatenate(([0], np.cumsum([len(m) for m in masks])[:-1]))
    return chunk_of, np.concatenate(masks), firsts.astype(np.intp)


def _expand_ranges(starts: NDArray[np.int64], lengths: NDArray[np.int64]) -> Positions:
    """``concatenate([arange(s, s + n) for s, n in zip(starts, lengths)])``, vectorised."""
    ends = np.cumsum(lengths)
    shift = np.repeat(starts - (ends - lengths), lengths)
    return shift + np.arange(int(ends[-1]) if len(ends) else 0)


def _distances(words: NDArray[np.uint64], query: NDArray[np.uint64]) -> NDArray[np.uint16]:
    """Hamming distances of ``(n, k)`` words to one ``(k,)`` query or to ``(n, k)`` queries
    row by row, column by column (fastest)."""
    total: NDArray[np.uint16] = np.bitwise_count(words[:, 0] ^ query[..., 0]).astype(np.uint16)
    for column in range(1, words.shape[1]):
        total += np.bitwise_count(words[:, column] ^ query[..., column])
    return total


def _sorted_contains(haystack: NDArray[Any], needles: NDArray[Any]) -> NDArray[np.bool_]:
    """Which ``needles`` are in the sorted ``haystack``."""
    if not len(haystack):
        return np.zeros(len(needles), dtype=bool)
    found = np.searchsorted(haystack, needles).clip(max=len(haystack) - 1)
    contained: NDArray[np.bool_] = haystack[found] == needles
    return contained


def _table(keys: NDArray[np.uint16]) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """CSR of positions grouped by key, positions ascending within a key."""
    offsets = np.zeros(KEYS + 1, dtype=np.uint32)
    np.cumsum(np.bincount(keys, minlength=KEYS), out=offsets[1:])
    # One sort of (key << 32 | position): numpy's SIMD sort of uint64 beats a stable
    # argsort of the keys severalfold, and positions are unique so the order is stable.
    packed = keys.astype(np.uint64) << np.uint64(32)
    packed |= np.arange(len(keys), dtype=np.uint64)
    packed.sort()
    return offsets, packed.astype(np.uint32)


def _extend_table(
    offsets: NDArray[np.uint32],
    positions: NDArray[np.uint32],
    keys: NDArray[np.uint16],
    first: int,
) -> tuple[NDArray[np.uint32], NDArray[np.uint32]]:
    """Add positions ``first, first + 1, ...`` (with ``keys``) to a CSR table in O(n).

    They are larger than every position already there, so each goes at its bucket's end.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    counts = np.zeros(KEYS + 1, dtype=np.uint32)
    np.cumsum(np.bincount(sorted_keys, minlength=KEYS), out=counts[1:])
    new_positions = np.insert(
        positions,
        offsets[sorted_keys.astype(np.intp) + 1].astype(np.intp),
        (order + first).astype(np.uint32),
    )
    return offsets + counts, new_positions


def _chunk_keys(codes: NDArray[np.uint8], chunk: int) -> NDArray[np.uint16]:
    """Chunk ``chunk`` of each code: bits ``16 * chunk`` onwards, as in the hex string."""
    return codes.view(">u2")[:, chunk].astype(np.uint16)


def _search_sorted_ids(
    ids: Ids, order: NDArray[np.uint32], values: Ids, *, right: bool
) -> NDArray[np.int64]:
    """``searchsorted(ids[order], values)`` without materialising ``ids[order]``.

    numpy's ``sorter=`` argument would copy ``order`` to intp on every call (80 MB at
    10 million codes); a vectorised binary search over the values reads only log2(n).
    """
    low = np.zeros(len(values), dtype=np.int64)
    high = np.full(len(values), len(order), dtype=np.int64)
    while True:
        active = low < high
        if not active.any():
            return low
        middle = (low + high) // 2
        probe = ids[order[middle.clip(max=len(order) - 1)]]
        go_right = (probe <= values) if right else (probe < values)
        low = np.where(active & go_right, middle + 1, low)
        high = np.where(active & ~go_right, middle, high)


@dataclass(frozen=True, slots=True)
class _State:
    """One consistent, never-modified view of the index, published whole."""

    #: Append-only buffers; only rows ``[0, count)`` are meaningful to this state.
    codes: NDArray[np.uint8]  # (capacity, 32)
    ids: Ids  # (capacity,)
    count: int
    #: Rows ``[0, indexed)`` are in every chunk table; ``[indexed, count)`` are scanned.
    indexed: int
    offsets: NDArray[np.uint32]  # (16, 65537)
    positions: tuple[NDArray[np.uint32], ...]  # 16 tables, each covering >= indexed rows
    #: Rows ``[0, indexed)`` ordered by id, to find the rows of removed ids.
    id_order: NDArray[np.uint32]
    #: Removed rows, sorted.
    dead: NDArray[np.int64]

    @property
    def words(self) -> NDArray[np.uint64]:
        return self.codes.view(np.uint64)

    @classmethod
    def empty(cls) -> _State:
        return cls(
            codes=np.empty((0, CODE_BYTES), dtype=np.uint8),
            ids=np.empty(0, dtype=np.int64),
            count=0,
            indexed=0,
            offsets=np.zeros((CHUNKS, KEYS + 1), dtype=np.uint32),
            positions=tuple(np.empty(0, dtype=np.uint32) for _ in range(CHUNKS)),
            id_order=np.empty(0, dtype=np.uint32),
            dead=np.empty(0, dtype=np.int64),
        )


class BinaryCodeIndex:
    """A mutable index of 256-bit codes with int64 ids and exact radius search.

    ``merge_at``: codes added since the last merge that trigger the next one; each query
    scans up to that many, and each merge costs O(n). ``scan_ratio``: scan the whole index
    instead of probing when the probed buckets hold more than this fraction of it.
    ``compact_ratio``: at a merge, rebuild without removed codes once they are this
    fraction of the index (a rebuild briefly holds two copies of the index).
    """

    def __init__(
        self, *, merge_at: int = 16_384, scan_ratio: float = 0.5, compact_ratio: float = 0.2
    ) -> None:
        self.merge_at = merge_at
        self.scan_ratio = scan_ratio
        self.compact_ratio = compact_ratio
        self._state = _State.empty()
        self._write_lock = threading.Lock()

    @classmethod
    def build(cls, ids: Ids, codes: NDArray[np.uint8], **options: Any) -> Self:
        """An index of ``codes``, all in the tables (the bulk-load path)."""
        index = cls(**options)
        index.add(ids, codes)
        index.merge()
        return index

    # Reading -------------------------------------------------------------------------

    def __len__(self) -> int:
        state = self._state
        return state.count - len(state.dead)

    def memory_bytes(self) -> int:
        """Bytes of the rows in use and the tables (spare buffer capacity is never touched,
        so the operating system does not back it with memory)."""
        state = self._state
        row_bytes = state.codes.itemsize * CODE_BYTES + state.ids.itemsize
        tables = state.offsets.nbytes + sum(table.nbytes for table in state.positions)
        return state.count * row_bytes + tables + state.id_order.nbytes + state.dead.nbytes

    def search(self, code: NDArray[np.uint8], radius: int) -> tuple[Ids, Distances]:
        """Ids within ``radius`` bits of ``code``, nearest first (then by id), each once."""
        return self._search(self._state, _as_query(code)[None, :], radius)[0]

    def search_many(self, codes: NDArray[np.uint8], radius: int) -> list[tuple[Ids, Distances]]:
        """``search`` for each row of ``codes``, all against the same snapshot.

        Queries are probed together, a batch at a time: a picture's eight orientations or a
        video's frames cost little more than one query in numpy calls.
        """
        state = self._state
        queries = _as_codes(codes)
        results: list[tuple[Ids, Distances]] = []
        for first in range(0, len(queries), _QUERY_BATCH):
            results += self._search(state, queries[first : first + _QUERY_BATCH], radius)
        return results

    def _search(
        self, state: _State, queries: NDArray[np.uint8], radius: int
    ) -> list[tuple[Ids, Distances]]:
        if radius < 0 or state.count == 0:
            return [(np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int32))] * len(queries)
        words = queries.view(np.uint64)
        plan = self._probe(state, queries, radius)
        if plan is None:
            found = [_scan(state, query, radius, 0, state.count) for query in words]
        else:
            rows, owners, distances = _verify(state, words, radius, *plan)
            found = _split_by_owner(rows, owners, distances, len(queries))
            if state.indexed < state.count:
                found = [
                    _concatenate(hits, _scan(state, query, radius, state.indexed, state.count))
                    for hits, query in zip(found, words, strict=True)
                ]
        return [_results(state, rows, distances) for rows, distances in found]

    def _probe(
        self, state: _State, queries: NDArray[np.uint8], radius: int
    ) -> tuple[Positions, Positions] | None:
        """Candidate rows and the query each is for, or None when scanning is cheaper."""
        if state.indexed == 0:
            return None
        chunk_of, masks, firsts = _probe_plan(min(radius, CODE_BITS))
        keys = queries.view(">u2").astype(np.intp)[:, chunk_of] ^ masks  # (queries, probes)
        starts = state.offsets[chunk_of, keys].astype(np.int64)
        lengths = state.offsets[chunk_of, keys + 1].astype(np.int64) - starts
        if lengths.sum(axis=1).max() > self.scan_ratio * state.indexed:
            return None
        # Probe-major order, so each chunk table's slots are contiguous for one ``take``.
        flat_lengths = lengths.T.ravel()
        slots = _expand_ranges(starts.T.ravel(), flat_lengths)
        owners = np.repeat(np.tile(np.arange(len(queries)), len(chunk_of)), flat_lengths)
        per_chunk = np.add.reduceat(lengths.sum(axis=0), firsts)
        bounds = np.concatenate(([0], np.cumsum(per_chunk)))
        rows = np.concatenate(
            [
                np.take(table, slots[bounds[chunk] : bounds[chunk + 1]])
                for chunk, table in enumerate(state.positions)
            ]
        )
        return rows.astype(np.intp), owners

    # Writing -------------------------------------------------------------------------

    def add(self, ids: Ids, codes: NDArray[np.uint8]) -> None:
        """Store ``codes[i]`` under ``ids[i]``; an id may hold several codes."""
        codes = _as_codes(codes)
        ids = np.asarray(ids, dtype=np.int64).reshape(-1)
        if len(ids) != len(codes):
            raise ValueError(f"{len(ids)} ids for {len(codes)} codes")
        if not len(ids):
            return
        with self._write_lock:
            state = _reserve(self._state, len(ids))
            state.codes[state.count : state.count + len(ids)] = codes
            state.ids[state.count : state.count + len(ids)] = ids
            self._state = replace(state, count=state.count + len(ids))
            if self._state.count - self._state.indexed >= self.merge_at:
                self._merge()

    def remove(self, ids: Iterable[int]) -> None:
        """Forget every code stored under these ids; unknown ids are ignored."""
        wanted = np.unique(np.fromiter(ids, dtype=np.int64))
        if not len(wanted):
            return
        with self._write_lock:
            state = self._state
            rows = np.concatenate((_indexed_rows(state, wanted), _tail_rows(state, wanted)))
            if len(rows):
                dead = np.union1d(state.dead, rows.astype(np.int64))
                self._state = replace(state, dead=dead)

    def merge(self) -> None:
        """Merge the delta into the tables now (also compacting, if worthwhile)."""
        with self._write_lock:
            self._merge()

    def _merge(self) -> None:
        state = self._state
        if len(state.dead) and len(state.dead) >= self.compact_ratio * state.count:
            self._state = _compacted(state)
            return
        if state.indexed == state.count:
            return
        rebuild = state.count - state.indexed > state.indexed // 2
        for chunk in range(CHUNKS):  # one table at a time: never two full copies
            self._state = _with_table(self._state, chunk, rebuild=rebuild)
        self._state = replace(self._state, indexed=state.count, id_order=_merged_id_order(state))

    # Storage -------------------------------------------------------------------------

    def save(self, folder: Path) -> None:
        """Write ``.npy`` arrays and ``meta.json`` into ``folder`` (created if missing)."""
        folder.mkdir(parents=True, exist_ok=True)
        with self._write_lock:  # a merge publishes intermediate states; save whole ones
            state = self._state
        arrays: dict[str, NDArray[Any]] = {
            "codes": state.codes[: state.count],
            "ids": state.ids[: state.count],
            "offsets": state.offsets,
            "id_order": state.id_order,
            "dead": state.dead,
        }
        arrays |= {f"positions-{chunk:02d}": table for chunk, table in enumerate(state.positions)}
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array, allow_pickle=False)
        meta = {"format": FORMAT, "version": FORMAT_VERSION, "count": state.count}
        meta |= {"indexed": state.indexed, "dead": len(state.dead)}
        meta |= {"merge_at": self.merge_at, "scan_ratio": self.scan_ratio}
        meta |= {"compact_ratio": self.compact_ratio}
        # meta.json last: a folder without it is an incomplete save.
        (folder / "meta.json").write_text(json.dumps(meta, indent=2))

    @classmethod
    def load(cls, folder: Path) -> Self:
        """Read an index written by ``save``; ``IndexFormatError`` if it is unusable."""
        try:
            meta = _read_meta(folder)
            state = _read_state(folder, meta)
            index = cls(
                merge_at=int(meta["merge_at"]),
                scan_ratio=float(meta["scan_ratio"]),
                compact_ratio=float(meta["compact_ratio"]),
            )
        except IndexFormatError:
            raise
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise IndexFormatError(
                f"cannot read the binary code index in {folder}: {error}"
            ) from None
        index._state = state
        return index


# Query helpers ---------------------------------------------------------------------------


def _as_query(code: NDArray[np.uint8]) -> NDArray[np.uint8]:
    query = np.ascontiguousarray(code, dtype=np.uint8)
    if query.shape != (CODE_BYTES,):
        raise ValueError(f"a code is {CODE_BYTES} bytes, got shape {query.shape}")
    return query


def _as_codes(codes: NDArray[np.uint8]) -> NDArray[np.uint8]:
    array = np.ascontiguousarray(codes, dtype=np.uint8)
    if array.shape[1:] != (CODE_BYTES,):
        raise ValueError(f"codes are (n, {CODE_BYTES}) bytes, got shape {array.shape}")
    return array


def _verify(
    state: _State, queries: NDArray[np.uint64], radius: int, rows: Positions, owners: Positions
) -> tuple[Positions, Positions, NDArray[np.uint16]]:
    """The candidates within ``radius`` of their query, checked on half the bits first.

    Most candidates are unrelated codes about 64 bits away in the first 128 bits alone, so
    the second half is only compared for the few that survive.
    """
    words = np.take(state.words, rows, axis=0)
    # One query broadcasts; several are gathered per candidate.
    against = queries[0] if len(queries) == 1 else queries[owners]
    half = _distances(words[:, :2], against[..., :2])
    survivors = np.flatnonzero(half <= radius)
    rest = against[..., 2:] if len(queries) == 1 else against[survivors, 2:]
    distances = half[survivors] + _distances(words[survivors, 2:], rest)
    near = distances <= radius
    kept = survivors[near]
    return rows[kept], owners[kept], distances[near]


def _split_by_owner(
    rows: Positions, owners: Positions, distances: NDArray[np.uint16], queries: int
) -> list[tuple[Positions, NDArray[np.uint16]]]:
    """Verified candidates grouped by the query they are for, one pair per query."""
    order = np.argsort(owners, kind="stable")
    bounds = np.searchsorted(owners[order], np.arange(queries + 1))
    rows, distances = rows[order], distances[order]
    return [(rows[start:stop], distances[start:stop]) for start, stop in pairwise(bounds)]


def _concatenate(
    first: tuple[Positions, NDArray[np.uint16]], second: tuple[Positions, NDArray[np.uint16]]
) -> tuple[Positions, NDArray[np.uint16]]:
    return np.concatenate((first[0], second[0])), np.concatenate((first[1], second[1]))


def _scan(
    state: _State, query: NDArray[np.uint64], radius: int, start: int, stop: int
) -> tuple[Positions, NDArray[np.uint16]]:
    """Rows in ``[start, stop)`` within ``radius``, by brute force, block by block."""
    rows: list[Positions] = [np.empty(0, dtype=np.intp)]
    distances: list[NDArray[np.uint16]] = [np.empty(0, dtype=np.uint16)]
    words = state.words
    for first in range(start, stop, _SCAN_BLOCK):
        block = _distances(words[first : min(first + _SCAN_BLOCK, stop)], query)
        near = np.flatnonzero(block <= radius)
        rows.append(near + first)
        distances.append(block[near])
    return np.concatenate(rows), np.concatenate(distances)


def _results(
    state: _State, rows: Positions, distances: NDArray[np.uint16]
) -> tuple[Ids, Distances]:
    """Drop removed rows; each id once at its smallest distance; by distance, then id."""
    if len(state.dead):
        alive = ~_sorted_contains(state.dead, rows)
        rows, distances = rows[alive], distances[alive]
    ids = state.ids[rows]
    by_id = np.lexsort((distances, ids))
    ids, distances = ids[by_id], distances[by_id]
    first = np.ones(len(ids), dtype=bool)
    first[1:] = ids[1:] != ids[:-1]
    ids, distances = ids[first], distances[first]
    nearest = np.lexsort((ids, distances))
    return ids[nearest], distances[nearest].astype(np.int32)


# Write helpers ---------------------------------------------------------------------------


def _reserve(state: _State, extra: int) -> _State:
    """A state whose buffers have room for ``extra`` more rows.

    Growth doubles: the spare rows are never written until used, so the operating system
    does not back them with memory, and a regrowth (a full copy) stays rare.
    """
    needed = state.count + extra
    if needed <= len(state.ids):
        return state
    capacity = max(2 * needed, 4096)
    codes = np.empty((capacity, CODE_BYTES), dtype=np.uint8)
    ids = np.empty(capacity, dtype=np.int64)
    codes[: state.count] = state.codes[: state.count]
    ids[: state.count] = state.ids[: state.count]
    return replace(state, codes=codes, ids=ids)


def _with_table(state: _State, chunk: int, *, rebuild: bool) -> _State:
    """``state`` with chunk ``chunk``'s table covering all ``count`` rows."""
    codes = state.codes[: state.count]
    if rebuild:
        offsets, table = _table(_chunk_keys(codes, chunk))
    else:
        offsets, table = _extend_table(
            state.offsets[chunk],
            state.positions[chunk],
            _chunk_keys(codes[state.indexed :], chunk),
            state.indexed,
        )
    all_offsets = state.offsets.copy()  # 4 MB: readers may hold the old one
    all_offsets[chunk] = offsets
    positions = (*state.positions[:chunk], table, *state.positions[chunk + 1 :])
    return replace(state, offsets=all_offsets, positions=positions)


def _merged_id_order(state: _State) -> NDArray[np.uint32]:
    """Rows ``[0, count)`` by id, from ``state.id_order`` and the tail's rows."""
    tail_ids = state.ids[state.indexed : state.count]
    tail_order = np.argsort(tail_ids, kind="stable")
    if state.indexed == 0:
        return tail_order.astype(np.uint32)
    at = _search_sorted_ids(state.ids, state.id_order, tail_ids[tail_order], right=True)
    return np.insert(state.id_order, at, (tail_order + state.indexed).astype(np.uint32))


def _compacted(state: _State) -> _State:
    """A fresh state holding only the live rows, fully indexed."""
    alive = np.ones(state.count, dtype=bool)
    alive[state.dead] = False
    fresh = _reserve(_State.empty(), int(alive.sum()))
    live = int(alive.sum())
    fresh.codes[:live] = state.codes[: state.count][alive]
    fresh.ids[:live] = state.ids[: state.count][alive]
    fresh = replace(fresh, count=live)
    for chunk in range(CHUNKS):
        fresh = _with_table(fresh, chunk, rebuild=True)
    return replace(fresh, indexed=live, id_order=_merged_id_order(fresh))


def _indexed_rows(state: _State, wanted: Ids) -> Positions:
    """Rows in ``[0, indexed)`` whose id is in the sorted ``wanted``."""
    if state.indexed == 0:
        return np.empty(0, dtype=np.intp)
    low = _search_sorted_ids(state.ids, state.id_order, wanted, right=False)
    high = _search_sorted_ids(state.ids, state.id_order, wanted, right=True)
    slots = _expand_ranges(low, high - low)
    return state.id_order[slots].astype(np.intp)


def _tail_rows(state: _State, wanted: Ids) -> Positions:
    tail = state.ids[state.indexed : state.count]
    return np.flatnonzero(np.isin(tail, wanted)) + state.indexed


# Storage helpers -------------------------------------------------------------------------


def _read_meta(folder: Path) -> dict[str, Any]:
    path = folder / "meta.json"
    if not path.is_file():
        raise IndexFormatError(f"no binary code index in {folder}: meta.json is missing")
    try:
        meta = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise IndexFormatError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(f"{path} does not describe a binary code index")
    if meta.get("version") != FORMAT_VERSION:
        raise IndexFormatError(
            f"{path} has format version {meta.get('version')}; this accord reads {FORMAT_VERSION}"
        )
    return meta


def _read_state(folder: Path, meta: dict[str, Any]) -> _State:
    count, indexed, dead_count = int(meta["count"]), int(meta["indexed"]), int(meta["dead"])
    if not 0 <= indexed <= count:
        raise IndexFormatError(f"meta.json in {folder} has {indexed} indexed of {count} rows")
    capacity = max(2 * count, 4096)  # spare rows cost no memory until written
    codes = _read_npy(folder / "codes.npy", np.uint8, (count, CODE_BYTES), capacity)
    ids = _read_npy(folder / "ids.npy", np.int64, (count,), capacity)
    offsets = _read_npy(folder / "offsets.npy", np.uint32, (CHUNKS, KEYS + 1))
    positions = tuple(
        _read_npy(folder / f"positions-{chunk:02d}.npy", np.uint32, (indexed,))
        for chunk in range(CHUNKS)
    )
    id_order = _read_npy(folder / "id_order.npy", np.uint32, (indexed,))
    dead = _read_npy(folder / "dead.npy", np.int64, (dead_count,))
    _check_tables(folder, offsets, positions, id_order, indexed)
    if len(dead) and (dead.min() < 0 or dead.max() >= count or np.any(np.diff(dead) <= 0)):
        raise IndexFormatError(f"dead.npy in {folder} lists rows that do not exist")
    return _State(codes, ids, count, indexed, offsets, positions, id_order, dead)


def _check_tables(
    folder: Path,
    offsets: NDArray[np.uint32],
    positions: tuple[NDArray[np.uint32], ...],
    id_order: NDArray[np.uint32],
    indexed: int,
) -> None:
    """Cheap structural checks, so a corrupt file fails here rather than in a query."""
    if np.any(offsets[:, 0] != 0) or np.any(offsets[:, -1] != indexed):
        raise IndexFormatError(f"offsets.npy in {folder} does not cover {indexed} rows")
    if np.any(np.diff(offsets.astype(np.int64), axis=1) < 0):
        raise IndexFormatError(f"offsets.npy in {folder} is not ascending")
    for table in (*positions, id_order):
        if len(table) and int(table.max()) >= indexed:
            raise IndexFormatError(f"a table in {folder} points past its {indexed} rows")


def _read_npy(
    path: Path, dtype: type[np.generic], shape: tuple[int, ...], capacity: int | None = None
) -> NDArray[Any]:
    """One ``.npy`` array of exactly this dtype and shape, never unpickled.

    With ``capacity``, it is read straight into a buffer of that many rows (no second
    copy), so adding to a loaded index does not regrow it at once.
    """
    if not path.is_file():
        raise IndexFormatError(f"{path.name} is missing from {path.parent}")
    with path.open("rb") as handle:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            header = np.lib.format.read_array_header_1_0(handle)
        elif version in ((2, 0), (3, 0)):
            header = np.lib.format.read_array_header_2_0(handle)
        else:
            raise IndexFormatError(f"{path} has unknown .npy version {version}")
        stored_shape, fortran, stored_dtype = header
        if stored_dtype != np.dtype(dtype) or tuple(stored_shape) != shape or fortran:
            raise IndexFormatError(
                f"{path} holds {stored_dtype} {tuple(stored_shape)}, expected "
                f"{np.dtype(dtype)} {shape}"
            )
        rows = shape[0] if capacity is None else max(capacity, shape[0])
        array = np.empty((rows, *shape[1:]), dtype=dtype)
        target = array[: shape[0]].reshape(-1).view(np.uint8).data
        if handle.readinto(target) != target.nbytes or handle.read(1):
            raise IndexFormatError(f"{path} is truncated or has trailing bytes")
    return array
