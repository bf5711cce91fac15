"""BinaryCodeIndex: exact recall against brute force, merges, removal, threads, storage."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.errors import IndexFormatError, InvalidSignal
from accord.index.binary import (
    CHUNKS,
    KEYS,
    BinaryCodeIndex,
    chunk_radii,
    codes_from_hex,
)

Codes = NDArray[np.uint8]
Result = tuple[list[int], list[int]]
#: Forces the multi-index probe (never a scan) or the scan, to test each path alone.
PROBE_ONLY = {"scan_ratio": float("inf")}
SCAN_ONLY = {"scan_ratio": 0.0}


def random_codes(rng: np.random.Generator, n: int) -> Codes:
    return rng.integers(0, 256, size=(n, 32), dtype=np.uint8)


def flipped(code: Codes, distance: int, rng: np.random.Generator, *, spread: bool) -> Codes:
    """``code`` with exactly ``distance`` bits flipped.

    ``spread`` deals the flips round-robin over the 16 chunks: the hardest case for
    multi-index hashing, where every chunk differs by as much as the bound allows.
    """
    if spread:
        chunks = np.arange(distance) % CHUNKS
        within = np.concatenate([rng.permutation(16)[: (chunks == c).sum()] for c in range(16)])
        bits = np.sort(chunks) * 16 + within
    else:
        bits = rng.choice(256, size=distance, replace=False)
    unpacked = np.unpackbits(code)
    unpacked[bits] ^= 1
    return np.packbits(unpacked)


def brute_force(ids: NDArray[np.int64], codes: Codes, query: Codes, radius: int) -> Result:
    """Ids within ``radius``, each at its smallest distance, by distance then id."""
    distances = np.unpackbits(codes ^ query, axis=1).sum(axis=1)
    best: dict[int, int] = {}
    for item, distance in zip(ids.tolist(), distances.tolist(), strict=True):
        if distance <= radius and distance < best.get(item, 999):
            best[item] = distance
    ranked = sorted(best.items(), key=lambda pair: (pair[1], pair[0]))
    return [item for item, _ in ranked], [distance for _, distance in ranked]


def as_lists(result: tuple[NDArray[np.int64], NDArray[np.int32]]) -> Result:
    ids, distances = result
    assert ids.dtype == np.int64
    assert distances.dtype == np.int32
    return ids.tolist(), distances.tolist()


def planted_set(rng: np.random.Generator, radius: int) -> tuple[NDArray[np.int64], Codes, Codes]:
    """Random codes plus, around each of 3 queries, codes at every distance 0..radius+3."""
    queries = random_codes(rng, 3)
    planted = [
        flipped(query, distance, rng, spread=spread)
        for query in queries
        for distance in range(radius + 4)
        for spread in (False, True)
    ]
    codes = np.concatenate([random_codes(rng, 4000), np.array(planted)])
    ids = rng.permutation(len(codes)).astype(np.int64) * 7 - 5000  # negative ids too
    return ids, codes, queries


def test_chunk_radii_meet_the_pigeonhole_bound() -> None:
    for radius in range(257):
        radii = chunk_radii(radius)
        assert len(radii) == CHUNKS
        assert sum(r + 1 for r in radii) > radius
        assert max(radii) - min(radii) <= 1
    assert chunk_radii(31) == (1,) * 16
    assert chunk_radii(15) == (0,) * 16
    assert sorted(chunk_radii(40)) == [1] * 7 + [2] * 9


@pytest.mark.parametrize("radius", [31, 47, 63])
@pytest.mark.parametrize("options", [PROBE_ONLY, SCAN_ONLY, {}], ids=["probe", "scan", "auto"])
def test_recall_is_exact_at_every_distance(radius: int, options: dict[str, float]) -> None:
    rng = np.random.default_rng(radius)
    ids, codes, queries = planted_set(rng, radius)
    index = BinaryCodeIndex.build(ids, codes, **options)
    assert index._state.indexed == len(codes)  # all in the tables: nothing left to scan
    for query in queries:
        found = as_lists(index.search(query, radius))
        expected = brute_force(ids, codes, query, radius)
        assert found == expected
        # Two planted codes at each distance up to the radius, none beyond.
        assert sorted(set(found[1])) == list(range(radius + 1))
        assert len(found[0]) == 2 * (radius + 1)


def test_every_radius_from_zero_matches_brute_force() -> None:
    rng = np.random.default_rng(5)
    ids, codes, queries = planted_set(rng, 40)
    index = BinaryCodeIndex.build(ids, codes, **PROBE_ONLY)
    for radius in range(0, 44, 3):
        assert as_lists(index.search(queries[0], radius)) == brute_force(
            ids, codes, queries[0], radius
        )


def test_far_radii_and_edge_cases() -> None:
    rng = np.random.default_rng(6)
    codes = random_codes(rng, 500)
    ids = np.arange(500, dtype=np.int64)
    index = BinaryCodeIndex.build(ids, codes)
    everything = as_lists(index.search(codes[0], 256))
    assert len(everything[0]) == 500
    assert everything == brute_force(ids, codes, codes[0], 256)
    complement = np.bitwise_not(codes[0])
    assert as_lists(index.search(complement, 255)) == brute_force(ids, codes, complement, 255)
    assert as_lists(index.search(codes[0], -1)) == ([], [])
    assert as_lists(BinaryCodeIndex().search(codes[0], 31)) == ([], [])
    with pytest.raises(ValueError, match="32 bytes"):
        index.search(codes[:2], 31)
    with pytest.raises(ValueError, match="ids for"):
        index.add(ids[:3], codes[:2])


def test_search_many_equals_search() -> None:
    rng = np.random.default_rng(7)
    ids, codes, queries = planted_set(rng, 31)
    index = BinaryCodeIndex.build(ids, codes)
    batch = index.search_many(queries, 31)
    assert [as_lists(result) for result in batch] == [
        as_lists(index.search(query, 31)) for query in queries
    ]


def test_batched_queries_are_exact_with_a_delta_and_removals() -> None:
    """More queries than one probe batch, a delta to scan, removed ids: brute force's answer."""
    rng = np.random.default_rng(11)
    ids, codes, planted_queries = planted_set(rng, 31)
    index = BinaryCodeIndex(merge_at=10_000, **PROBE_ONLY)
    index.add(ids[:3000], codes[:3000])
    index.merge()
    index.add(ids[3000:], codes[3000:])  # stays in the delta
    removed = ids[::5]
    index.remove(removed.tolist())
    alive = ~np.isin(ids, removed)
    near = [flipped(code, 12, rng, spread=True) for code in codes[rng.choice(len(codes), 100)]]
    queries = np.concatenate([planted_queries, np.array(near)])
    assert index._state.indexed < index._state.count
    assert [as_lists(result) for result in index.search_many(queries, 31)] == [
        brute_force(ids[alive], codes[alive], query, 31) for query in queries
    ]


def test_adds_land_in_the_delta_then_merge_into_the_tables() -> None:
    rng = np.random.default_rng(8)
    ids, codes, queries = planted_set(rng, 31)
    index = BinaryCodeIndex(merge_at=1000, **PROBE_ONLY)
    added = 0
    for size in (600, 300, 3000, 50, 900, 40, 7, 1000, len(codes)):  # merges of each kind
        batch = slice(added, min(added + size, len(codes)))
        index.add(ids[batch], codes[batch])
        added = batch.stop
        state = index._state
        assert state.count - state.indexed < 1000  # merged once the delta reached merge_at
        for query in queries:
            found = as_lists(index.search(query, 31))
            assert found == brute_force(ids[:added], codes[:added], query, 31)
        if added == len(codes):
            break
    assert len(index) == len(codes)
    index.merge()
    assert index._state.indexed == index._state.count == len(codes)
    assert as_lists(index.search(queries[1], 31)) == brute_force(ids, codes, queries[1], 31)


def test_removed_ids_disappear_and_compaction_keeps_the_rest() -> None:
    rng = np.random.default_rng(9)
    ids, codes, queries = planted_set(rng, 31)
    index = BinaryCodeIndex.build(ids[:3000], codes[:3000], merge_at=500, compact_ratio=0.5)
    index.add(ids[3000:], codes[3000:])  # some planted codes in the delta
    gone = rng.choice(ids, size=len(ids) // 3, replace=False)
    index.remove([*gone.tolist(), 10**12, -(10**12)])  # unknown ids are ignored
    keep = ~np.isin(ids, gone)
    assert len(index) == keep.sum()
    for query in queries:
        assert as_lists(index.search(query, 31)) == brute_force(ids[keep], codes[keep], query, 31)
    index.remove(ids[keep][: len(ids) // 4])  # past compact_ratio: the merge compacts
    keep &= ~np.isin(ids, ids[keep][: len(ids) // 4])
    index.merge()
    assert len(index._state.dead) == 0
    assert index._state.count == len(index) == keep.sum()
    for query in queries:
        assert as_lists(index.search(query, 31)) == brute_force(ids[keep], codes[keep], query, 31)
    index.remove([])
    assert len(index) == keep.sum()


def test_an_id_with_several_codes_is_reported_once_at_its_nearest() -> None:
    rng = np.random.default_rng(10)
    query = random_codes(rng, 1)[0]
    codes = np.array([flipped(query, d, rng, spread=False) for d in (9, 3, 30, 3)])
    index = BinaryCodeIndex()
    index.add(np.array([1, 1, 2, 3]), codes)
    assert as_lists(index.search(query, 31)) == ([1, 3, 2], [3, 3, 30])
    index.remove([1])
    assert as_lists(index.search(query, 31)) == ([3, 2], [3, 30])
    assert len(index) == 2


def test_memory_stays_near_108_bytes_per_code() -> None:
    rng = np.random.default_rng(11)
    count = 50_000
    index = BinaryCodeIndex.build(np.arange(count), random_codes(rng, count))
    offsets = CHUNKS * (KEYS + 1) * 4  # fixed, whatever the size
    assert (index.memory_bytes() - offsets) / count == 108


def test_save_and_load_round_trip_then_keep_adding(tmp_path: Path) -> None:
    rng = np.random.default_rng(12)
    ids, codes, queries = planted_set(rng, 31)
    index = BinaryCodeIndex.build(ids[:2000], codes[:2000], merge_at=400)
    index.add(ids[2000:2300], codes[2000:2300])  # an unmerged delta is saved as it is
    index.remove(ids[:100].tolist())
    index.save(tmp_path / "pdq")
    loaded = BinaryCodeIndex.load(tmp_path / "pdq")
    assert len(loaded) == len(index) == 2200
    assert loaded.memory_bytes() == index.memory_bytes()
    for query in queries:
        assert as_lists(loaded.search(query, 47)) == as_lists(index.search(query, 47))
    loaded.add(ids[2300:], codes[2300:])  # into the spare capacity, then merged
    loaded.remove(ids[2300:2310].tolist())
    keep = np.ones(len(ids), dtype=bool)
    keep[:100] = keep[2300:2310] = False
    for query in queries:
        assert as_lists(loaded.search(query, 31)) == brute_force(ids[keep], codes[keep], query, 31)
    assert not any(path.suffix == ".pkl" for path in (tmp_path / "pdq").iterdir())


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    rng = np.random.default_rng(13)
    index = BinaryCodeIndex.build(np.arange(300), random_codes(rng, 300))
    index.remove([3, 4])
    index.save(tmp_path / "index")
    return tmp_path / "index"


def test_a_missing_folder_or_file_is_an_index_format_error(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match=r"meta\.json"):
        BinaryCodeIndex.load(tmp_path / "nowhere")
    (saved / "positions-07.npy").unlink()
    with pytest.raises(IndexFormatError, match="positions-07"):
        BinaryCodeIndex.load(saved)


@pytest.mark.parametrize(
    ("meta", "message"),
    [
        ("{not json", "not valid JSON"),
        ('{"format": "accord.audio-index", "version": 1}', "does not describe"),
        ('{"format": "accord.binary-code-index", "version": 99}', "version 99"),
        ('{"format": "accord.binary-code-index", "version": 1}', "count"),
    ],
)
def test_a_bad_meta_file_is_an_index_format_error(saved: Path, meta: str, message: str) -> None:
    (saved / "meta.json").write_text(meta)
    with pytest.raises(IndexFormatError, match=message):
        BinaryCodeIndex.load(saved)


def test_a_count_that_does_not_match_the_arrays_is_refused(saved: Path) -> None:
    meta = json.loads((saved / "meta.json").read_text())
    meta["count"] += 1
    (saved / "meta.json").write_text(json.dumps(meta))
    with pytest.raises(IndexFormatError, match=r"codes\.npy"):
        BinaryCodeIndex.load(saved)


def test_truncated_wrong_typed_or_pickled_arrays_are_refused(saved: Path) -> None:
    codes = saved / "codes.npy"
    whole = codes.read_bytes()
    codes.write_bytes(whole[:-10])
    with pytest.raises(IndexFormatError, match="truncated"):
        BinaryCodeIndex.load(saved)
    codes.write_bytes(whole + b"\0")
    with pytest.raises(IndexFormatError, match="trailing"):
        BinaryCodeIndex.load(saved)
    codes.write_bytes(whole)
    np.save(saved / "ids.npy", np.arange(300, dtype=np.int32))
    with pytest.raises(IndexFormatError, match=r"ids\.npy holds int32"):
        BinaryCodeIndex.load(saved)
    np.save(saved / "ids.npy", np.array([{"a": 1}] * 300, dtype=object), allow_pickle=True)
    with pytest.raises(IndexFormatError, match="object"):
        BinaryCodeIndex.load(saved)
    (saved / "ids.npy").write_bytes(b"not an npy file at all")
    with pytest.raises(IndexFormatError):
        BinaryCodeIndex.load(saved)


def test_tables_that_point_nowhere_are_refused(saved: Path) -> None:
    offsets = np.load(saved / "offsets.npy")
    offsets[2, 5:] += 1
    np.save(saved / "offsets.npy", offsets)
    with pytest.raises(IndexFormatError, match="offsets"):
        BinaryCodeIndex.load(saved)
    offsets[2, 5:] -= 1
    np.save(saved / "offsets.npy", offsets)
    positions = np.load(saved / "positions-03.npy")
    positions[0] = 10_000
    np.save(saved / "positions-03.npy", positions)
    with pytest.raises(IndexFormatError, match="points past"):
        BinaryCodeIndex.load(saved)


def test_readers_see_whole_states_while_a_writer_adds_merges_and_removes() -> None:
    rng = np.random.default_rng(14)
    query = random_codes(rng, 1)[0]
    fixed_ids = np.arange(-40, 0, dtype=np.int64)  # never removed: always found
    fixed = np.array([flipped(query, d % 32, rng, spread=True) for d in range(40)])
    expected = brute_force(fixed_ids, fixed, query, 31)
    index = BinaryCodeIndex.build(fixed_ids, fixed, merge_at=700, **PROBE_ONLY)
    index.add(np.arange(20_000, dtype=np.int64) + 10**6, random_codes(rng, 20_000))
    # The writer's own neighbours of the query are at distance 31 exactly, so readers can
    # tell them apart: they may come and go, but the fixed ones must always be there.
    failures: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            ids, distances = as_lists(index.search(query, 31))
            fixed_part = [(i, d) for i, d in zip(ids, distances, strict=True) if i < 0]
            if fixed_part != list(zip(*expected, strict=True)):
                failures.append(f"fixed codes missing: {fixed_part}")
            if any(d > 31 for d in distances) or len(set(ids)) != len(ids):
                failures.append(f"inconsistent answer {ids} {distances}")

    def writer() -> None:
        next_id = 0
        for round_ in range(30):
            batch = random_codes(rng, 300)
            batch[:5] = [flipped(query, 31, rng, spread=True) for _ in range(5)]
            index.add(np.arange(next_id, next_id + 300, dtype=np.int64), batch)
            next_id += 300
            index.remove(range(next_id - 600, next_id - 450))
            if round_ % 10 == 9:
                index.merge()
        done.set()

    readers = [threading.Thread(target=reader) for _ in range(3)]
    for thread in readers:
        thread.start()
    started = time.monotonic()
    writer()
    for thread in readers:
        thread.join(timeout=30)
    assert failures == []
    assert time.monotonic() - started < 30


def test_codes_from_hex_parses_and_validates() -> None:
    rng = np.random.default_rng(15)
    codes = random_codes(rng, 70_000)  # more than one internal batch
    values = [code.tobytes().hex() for code in codes]
    assert np.array_equal(codes_from_hex(values), codes)
    assert np.array_equal(codes_from_hex([values[0].upper()]), codes[:1])
    assert codes_from_hex([]).shape == (0, 32)
    assert codes_from_hex(["ab" * 16], width=16).tolist() == [[0xAB] * 16]
    bad = [
        ["zz" + values[0][2:]],
        [values[0][:-1]],
        [values[0][:-1], values[1] + "0"],  # two wrong lengths summing right
        [values[0][:-2] + " 0"],
    ]
    for case in bad:
        with pytest.raises(InvalidSignal):
            codes_from_hex(case)
