"""``AudioIndex``: finds the stored recordings that contain an excerpt, and where.

The classic Haitsma-Kalker lookup over ``af1`` fingerprints (``accord.signals.audio``).
Every stored recording's words lie end to end in one array; an inverted index maps each
audible (non-zero) 32-bit word to its positions there, as two numpy arrays sorted by
word, plus a small sorted *delta* that new recordings go into and that is merged into
the main arrays once it holds an eighth as many entries (so an add costs amortised
O(its words), never a re-sort of everything). Removal marks a recording dead; its words
are dropped once dead words outnumber live ones, and always before saving.

A query looks up its words, and the one-bit neighbours of up to ``_FLIP_WORDS`` of them
(evenly spread), with one vectorised ``searchsorted``. Every hit votes for a stored
recording and an alignment (stored position minus query position). The best-voted
alignments are checked with the full bit error rate (``signals.audio``'s own check,
+-``REFINE`` words), so a hit's distance is ``AudioFingerprint.distance`` of the pair.

Why the neighbours: an exact word survives a BER of ``p`` with probability
``(1 - p) ** 32``, 0.9 % at 0.136 (white noise at 20 dB SNR); with its 32 one-bit
neighbours it survives with ~5.6 %. Measured in a 10-hour index (816 recordings), with
excerpts of a generated speech-and-music recording at 12 offsets: every 10 s and 5 s
excerpt through MP3, Opus and AAC at 32 and 64 kbit/s, 22 kHz resampling, +6 dB and
white noise at 20 and 15 dB SNR is found at its exact offset; of 3 s excerpts, all but
2 of 12 at 15 dB SNR and 3 of 12 at 10 dB. Without the neighbours, 3 s excerpts at
20 dB SNR lose 2 of 12 as well. The misses are excerpts degraded close to the threshold
(BER 0.22-0.29) of which no word survived even one bit away; when the index holds little
audio (``_SCAN_ALL_BUDGET``), every recording without a vote is also aligned the
exhaustive way ``AudioFingerprint.distance`` does, which finds them.

Both directions work with one lookup: the votes do not care which side is longer. A
query longer than a stored recording (a whole broadcast, against a known clip) finds the
clip through the exact words of the whole query and the neighbours of a spread of
``_FLIP_WORDS`` of them. Measured with 10 s, 5 s and 3 s clips stored and the whole
attacked recording inside a 10-minute query: every 10 s clip is found; of 5 s clips all
but 1 of 12 at 15 and 10 dB SNR; of 3 s clips all but 1 at Opus 32 kbit/s and 2 under
noise of 20 dB SNR or worse (the neighbours reach a sample of a long query's words only).

``detail["offset_seconds"]`` is always the stored recording's time minus the query's:
where an excerpt starts in the recording, or minus where a stored clip starts in a
longer query.

Speed (one core): a 10 s excerpt against 10 hours of audio takes ~10 ms, a 65 s query
~70 ms; the index takes ~17 bytes per stored word (~62 MB for 10 hours).

One algorithm in one module (over 500 lines): the delta, the dead marks and the voting
share invariants that are easier to check read together than across files.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Final, Self

import numpy as np
from numpy.typing import DTypeLike, NDArray

from accord.errors import IndexFormatError
from accord.index.base import IndexHit, SignalIndex
from accord.signals.audio import (
    MIN_EVIDENCE,
    SLACK_WORDS,
    WORD_SECONDS,
    AudioFingerprint,
    Words,
    _best_alignment,
    _verify,
    decode_words,
)

FORMAT: Final = "accord.audio-index"
VERSION: Final = 1
#: Query words whose 32 one-bit neighbours are looked up as well, at most (evenly spread).
_FLIP_WORDS: Final = 4096
#: A word stored more often than this says little about where a query lies; skipped.
_MAX_WORD_REPEATS: Final = 256
#: Hits expanded per query at most; the most repeated words are dropped first beyond it.
_MAX_HITS: Final = 4_000_000
#: Alignments verified per stored recording, and recordings verified per query, at most.
_OFFSETS_PER_ITEM: Final = 3
_MAX_CANDIDATES: Final = 512
#: Word comparisons spent verifying candidates of one query (the best-voted go first).
_VERIFY_BUDGET: Final = 100_000_000
#: Below this many word comparisons (query words x stored words), every recording that
#: got no vote is also aligned exhaustively (~0.1 s): in a small index that costs little
#: and finds the rare excerpt, degraded close to the threshold, whose words all changed.
_SCAN_ALL_BUDGET: Final = 20_000_000
#: The delta is merged into the main postings once it holds this share of them (or more
#: than ``_DELTA_MIN`` entries when the index is small).
_DELTA_SHARE: Final = 8
_DELTA_MIN: Final = 1 << 16
#: Dead words are dropped once they outnumber live ones and exceed this many.
_COMPACT_MIN: Final = 1 << 16

Int64s = NDArray[np.int64]


class GrowableArray:
    """A numpy array of rows that grows by doubling, so appends cost amortised O(rows).

    (The vPDQ index keeps its frame table in these too.)
    """

    def __init__(self, dtype: DTypeLike, row_shape: tuple[int, ...] = ()) -> None:
        self._data: NDArray[Any] = np.empty((0, *row_shape), dtype=dtype)
        self._size = 0

    @property
    def view(self) -> NDArray[Any]:
        return self._data[: self._size]

    def __len__(self) -> int:
        return self._size

    def append(self, values: NDArray[Any]) -> None:
        end = self._size + len(values)
        if end > len(self._data):
            rows = max(end, 2 * len(self._data), 16)
            grown = np.empty((rows, *self._data.shape[1:]), dtype=self._data.dtype)
            grown[: self._size] = self.view
            self._data = grown
        self._data[self._size : end] = values
        self._size = end

    def replace(self, values: NDArray[Any]) -> None:
        """Hold exactly ``values`` (a copy), with no spare capacity."""
        self._data = np.array(values, dtype=self._data.dtype).reshape(-1, *self._data.shape[1:])
        self._size = len(values)

    @property
    def nbytes(self) -> int:
        return int(self._data.nbytes)


class Segments:
    """Stored items as runs of rows of one shared table, in the order they were added.

    Per run ("segment"): the item id, its first row, its row count, and whether it is
    live. Removal only marks runs dead; ``compact`` drops them and renumbers the rows.
    (The vPDQ index keeps its frames this way too.)
    """

    def __init__(self) -> None:
        self.items = GrowableArray(np.int64)
        self.starts = GrowableArray(np.int64)
        self.lengths = GrowableArray(np.int64)
        self.live = GrowableArray(np.bool_)
        #: Rows of the table, dead ones included, and how many of them are dead.
        self.rows = 0
        self.dead_rows = 0
        self._live_count = 0

    def __len__(self) -> int:
        return self._live_count

    @property
    def nbytes(self) -> int:
        return sum(part.nbytes for part in (self.items, self.starts, self.lengths, self.live))

    def append(self, items: Int64s, lengths: Int64s) -> int:
        """Add runs of ``lengths`` rows at the table's end; return their first row."""
        first = self.rows
        self.items.append(items)
        self.starts.append(first + np.cumsum(lengths) - lengths)
        self.lengths.append(lengths)
        self.live.append(np.ones(len(items), dtype=np.bool_))
        self.rows += int(lengths.sum())
        self._live_count += len(items)
        return first

    def kill(self, items: Iterable[int]) -> None:
        """Mark the live runs of ``items`` dead; unknown ids are ignored."""
        gone = np.fromiter((int(item) for item in items), dtype=np.int64)
        if len(gone) == 0 or len(self.items) == 0:
            return
        hit = self.live.view & np.isin(self.items.view, gone)
        self.live.view[hit] = False
        self.dead_rows += int(self.lengths.view[hit].sum())
        self._live_count -= int(np.count_nonzero(hit))

    def wasteful(self, minimum: int) -> bool:
        """Whether dead rows outnumber live ones (and ``minimum``): time to compact."""
        return self.dead_rows > max(minimum, self.rows - self.dead_rows)

    def kept_rows(self) -> NDArray[np.bool_]:
        """Which rows of the table belong to live runs."""
        kept: NDArray[np.bool_] = np.repeat(self.live.view, self.lengths.view)
        return kept

    def compact(self) -> None:
        """Forget dead runs; the table's owner drops their rows (``kept_rows``) too."""
        live = self.live.view
        lengths = self.lengths.view[live]
        self.restore(self.items.view[live], lengths)

    def restore(self, items: Int64s, lengths: Int64s) -> None:
        """Hold exactly these live runs, back to back from row 0."""
        self.items.replace(items)
        self.starts.replace(np.cumsum(lengths) - lengths)
        self.lengths.replace(lengths)
        self.live.replace(np.ones(len(items), dtype=np.bool_))
        self.rows, self.dead_rows, self._live_count = int(lengths.sum()), 0, len(items)

    def of_rows(self, rows: Int64s) -> Int64s:
        """The run each row lies in."""
        found: Int64s = np.searchsorted(self.starts.view, rows, side="right") - 1
        return found

    def span(self, segment: int) -> slice:
        start = int(self.starts.view[segment])
        return slice(start, start + int(self.lengths.view[segment]))


class _Postings:
    """Word -> positions, as sorted arrays: a large main part and a small delta."""

    def __init__(self) -> None:
        self.keys: Words = np.empty(0, dtype=np.uint32)
        self.positions: Int64s = np.empty(0, dtype=np.int64)
        self._delta_keys: Words = np.empty(0, dtype=np.uint32)
        self._delta_positions: Int64s = np.empty(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.keys) + len(self._delta_keys)

    @property
    def nbytes(self) -> int:
        parts = (self.keys, self.positions, self._delta_keys, self._delta_positions)
        return sum(int(part.nbytes) for part in parts)

    def add(self, keys: Words, positions: Int64s) -> None:
        order = np.argsort(keys, kind="stable")
        self._delta_keys, self._delta_positions = _merge(
            self._delta_keys, self._delta_positions, keys[order], positions[order]
        )
        if len(self._delta_keys) > max(_DELTA_MIN, len(self.keys) // _DELTA_SHARE):
            self.flush()

    def flush(self) -> None:
        """Merge the delta into the main arrays: O(entries), no sort."""
        self.keys, self.positions = _merge(
            self.keys, self.positions, self._delta_keys, self._delta_positions
        )
        self._delta_keys = np.empty(0, dtype=np.uint32)
        self._delta_positions = np.empty(0, dtype=np.int64)

    def filter(self, keep: NDArray[np.bool_], new_positions: Int64s) -> None:
        """Keep the entries ``keep`` marks (it is indexed by position), renumbered."""
        self.flush()
        kept = keep[self.positions]
        self.keys = self.keys[kept]
        self.positions = new_positions[self.positions[kept]]

    def lookup(self, queries: Words) -> tuple[NDArray[np.intp], Int64s]:
        """For every stored occurrence of a query word: (the query's index, the position).

        Words stored more than ``_MAX_WORD_REPEATS`` times are skipped, and beyond
        ``_MAX_HITS`` hits the most repeated words go first.
        """
        parts = [(self.keys, self.positions), (self._delta_keys, self._delta_positions)]
        ranges = [_ranges(keys, queries) for keys, _ in parts]
        total = ranges[0][1] + ranges[1][1]
        useful = (total > 0) & (total <= _MAX_WORD_REPEATS)
        if int(total[useful].sum()) > _MAX_HITS:
            useful &= total <= _repeat_cap(total[useful])
        found: list[tuple[NDArray[np.intp], Int64s]] = []
        for (_, positions), (left, counts) in zip(parts, ranges, strict=True):
            chosen = np.flatnonzero(useful & (counts > 0))
            found.append(_expand(positions, left[chosen], counts[chosen], chosen))
        return (
            np.concatenate([which for which, _ in found]),
            np.concatenate([where for _, where in found]),
        )


def _merge(
    keys: Words, positions: Int64s, more_keys: Words, more_positions: Int64s
) -> tuple[Words, Int64s]:
    """Two key-sorted postings lists as one, by insertion (linear, no re-sort)."""
    at = np.searchsorted(keys, more_keys, side="right")
    return np.insert(keys, at, more_keys), np.insert(positions, at, more_positions)


def _ranges(keys: Words, queries: Words) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    left = np.searchsorted(keys, queries, side="left")
    return left, np.searchsorted(keys, queries, side="right") - left


def _repeat_cap(counts: NDArray[np.intp]) -> int:
    """A per-word count cap that keeps the hits of ``counts`` (over budget) within it."""
    ordered = np.sort(counts)
    fitting = int(np.searchsorted(np.cumsum(ordered), _MAX_HITS, side="right"))
    return int(ordered[fitting]) - 1  # below the first word that no longer fits


def _expand(
    positions: Int64s, left: NDArray[np.intp], counts: NDArray[np.intp], which: NDArray[np.intp]
) -> tuple[NDArray[np.intp], Int64s]:
    """Each run ``positions[left : left + count]`` as one row per hit."""
    total = int(counts.sum())
    first = np.repeat(left - (np.cumsum(counts) - counts), counts)
    return np.repeat(which, counts), positions[np.arange(total) + first]


class AudioIndex(SignalIndex):
    """Stored ``af1`` fingerprints, searchable by excerpt; see the module docstring."""

    signal_type = "audio"

    def __init__(self) -> None:
        #: Every stored recording's words, end to end (dead ones until compaction).
        self._words = GrowableArray(np.uint32)
        self._segments = Segments()
        self._postings = _Postings()

    # --- changes -----------------------------------------------------------------------

    def add(self, items: Sequence[tuple[int, str]]) -> None:
        """Store recordings; an item already stored is replaced."""
        latest = {int(item): decode_words(value) for item, value in items}  # last one wins
        if not latest:
            return
        self.remove(latest)
        lengths = np.array([len(words) for words in latest.values()], dtype=np.int64)
        words = np.concatenate(list(latest.values()))
        ids = np.fromiter(latest, dtype=np.int64, count=len(latest))
        start = self._segments.append(ids, lengths)
        self._words.append(words)
        audible = np.flatnonzero(words)
        # One merge for the whole batch: bulk loads stay linear.
        self._postings.add(words[audible], audible.astype(np.int64) + start)

    def remove(self, items: Iterable[int]) -> None:
        self._segments.kill(items)
        if self._segments.wasteful(_COMPACT_MIN):
            self._compact()

    def _compact(self) -> None:
        """Drop dead recordings' words and postings, renumbering positions (linear)."""
        keep = self._segments.kept_rows()
        self._postings.filter(keep, np.cumsum(keep, dtype=np.int64) - 1)
        self._words.replace(self._words.view[keep])
        self._segments.compact()

    # --- queries -----------------------------------------------------------------------

    def query(self, value: str, threshold: float) -> list[IndexHit]:
        """Stored recordings within BER ``threshold`` of ``value`` at their best alignment."""
        words = decode_words(value)
        audible = np.flatnonzero(words)
        if len(audible) == 0 or len(self) == 0:
            return []
        segments, offsets = self._votes(words, audible)
        found = {
            segment: self._check(words, segment, guesses)
            for segment, guesses in self._candidates(segments, offsets, len(words))
        }
        live_words = self._segments.rows - self._segments.dead_rows
        if len(words) * live_words <= _SCAN_ALL_BUDGET:
            found |= self._scan_all(words, set(found))
        hits = [hit for hit in found.values() if hit.distance <= threshold]
        return sorted(hits, key=lambda hit: (hit.distance, hit.item))

    def _votes(self, words: Words, audible: NDArray[np.intp]) -> tuple[Int64s, Int64s]:
        """For every word hit: its live segment, and the alignment it votes for."""
        queries, query_positions = _lookups(words, audible)
        which, positions = self._postings.lookup(queries)
        segments = self._segments.of_rows(positions)
        live = self._segments.live.view[segments]
        segments, positions, which = segments[live], positions[live], which[live]
        offsets = positions - self._segments.starts.view[segments] - query_positions[which]
        return segments, offsets

    def _candidates(
        self, segments: Int64s, offsets: Int64s, query_length: int
    ) -> list[tuple[int, Int64s]]:
        """Segments with their best-voted alignments, best first, within the budget."""
        if len(segments) == 0:
            return []
        # One key per (segment, alignment); alignments lie within +-MAX_WORDS < 2**31.
        keys, votes = np.unique((segments << 32) + (offsets + (1 << 31)), return_counts=True)
        order = np.lexsort((-votes, keys >> 32))  # by segment, most votes first
        keys, votes = keys[order], votes[order]
        segment_of = keys >> 32
        first = np.flatnonzero(np.r_[True, segment_of[1:] != segment_of[:-1]])
        ranked = first[np.argsort(-votes[first], kind="stable")][:_MAX_CANDIDATES]
        lengths = self._segments.lengths.view
        chosen: list[tuple[int, Int64s]] = []
        spent = 0
        for start in ranked:
            segment = int(segment_of[start])
            run = keys[start : start + _OFFSETS_PER_ITEM]
            guesses = run[(run >> 32) == segment] - (segment << 32) - (1 << 31)
            chosen.append((segment, guesses))
            spent += min(query_length, int(lengths[segment])) * len(guesses) * 7
            if spent > _VERIFY_BUDGET:
                break
        return chosen

    def _check(self, words: Words, segment: int, guesses: Int64s) -> IndexHit:
        offset, ber = aligned_ber(words, self._stored(segment), guesses)
        return self._hit(segment, offset, ber)

    def _scan_all(self, words: Words, done: set[int]) -> dict[int, IndexHit]:
        """Every other live recording, aligned the slow, exhaustive way (small indices)."""
        found = {}
        for segment in np.flatnonzero(self._segments.live.view).tolist():
            if segment not in done:
                offset, ber = exhaustive_ber(words, self._stored(segment))
                found[segment] = self._hit(segment, offset, ber)
        return found

    def _stored(self, segment: int) -> Words:
        stored: Words = self._words.view[self._segments.span(segment)]
        return stored

    def _hit(self, segment: int, offset: int, ber: float) -> IndexHit:
        return IndexHit(
            item=int(self._segments.items.view[segment]),
            distance=ber,
            detail={"offset_seconds": round(offset * WORD_SECONDS, 4), "ber": ber},
        )

    # --- size and persistence ----------------------------------------------------------

    def __len__(self) -> int:
        return len(self._segments)

    def memory_bytes(self) -> int:
        return self._words.nbytes + self._segments.nbytes + self._postings.nbytes

    def save(self, folder: Path) -> None:
        """Write the live recordings and their postings (compacted) into ``folder``."""
        self._compact()
        self._postings.flush()
        folder.mkdir(parents=True, exist_ok=True)
        arrays = self._arrays()
        for name, array in arrays.items():
            np.save(folder / f"{name}.npy", array, allow_pickle=False)
        meta = {"format": FORMAT, "version": VERSION, "signal_type": self.signal_type}
        meta |= {name: len(array) for name, array in arrays.items()}
        (folder / "meta.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    def _arrays(self) -> dict[str, NDArray[Any]]:
        return {
            "words": self._words.view,
            "items": self._segments.items.view,
            "lengths": self._segments.lengths.view,
            "keys": self._postings.keys,
            "positions": self._postings.positions,
        }

    @classmethod
    def load(cls, folder: Path) -> Self:
        meta = _read_meta(folder)
        arrays = {
            name: _read_array(folder / f"{name}.npy", dtype, int(meta.get(name, -1)))
            for name, dtype in _DTYPES.items()
        }
        _check_consistent(arrays)
        index = cls()
        index._words.replace(arrays["words"])
        index._segments.restore(arrays["items"], arrays["lengths"])
        index._postings.keys = arrays["keys"]
        index._postings.positions = arrays["positions"]
        return index


def aligned_ber(query: Words, stored: Words, guesses: Int64s) -> tuple[int, float]:
    """The best of the alignments ``guesses`` (stored word index under the query's first
    word), each refined +-REFINE words: ``(stored minus query offset in words, BER)``.

    The shorter fingerprint is laid along the longer one, with ``signals.audio``'s
    overhang and evidence rules, so the BER is the pair's ``AudioFingerprint.distance``
    whenever a guess lies within ``REFINE`` words of the best alignment.
    """
    flipped = len(query) > len(stored)
    short, long = (stored, query) if flipped else (query, stored)
    starts = -guesses if flipped else guesses
    n = len(short)
    slack = min(SLACK_WORDS, n // 4)
    need = min(MIN_EVIDENCE, math.ceil(n / 2))
    pad = np.zeros(slack, dtype=np.uint32)
    padded = np.concatenate([pad, long, pad])
    last = len(long) - n + 2 * slack
    offset, ber = _verify(short, padded, (starts + slack).astype(np.intp), need, last)
    offset -= slack
    return (-offset if flipped else offset), ber


def exhaustive_ber(query: Words, stored: Words) -> tuple[int, float]:
    """``AudioFingerprint.distance``'s search (word hits, then every offset) for a pair:
    ``(stored minus query offset in words, BER)``."""
    if len(query) > len(stored):
        offset, ber = _best_alignment(stored, query, good_enough=AudioFingerprint.threshold)
        return -offset, ber
    return _best_alignment(query, stored, good_enough=AudioFingerprint.threshold)


def _lookups(words: Words, audible: NDArray[np.intp]) -> tuple[Words, NDArray[np.intp]]:
    """Every audible word, and the one-bit neighbours of an even spread of them."""
    spread = audible
    if len(spread) > _FLIP_WORDS:
        spread = audible[np.linspace(0, len(audible) - 1, _FLIP_WORDS).astype(np.intp)]
    bits = np.left_shift(np.uint32(1), np.arange(32, dtype=np.uint32))
    flipped = (words[spread][None, :] ^ bits[:, None]).reshape(-1)
    queries = np.concatenate([words[audible], flipped])
    positions = np.concatenate([audible, np.tile(spread, 32)])
    keep = np.flatnonzero(queries != 0)  # a flip that gives 0 would look up "silence"
    # Sorted, searchsorted walks the postings in order: several times faster.
    keep = keep[np.argsort(queries[keep], kind="stable")]
    return queries[keep], positions[keep]


# --- reading a saved index --------------------------------------------------------------

_DTYPES: Final[dict[str, np.dtype[Any]]] = {
    "words": np.dtype(np.uint32),
    "items": np.dtype(np.int64),
    "lengths": np.dtype(np.int64),
    "keys": np.dtype(np.uint32),
    "positions": np.dtype(np.int64),
}


def _read_meta(folder: Path) -> dict[str, Any]:
    try:
        meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise IndexFormatError(f"cannot read the audio index's meta.json: {error}") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise IndexFormatError(f"{folder} does not hold an audio index")
    if meta.get("version") != VERSION:
        raise IndexFormatError(f"audio index version {meta.get('version')!r} is not {VERSION}")
    if not all(isinstance(meta.get(name), int) for name in _DTYPES):
        raise IndexFormatError("the audio index's meta.json lacks its array sizes")
    return meta


def _read_array(path: Path, dtype: np.dtype[Any], size: int) -> NDArray[Any]:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError, EOFError) as error:
        raise IndexFormatError(f"cannot read {path.name}: {error}") from None
    if not isinstance(array, np.ndarray) or array.dtype != dtype or array.shape != (size,):
        raise IndexFormatError(f"{path.name} is not {size} values of type {dtype}")
    return array


def _check_consistent(arrays: dict[str, NDArray[Any]]) -> None:
    """Refuse arrays that ``save`` cannot have written together (linear checks only)."""
    words, items, lengths = arrays["words"], arrays["items"], arrays["lengths"]
    keys, positions = arrays["keys"], arrays["positions"]
    problems = [
        (len(items) != len(lengths), "items and lengths differ in size"),
        (bool((lengths < 1).any()) or int(lengths.sum()) != len(words), "bad lengths"),
        (len(np.unique(items)) != len(items), "an item is stored twice"),
        (len(keys) != int(np.count_nonzero(words)), "postings do not cover the words"),
        (bool((np.diff(keys.astype(np.int64)) < 0).any()), "postings are not sorted"),
    ]
    for failed, why in problems:
        if failed:
            raise IndexFormatError(f"inconsistent audio index: {why}")
    inside = (positions >= 0) & (positions < len(words))
    if not inside.all() or not np.array_equal(words[positions], keys):
        raise IndexFormatError("inconsistent audio index: postings point at other words")
