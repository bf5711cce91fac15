"""PdqIndex: PDQ values in and hits out, turned copies, real photos, storage."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pdqhash
import pytest
from numpy.typing import NDArray

from accord.errors import IndexFormatError, InvalidSignal
from accord.index.base import IndexHit, SignalIndex
from accord.index.binary import BinaryCodeIndex
from accord.index.pdq import PdqIndex
from accord.media.file import open_media
from accord.signals.base import Subject
from accord.signals.pdq import (
    DIHEDRAL_ORIENTATIONS,
    Pdq,
    PdqDihedral,
    bits_to_hex,
    pdq_hex_distance,
    pdq_of_pixels,
)

Pixels = NDArray[np.uint8]


def random_hashes(seed: int, count: int) -> list[str]:
    rng = np.random.default_rng(seed)
    return [row.tobytes().hex() for row in rng.integers(0, 256, (count, 32), dtype=np.uint8)]


def turned(value: str, distance: int, seed: int) -> str:
    """``value`` with ``distance`` of its bits flipped."""
    bits = np.random.default_rng(seed).choice(256, size=distance, replace=False)
    number = int(value, 16)
    for bit in bits.tolist():
        number ^= 1 << bit
    return f"{number:064x}"


def picture() -> NDArray[np.uint8]:
    """Soft coloured blobs at 64 x 64: PDQ's working size, so turning it loses nothing."""
    rng = np.random.default_rng(7)
    yy, xx = np.mgrid[0:64, 0:64] / 64
    image = np.zeros((64, 64, 3))
    for _ in range(12):
        cy, cx, spread = rng.uniform(0, 1, 3)
        weight = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (0.02 + 0.05 * spread))
        image += weight[..., None] * rng.uniform(0, 255, 3)
    pixels: Pixels = (image / image.max() * 255).astype(np.uint8)
    return pixels


def dihedral_of(pixels: NDArray[np.uint8]) -> str:
    vectors, _ = pdqhash.compute_dihedral(np.ascontiguousarray(pixels))
    return ",".join(bits_to_hex(bits) for bits in vectors)


@pytest.fixture(scope="module")
def background() -> list[str]:
    return random_hashes(1, 20_000)


def test_it_is_a_signal_index_for_pdq() -> None:
    assert issubclass(PdqIndex, SignalIndex)
    assert PdqIndex.signal_type == "pdq"
    assert len(PdqIndex()) == 0
    assert PdqIndex().query(Pdq.examples()[0], 31) == []


def test_threshold_is_inclusive_and_hits_come_nearest_first(background: list[str]) -> None:
    index = PdqIndex()
    index.add(list(enumerate(background)))
    query = random_hashes(2, 1)[0]
    near = {100_000 + d: turned(query, d, d) for d in (0, 5, 17, 30, 31, 32, 33, 40)}
    index.add(list(near.items()))
    hits = index.query(query, 31)
    assert hits == [IndexHit(100_000 + d, float(d)) for d in (0, 5, 17, 30, 31)]
    assert [hit.item for hit in index.query(query, 32.5)][-1] == 100_032
    assert [hit.item for hit in index.query(query.upper(), 4.9)] == [100_000]
    assert index.query(query, -1) == []
    assert len(index) == len(background) + len(near)


def test_removed_items_are_not_found(background: list[str]) -> None:
    index = PdqIndex()
    index.add(list(enumerate(background[:5000])))
    assert [hit.item for hit in index.query(background[10], 0)] == [10]
    index.remove([10, 11, 999_999])
    assert index.query(background[10], 31) == []
    assert [hit.item for hit in index.query(background[12], 31)] == [12]
    assert len(index) == 4998


@pytest.mark.parametrize(
    ("turn", "orientation"),
    [
        (lambda p: np.rot90(p, 1), "rotate270"),
        (lambda p: np.rot90(p, 2), "rotate180"),
        (lambda p: np.rot90(p, 3), "rotate90"),
        (lambda p: p[:, ::-1], "flip_y"),
        (lambda p: p[::-1], "flip_x"),
        (lambda p: p.transpose(1, 0, 2), "flip_plus1"),
        (lambda p: np.rot90(p, 2).transpose(1, 0, 2), "flip_minus1"),
    ],
    ids=["rot90", "rot180", "rot270", "mirror", "upside-down", "transpose", "anti-transpose"],
)
def test_a_dihedral_query_finds_a_turned_picture(
    background: list[str], turn: Callable[[Pixels], Pixels], orientation: str
) -> None:
    pixels = picture()
    original, quality = pdq_of_pixels(pixels)
    assert quality >= 50
    index = PdqIndex()
    index.add([(7, original), *enumerate(background, start=100)])
    copy = dihedral_of(turn(pixels))
    # The turned copy's plain hash is far from the original: plain PDQ misses it.
    assert pdq_hex_distance(copy.split(",")[0], original) > 31
    assert index.query(copy.split(",")[0], 31) == []
    hits = index.query(copy, 31)
    assert hits == [IndexHit(7, 0.0, {"orientation": orientation})]
    # The unturned picture's own dihedral value matches as the original orientation.
    assert index.query(dihedral_of(pixels), 31) == [IndexHit(7, 0.0, {"orientation": "original"})]


def test_the_corpus_rotations_and_flips_of_a_photo_are_found(corpus: Path) -> None:
    folder = corpus / "pdq" / "reg-test-input" / "dih"
    files = sorted(folder.glob("*.jpg"))
    assert len(files) == len(DIHEDRAL_ORIENTATIONS)
    index = PdqIndex()
    index.add([(1, Pdq().compute(Subject(open_media(files[0]))).value)])
    index.add(list(enumerate(random_hashes(3, 5000), start=10)))
    for path in files[1:]:
        value = PdqDihedral().compute(Subject(open_media(path))).value
        hits = index.query(value, 31)
        assert [hit.item for hit in hits] == [1], path.name
        assert hits[0].detail["orientation"] != "original", path.name


def test_bridge_edits_match_the_original_and_unrelated_photos_do_not(corpus: Path) -> None:
    expected = json.loads((corpus / "pdq" / "expected.json").read_text())
    bridge = {name: info["pdq"] for name, info in expected.items() if name.startswith("bridge-")}
    others = {
        name: info["pdq"]
        for name, info in expected.items()
        if name.startswith("reg-test-input/labelme-subset/")
    }
    assert len(bridge) >= 10
    assert len(others) >= 5
    names = sorted(bridge) + sorted(others)
    values = {**bridge, **others}
    index = PdqIndex()
    index.add([(number, values[name]) for number, name in enumerate(names)])
    index.add(list(enumerate(random_hashes(4, 20_000), start=1000)))
    # The query is hashed here, by accord, from the original photo's file.
    original = Pdq().compute(Subject(open_media(corpus / "pdq" / "bridge-mods/aaa-orig.jpg")))
    found = {names[hit.item] for hit in index.query(original.value, 31) if hit.item < 1000}
    assert found == set(bridge)
    for name in others:
        hits = index.query(values[name], 31)
        assert [names[hit.item] for hit in hits if hit.item < 1000] == [name]


def test_query_many_answers_plain_and_dihedral_values_together(background: list[str]) -> None:
    pixels = picture()
    index = PdqIndex()
    index.add([(5, pdq_of_pixels(pixels)[0]), *enumerate(background[:3000], start=10)])
    queries = [background[0], dihedral_of(np.rot90(pixels)), random_hashes(5, 1)[0]]
    answers = index.query_many(queries, 31)
    assert answers == [index.query(query, 31) for query in queries]
    assert [[hit.item for hit in answer] for answer in answers] == [[10], [5], []]
    assert index.query_many([], 31) == []


def test_a_dihedral_value_is_stored_as_its_unturned_hash() -> None:
    pixels = picture()
    index = PdqIndex()
    index.add([(3, dihedral_of(pixels))])
    assert index.query(pdq_of_pixels(pixels)[0], 0) == [IndexHit(3, 0.0)]


def test_bad_values_are_invalid_signals() -> None:
    index = PdqIndex()
    index.add([(1, "0" * 64)])
    for value in ("0" * 63, "xyz", ",".join(["0" * 64] * 7), ""):
        with pytest.raises(InvalidSignal):
            index.query(value, 31)
    with pytest.raises(InvalidSignal):
        index.add([(2, "g" * 64)])


def test_save_and_load_round_trip(tmp_path: Path, background: list[str]) -> None:
    index = PdqIndex()
    index.add(list(enumerate(background)))
    index.remove([5])
    index.save(tmp_path / "pdq")
    loaded = PdqIndex.load(tmp_path / "pdq")
    assert len(loaded) == len(index) == len(background) - 1
    assert loaded.memory_bytes() == index.memory_bytes()
    for value in background[:20]:
        assert loaded.query(value, 31) == index.query(value, 31)
    loaded.add([(10**9, turned(background[5], 3, 1))])
    assert [hit.item for hit in loaded.query(background[5], 31)] == [10**9]
    assert isinstance(loaded.codes, BinaryCodeIndex)
    (tmp_path / "pdq" / "ids.npy").unlink()
    with pytest.raises(IndexFormatError):
        PdqIndex.load(tmp_path / "pdq")
