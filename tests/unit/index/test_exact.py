"""Sha256Index and Md5Index: exact lookups over sorted digests, a tail, tombstones, storage."""

from __future__ import annotations

import hashlib
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from accord.errors import IndexFormatError, InvalidSignal
from accord.index.base import IndexHit, SignalIndex
from accord.index.exact import ExactIndex, Md5Index, Sha256Index, _digest_order

KINDS = [Sha256Index, Md5Index]


def digests(kind: type[ExactIndex], count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    raw = rng.integers(0, 256, (count, kind.digest_bytes), dtype=np.uint8)
    return [row.tobytes().hex() for row in raw]


@pytest.mark.parametrize("kind", KINDS)
def test_stored_digests_are_found_at_distance_zero(kind: type[ExactIndex]) -> None:
    assert issubclass(kind, SignalIndex)
    index = kind(merge_at=1000)
    values = digests(kind, 5000, 1)
    index.add(list(enumerate(values)))  # past merge_at: sorted in
    index.add([(9000, values[3]), (9001, values[4000])])  # repeats, in the tail
    assert len(index) == 5002
    assert index.query(values[3], 0) == [IndexHit(3, 0.0), IndexHit(9000, 0.0)]
    assert index.query(values[4000].upper(), 0) == [IndexHit(4000, 0.0), IndexHit(9001, 0.0)]
    assert index.query(values[17], 0) == [IndexHit(17, 0.0)]
    assert index.query(digests(kind, 1, 2)[0], 0) == []
    assert index.query(values[17], -1) == []


def test_the_signal_types_and_real_digests() -> None:
    assert Sha256Index.signal_type == "sha256"
    assert Md5Index.signal_type == "md5"
    sha, md5 = Sha256Index(), Md5Index()
    sha.add([(1, hashlib.sha256(b"ballot").hexdigest())])
    md5.add([(1, hashlib.md5(b"ballot").hexdigest())])  # noqa: S324
    assert [hit.item for hit in sha.query(hashlib.sha256(b"ballot").hexdigest(), 0)] == [1]
    assert [hit.item for hit in md5.query(hashlib.md5(b"ballot").hexdigest(), 0)] == [1]  # noqa: S324
    assert md5.query(hashlib.md5(b"ballots").hexdigest(), 0) == []  # noqa: S324


@pytest.mark.parametrize("kind", KINDS)
def test_digests_ending_in_zero_bytes_stay_distinct(kind: type[ExactIndex]) -> None:
    width = 2 * kind.digest_bytes
    values = ["0" * width, "00" * (kind.digest_bytes - 1) + "01", "ab" + "0" * (width - 2)]
    values.append("ab" + "0" * (width - 4) + "10")
    for merge_at in (1, 100):  # sorted part, then tail only
        index = kind(merge_at=merge_at)
        index.add(list(enumerate(values)))
        for item, value in enumerate(values):
            assert index.query(value, 0) == [IndexHit(item, 0.0)]


@pytest.mark.parametrize("kind", KINDS)
def test_removal_uses_tombstones_until_a_merge(kind: type[ExactIndex]) -> None:
    index = kind(merge_at=500)
    values = digests(kind, 1200, 3)
    index.add(list(enumerate(values)))  # 1200 sorted in
    index.add([(5000 + i, value) for i, value in enumerate(values[:100])])  # tail
    index.remove([3, 5003, 77, 123_456])
    assert len(index) == 1297
    assert index.query(values[3], 0) == []
    assert index.query(values[77], 0) == [IndexHit(5077, 0.0)]
    assert index.query(values[4], 0) == [IndexHit(4, 0.0), IndexHit(5004, 0.0)]
    index.merge()
    assert len(index._state.dead) == 0
    assert index._state.tail_count == 0
    assert len(index) == 1297
    assert index.query(values[3], 0) == []
    assert index.query(values[4], 0) == [IndexHit(4, 0.0), IndexHit(5004, 0.0)]
    assert np.all(index._state.digests[1:] >= index._state.digests[:-1])


def test_bad_values_are_invalid_signals() -> None:
    index = Sha256Index()
    with pytest.raises(InvalidSignal):
        index.query("0" * 32, 0)  # an MD5's length
    with pytest.raises(InvalidSignal):
        index.add([(1, "x" * 64)])
    index.add([(1, " " + "A" * 64 + " ")])  # normalised like the signal type does
    assert index.query("a" * 64, 0) == [IndexHit(1, 0.0)]


def test_digest_order_is_a_stable_sort_even_with_repeated_prefixes() -> None:
    rng = np.random.default_rng(4)
    raw = rng.integers(0, 256, (3000, 32), dtype=np.uint8)
    raw[1000:1500, :8] = raw[0, :8]  # same first eight bytes, different rest
    raw[2000:2100] = raw[5]  # whole repeats
    values = raw.view("S32").reshape(-1)
    assert np.array_equal(_digest_order(values), np.argsort(values, kind="stable"))


@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_round_trip(tmp_path: Path, kind: type[ExactIndex]) -> None:
    index = kind(merge_at=300)
    values = digests(kind, 1000, 5)
    index.add(list(enumerate(values[:900])))
    index.add(list(enumerate(values[900:], start=900)))  # stays in the tail
    index.remove([1, 950])
    index.save(tmp_path / "exact")
    loaded = kind.load(tmp_path / "exact")
    assert len(loaded) == len(index) == 998
    assert loaded.memory_bytes() == index.memory_bytes()
    for item, value in enumerate(values):
        assert loaded.query(value, 0) == ([] if item in (1, 950) else [IndexHit(item, 0.0)])
    loaded.add([(5000, values[0])])
    assert [hit.item for hit in loaded.query(values[0], 0)] == [0, 5000]


@pytest.fixture
def saved(tmp_path: Path) -> Path:
    index = Sha256Index(merge_at=10)
    index.add(list(enumerate(digests(Sha256Index, 40, 6))))
    index.save(tmp_path / "sha")
    return tmp_path / "sha"


def test_missing_or_mismatched_files_are_index_format_errors(saved: Path, tmp_path: Path) -> None:
    with pytest.raises(IndexFormatError, match="missing"):
        Sha256Index.load(tmp_path / "nothing")
    with pytest.raises(IndexFormatError, match="sha256, not md5"):
        Md5Index.load(saved)
    meta = json.loads((saved / "meta.json").read_text())
    (saved / "meta.json").write_text(json.dumps(meta | {"version": 2}))
    with pytest.raises(IndexFormatError, match="version 2"):
        Sha256Index.load(saved)
    (saved / "meta.json").write_text("{")
    with pytest.raises(IndexFormatError, match="JSON"):
        Sha256Index.load(saved)
    (saved / "meta.json").write_text(json.dumps(meta))
    (saved / "tail_ids.npy").unlink()
    with pytest.raises(IndexFormatError, match="tail_ids"):
        Sha256Index.load(saved)


def test_corrupt_arrays_are_index_format_errors(saved: Path) -> None:
    sorted_digests = np.load(saved / "digests.npy")
    np.save(saved / "digests.npy", sorted_digests[::-1])
    with pytest.raises(IndexFormatError, match="not sorted"):
        Sha256Index.load(saved)
    np.save(saved / "digests.npy", sorted_digests[:-1])
    with pytest.raises(IndexFormatError, match="differ in length"):
        Sha256Index.load(saved)
    np.save(saved / "digests.npy", sorted_digests.astype("S16"))
    with pytest.raises(IndexFormatError, match="S32"):
        Sha256Index.load(saved)
    np.save(saved / "digests.npy", sorted_digests.astype(object), allow_pickle=True)
    with pytest.raises(IndexFormatError, match="readable"):
        Sha256Index.load(saved)
    (saved / "digests.npy").write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(IndexFormatError):
        Sha256Index.load(saved)
    np.save(saved / "digests.npy", sorted_digests)
    np.save(saved / "dead.npy", np.array([10_000], dtype=np.int64))
    with pytest.raises(IndexFormatError, match="do not exist"):
        Sha256Index.load(saved)


def test_queries_during_writes_always_find_the_fixed_entries() -> None:
    index = Sha256Index(merge_at=200)
    fixed = digests(Sha256Index, 50, 7)
    index.add([(-1 - i, value) for i, value in enumerate(fixed)])
    failures: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            for i, value in enumerate(fixed):
                if index.query(value, 0) != [IndexHit(-1 - i, 0.0)]:
                    failures.append(value)

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for thread in threads:
        thread.start()
    more = digests(Sha256Index, 6000, 8)
    for start in range(0, len(more), 150):
        index.add(list(enumerate(more[start : start + 150], start=start)))
        index.remove(range(start - 100, start - 50))
    done.set()
    for thread in threads:
        thread.join(timeout=30)
    assert failures == []
    assert len(index) == 50 + 6000 - 50 * (len(range(0, 6000, 150)) - 1)


def test_many_digests_take_40_bytes_each() -> None:
    index = Sha256Index()
    values = digests(Sha256Index, 200_000, 9)
    index.add(list(enumerate(values)))
    assert len(index) == 200_000
    assert index.memory_bytes() == 200_000 * 40
    assert index._state.tail_count == 0
    assert index.query(values[4], 0) == [IndexHit(4, 0.0)]
    assert index.query(values[-1], 0) == [IndexHit(199_999, 0.0)]
