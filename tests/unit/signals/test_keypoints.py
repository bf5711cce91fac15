"""The ``orb`` keypoint signal: its format, and matches on crops, screenshots, overlays, turns.

The edited copies are made by ``tests/edits.py`` from corpus photos. The full measurement
over every corpus photo is ``benchmarks/second_stage.py``'s; this samples enough to catch a
regression quickly.
"""

from __future__ import annotations

import base64
import struct
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from accord.errors import InvalidSignal
from accord.media.file import open_media
from accord.signals.base import Subject
from accord.signals.hashing import hash_file
from accord.signals.keypoints import (
    MAX_KEYPOINTS,
    MIN_INLIERS,
    MIN_RELIABLE_KEYPOINTS,
    PREFIX,
    Keypoints,
    OrbKeypoints,
    decode_keypoints,
    encode_keypoints,
    extract_keypoints,
    verify,
)
from tests.edits import FAMILIES, cropped, encoded, in_viewer, load_photo, overlay

#: A few corpus photos of different kinds: a large landscape, a tiny 256x256 street scene,
#: a macro photo with blurred background, an indoor phone photo.
SAMPLE = (
    "pdq/bridge-mods/aaa-orig.jpg",
    "pdq/reg-test-input/labelme-subset/q1050.jpg",
    "c2pa/CA.jpg",
    "pdq/reg-test-input/exif-rotn/exif-rotn-1.jpg",
)


def keypoints_of(image: Image.Image | NDArray[np.uint8]) -> Keypoints:
    return extract_keypoints(np.asarray(image))


# -- the format --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def bridge(corpus: Path) -> str:
    return OrbKeypoints().compute(Subject(open_media(sample_path(corpus, 0)))).value


def sample_path(corpus: Path, index: int) -> Path:
    return corpus / SAMPLE[index]


def test_a_photo_gives_512_spread_keypoints_in_a_compact_value(bridge: str) -> None:
    keypoints = decode_keypoints(bridge)
    assert len(keypoints) == MAX_KEYPOINTS
    assert keypoints.width * keypoints.height == pytest.approx(200_000, rel=0.02)
    assert len(bridge) < 25_000
    # Spread: every quarter of the picture holds keypoints.
    xs, ys = keypoints.points.T.astype(int)
    for left in (0, 32768):
        for top in (0, 32768):
            inside = (xs >= left) & (xs < left + 32768) & (ys >= top) & (ys < top + 32768)
            assert inside.sum() > MAX_KEYPOINTS // 10


def test_values_round_trip_and_validate_to_themselves(bridge: str) -> None:
    assert OrbKeypoints.validate(bridge) == bridge
    assert OrbKeypoints.validate(f"  {bridge}\n") == bridge
    keypoints = decode_keypoints(bridge)
    assert encode_keypoints(keypoints) == bridge
    assert np.array_equal(
        decode_keypoints(encode_keypoints(keypoints)).descriptors, keypoints.descriptors
    )


def _value(payload: bytes) -> str:
    return PREFIX + base64.b64encode(payload).decode()


@pytest.mark.parametrize(
    "value",
    [
        "orb2:" + base64.b64encode(struct.pack("<HHH", 10, 10, 0)).decode(),
        PREFIX + "not base64!",
        PREFIX + "AAAA=",  # bad padding
        _value(b"\x01\x00"),  # shorter than the header
        _value(struct.pack("<HHH", 0, 10, 0)),  # no width
        _value(struct.pack("<HHH", 5000, 10, 0)),  # wider than any working size
        _value(struct.pack("<HHH", 10, 10, MAX_KEYPOINTS + 1)),
        _value(struct.pack("<HHH", 10, 10, 2) + bytes(36)),  # one keypoint short
        _value(struct.pack("<HHH", 10, 10, 0) + b"\x00"),  # a stray byte
        PREFIX + "A" * 40_000,  # too long to be a value at all
    ],
)
def test_malformed_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        OrbKeypoints.validate(value)


def test_a_flat_picture_is_marked_unreliable(corpus: Path) -> None:
    flat = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0003.jpg"
    signal = OrbKeypoints().compute(Subject(open_media(flat)))
    assert not signal.reliable
    assert signal.quality is not None
    assert signal.quality < 15


def test_a_calm_photo_is_looked_at_again_and_its_crop_matches(corpus: Path) -> None:
    """A 256-pixel sea photo has 5 corners at FAST's usual threshold: none of its copies
    could be found. The second, low-contrast look finds enough for a crop to match."""
    sea = load_photo(corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0122.jpg")
    original = keypoints_of(sea)
    assert len(original) >= MAX_KEYPOINTS // 2
    crop = encoded(cropped(sea, 0.15), "JPEG", 75)
    assert verify(keypoints_of(crop), original).inliers >= MIN_INLIERS


def test_a_quarter_cropped_128_pixel_photo_is_reliable_and_matches(corpus: Path) -> None:
    """Worked on 3x larger, a 64-pixel crop of a 128-pixel photo keeps enough corners to
    be looked up (at 2x it had too few, and the lookup skipped it)."""
    desk = load_photo(corpus / SAMPLE[3])
    side = min(desk.size)
    square = desk.crop((0, 0, side, side)).resize((128, 128), Image.Resampling.LANCZOS)
    crop = keypoints_of(encoded(cropped(square, 0.25), "JPEG", 90))
    assert len(crop) >= MIN_RELIABLE_KEYPOINTS
    assert verify(crop, keypoints_of(square)).inliers >= MIN_INLIERS


def test_hash_file_computes_orb_only_when_named(corpus: Path) -> None:
    path = sample_path(corpus, 0)
    assert hash_file(path).signal("orb") is None
    named = hash_file(path, signal_types=[OrbKeypoints])
    assert [signal.type for signal in named.signals] == ["orb"]


def test_distance_is_symmetric_and_zero_for_the_same_value(bridge: str, corpus: Path) -> None:
    other = OrbKeypoints().compute(Subject(open_media(sample_path(corpus, 2)))).value
    cropped = encode_keypoints(
        keypoints_of(load_photo(sample_path(corpus, 0)).crop((200, 100, 1400, 900)))
    )
    assert OrbKeypoints.distance(bridge, bridge) == 0
    assert OrbKeypoints.distance(bridge, cropped) == OrbKeypoints.distance(cropped, bridge)
    assert OrbKeypoints.matches(bridge, cropped)
    assert not OrbKeypoints.matches(bridge, other)


# -- where the copy lies -------------------------------------------------------------------


def test_a_known_crop_is_located_in_the_original(corpus: Path) -> None:
    photo = load_photo(sample_path(corpus, 0))
    original = keypoints_of(photo)
    width, height = photo.size
    box = (int(width * 0.1), int(height * 0.15), int(width * 0.8), int(height * 0.9))
    result = verify(keypoints_of(photo.crop(box)), original)
    assert result.inliers >= 3 * MIN_INLIERS
    assert result.kind == "crop"
    assert result.region == pytest.approx((0.1, 0.15, 0.8, 0.9), abs=0.01)


def test_a_screenshot_contains_the_original_and_an_overlay_is_similar(corpus: Path) -> None:
    rng = np.random.default_rng(3)
    photo = load_photo(sample_path(corpus, 0))
    original = keypoints_of(photo)
    framed = verify(keypoints_of(in_viewer(photo, rng, dark=True)), original)
    assert framed.kind == "contains"
    assert framed.region == (0.0, 0.0, 1.0, 1.0)
    covered = verify(keypoints_of(overlay(photo, rng)), original)
    assert covered.kind == "similar"
    assert covered.transform is not None
    assert covered.transform[:, :2] == pytest.approx(np.eye(2), abs=0.02)


# -- recall and false matches on a sample ---------------------------------------------------


def test_edited_copies_match_their_original_and_nothing_else(corpus: Path) -> None:
    rng = np.random.default_rng(2024)
    originals = [
        OrbKeypoints().compute(Subject(open_media(corpus / path))).value for path in SAMPLE
    ]
    found: dict[str, list[bool]] = {family: [] for family in FAMILIES}
    false_matches = []
    for index, path in enumerate(SAMPLE):
        photo = load_photo(corpus / path)
        for family, make in FAMILIES.items():
            for _ in range(2):
                copy = encode_keypoints(keypoints_of(make(photo, rng)))
                found[family].append(OrbKeypoints.matches(copy, originals[index]))
                false_matches += [
                    (path, family, SAMPLE[other])
                    for other, original in enumerate(originals)
                    if other != index and OrbKeypoints.matches(copy, original)
                ]
    assert false_matches == []
    for family, results in found.items():
        assert sum(results) >= len(results) - 1, (family, results)
    assert sum(map(sum, found.values())) >= 0.95 * sum(map(len, found.values()))
