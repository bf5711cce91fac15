"""``KeypointIndex``: finds edited copies among distractors, forgets, persists, refuses junk.

The bank is a few corpus photos plus synthetic distractors; ``ivf_from`` is set low so the
IVF path (not only the exact flat index) answers, as it does for real banks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from accord.errors import IndexFormatError, InvalidSignal
from accord.index.keypoints import PROBES, KeypointIndex
from accord.media.file import open_media
from accord.signals.base import Subject
from accord.signals.keypoints import (
    THRESHOLD,
    Keypoints,
    OrbKeypoints,
    encode_keypoints,
    extract_keypoints,
)
from tests.edits import FAMILIES, distractor, load_photo
from tests.unit.signals.test_keypoints import SAMPLE

DISTRACTORS = 40
#: Below the bank's ~45,000 rows, so the bank is served by the IVF.
IVF_FROM = 8_192


@pytest.fixture(scope="module")
def originals(corpus: Path) -> list[str]:
    return [OrbKeypoints().compute(Subject(open_media(corpus / path))).value for path in SAMPLE]


@pytest.fixture(scope="module")
def distractors() -> list[str]:
    rng = np.random.default_rng(7)
    return [encode_keypoints(extract_keypoints(distractor(rng))) for _ in range(DISTRACTORS)]


@pytest.fixture(scope="module")
def copies(corpus: Path) -> list[tuple[int, str, str]]:
    """(photo, family, value): one edited copy per family of each sample photo."""
    rng = np.random.default_rng(11)
    made = []
    for photo, path in enumerate(SAMPLE):
        picture = load_photo(corpus / path)
        for family, make in FAMILIES.items():
            value = encode_keypoints(extract_keypoints(np.asarray(make(picture, rng))))
            made.append((photo, family, value))
    return made


def bank(originals: list[str], distractors: list[str]) -> KeypointIndex:
    index = KeypointIndex(ivf_from=IVF_FROM)
    index.add([(100 + number, value) for number, value in enumerate(distractors)])
    index.add(list(enumerate(originals)))
    return index


def found(index: KeypointIndex, copies: list[tuple[int, str, str]]) -> dict[str, list[int]]:
    """The items each copy hits, keyed by photo/family."""
    return {
        f"{photo}/{family}": [hit.item for hit in index.query(value, THRESHOLD)]
        for photo, family, value in copies
    }


def test_every_copy_finds_its_original_and_nothing_else(
    originals: list[str], distractors: list[str], copies: list[tuple[int, str, str]]
) -> None:
    index = bank(originals, distractors)
    assert len(index) == DISTRACTORS + len(originals)
    results = found(index, copies)
    expected = {f"{photo}/{family}": [photo] for photo, family, _ in copies}
    misses = {key: hits for key, hits in results.items() if hits != expected[key]}
    # One miss in 16 is within the 95 % bar; a false hit never is.
    assert all(set(hits) <= set(expected[key]) for key, hits in misses.items()), misses
    assert len(misses) <= 1, misses


def test_hits_say_where_and_how_the_copy_matches(
    originals: list[str], distractors: list[str], corpus: Path
) -> None:
    index = bank(originals, distractors)
    picture = load_photo(corpus / SAMPLE[0])
    width, height = picture.size
    cropped = picture.crop((int(width * 0.2), int(height * 0.1), width, int(height * 0.7)))
    hits = index.query(encode_keypoints(extract_keypoints(np.asarray(cropped))), THRESHOLD)
    assert [hit.item for hit in hits] == [0]
    detail = hits[0].detail
    assert detail["kind"] == "crop"
    assert detail["inliers"] >= 100 - THRESHOLD
    assert detail["region"] == pytest.approx([0.2, 0.1, 1.0, 0.7], abs=0.01)
    assert hits[0].distance == OrbKeypoints.distance(
        encode_keypoints(extract_keypoints(np.asarray(cropped))), originals[0]
    )
    # A stricter threshold (more inliers needed) can leave it out.
    assert index.query(encode_keypoints(extract_keypoints(np.asarray(cropped))), -1) == []


def test_removed_items_are_forgotten_and_tombstones_compacted(
    originals: list[str], distractors: list[str], copies: list[tuple[int, str, str]]
) -> None:
    index = bank(originals, distractors)
    photo, _, value = copies[0]
    index.remove([photo, 12345])  # an unknown id is ignored
    assert photo not in [hit.item for hit in index.query(value, THRESHOLD)]
    assert len(index) == DISTRACTORS + len(originals) - 1
    # Removing most of the bank compacts it; what is left still answers.
    index.remove(range(100, 100 + DISTRACTORS))
    assert len(index) == len(originals) - 1
    assert index.memory_bytes() < bank(originals, distractors).memory_bytes() / 4
    other_photo, _, other_value = copies[len(FAMILIES)]
    assert [hit.item for hit in index.query(other_value, THRESHOLD)] == [other_photo]
    # Adding an item again replaces its value.
    index.add([(photo, originals[photo]), (other_photo, distractors[0])])
    assert [hit.item for hit in index.query(value, THRESHOLD)] == [photo]
    assert index.query(other_value, THRESHOLD) == []


def test_save_and_load_give_the_same_answers(
    originals: list[str], distractors: list[str], copies: list[tuple[int, str, str]], tmp_path: Path
) -> None:
    index = bank(originals, distractors)
    index.remove([101])
    index.save(tmp_path / "orb")
    loaded = KeypointIndex.load(tmp_path / "orb")
    assert len(loaded) == len(index)
    assert found(loaded, copies) == found(index, copies)
    # The saved IVF is searched with this version's probes, whatever it was saved with.
    loaded._faiss.nprobe = 1
    loaded.save(tmp_path / "orb-1")
    assert KeypointIndex.load(tmp_path / "orb-1")._faiss.nprobe == PROBES
    # A loaded index goes on changing in place.
    loaded.add([(999, originals[1])])
    photo, _, value = copies[len(FAMILIES)]
    assert sorted(hit.item for hit in loaded.query(value, THRESHOLD)) == sorted([photo, 999])
    assert not list(tmp_path.glob("orb/*.pkl"))


def test_a_small_index_answers_exactly_before_the_ivf_starts(
    originals: list[str], copies: list[tuple[int, str, str]]
) -> None:
    index = KeypointIndex()
    index.add(list(enumerate(originals)))
    photo, _, value = copies[0]
    assert [hit.item for hit in index.query(value, THRESHOLD)] == [photo]


def test_values_without_keypoints_are_stored_but_never_match(originals: list[str]) -> None:
    empty = encode_keypoints(
        Keypoints(64, 64, np.zeros((0, 2), np.uint16), np.zeros((0, 32), np.uint8))
    )
    index = KeypointIndex()
    index.add([(1, empty), (2, originals[0])])
    assert len(index) == 2
    assert index.query(empty, THRESHOLD) == []
    assert [hit.item for hit in index.query(originals[0], THRESHOLD)] == [2]
    assert KeypointIndex().query(originals[0], THRESHOLD) == []
    with pytest.raises(InvalidSignal):
        index.add([(3, "f" * 64)])


def test_unusable_folders_raise_index_format_error(originals: list[str], tmp_path: Path) -> None:
    index = KeypointIndex()
    index.add(list(enumerate(originals)))
    folder = tmp_path / "orb"
    index.save(folder)
    with pytest.raises(IndexFormatError):
        KeypointIndex.load(tmp_path / "missing")
    meta = json.loads((folder / "meta.json").read_text())
    (folder / "meta.json").write_text(json.dumps({**meta, "version": 99}))
    with pytest.raises(IndexFormatError):
        KeypointIndex.load(folder)
    (folder / "meta.json").write_text(json.dumps(meta))
    np.save(folder / "counts.npy", np.array([1, 2], np.int32))
    with pytest.raises(IndexFormatError):
        KeypointIndex.load(folder)
    index.save(folder)
    np.save(folder / "faiss.npy", np.frombuffer(b"not a faiss index", np.uint8))
    with pytest.raises(IndexFormatError):
        KeypointIndex.load(folder)
    index.save(folder)
    (folder / "descriptors.npy").write_bytes(b"garbage")
    with pytest.raises(IndexFormatError):
        KeypointIndex.load(folder)
