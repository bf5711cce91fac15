"""PDQ on Meta's reference images: exact equality, edit tolerance, turned copies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image

from accord.media.file import open_media
from accord.signals.base import Subject
from accord.signals.pdq import (
    DIHEDRAL_ORIENTATIONS,
    Pdq,
    PdqDihedral,
    PdqUpscaled,
    pdq_hex_distance,
    upscale_factor,
)


def expected(corpus: Path) -> dict[str, dict[str, object]]:
    loaded: dict[str, dict[str, object]] = json.loads(
        (corpus / "pdq" / "expected.json").read_text()
    )
    return loaded


def pdq(path: Path, *, exact: bool = False) -> tuple[str, int]:
    signal = Pdq().compute(Subject(open_media(path), exact=exact))
    assert signal.quality is not None
    return signal.value, signal.quality


def test_exact_mode_equals_the_reference_for_every_corpus_image(corpus: Path) -> None:
    mismatches = []
    for name, reference in expected(corpus).items():
        value, quality = pdq(corpus / "pdq" / name, exact=True)
        if (value, quality) != (reference["pdq"], reference["quality"]):
            mismatches.append(name)
    assert mismatches == []


def test_default_mode_equals_the_reference_for_every_corpus_image(corpus: Path) -> None:
    mismatches = []
    for name, reference in expected(corpus).items():
        if (pdq(corpus / "pdq" / name)) != (reference["pdq"], reference["quality"]):
            mismatches.append(name)
    assert mismatches == []


def test_reduced_decoding_stays_within_a_few_bits_of_the_reference(corpus: Path) -> None:
    distances, reduced = {}, set()
    for name, reference in expected(corpus).items():
        subject = Subject(open_media(corpus / "pdq" / name), reduced=True)
        value = Pdq().compute(subject).value
        distances[name] = pdq_hex_distance(value, str(reference["pdq"]))
        if subject.picture().scale > 1:
            reduced.add(name)
    assert len(reduced) >= 10  # the bridge photos and their edits are decoded at 1/2
    assert max(distances.values()) <= 4, distances
    # Pictures too small to reduce hash exactly as the reference does.
    assert {name for name, distance in distances.items() if distance} <= reduced


def test_exif_orientation_is_applied(corpus: Path) -> None:
    reference = expected(corpus)["reg-test-input/exif-rotn/exif-rotn-6.jpg"]
    value, _ = pdq(corpus / "pdq" / "reg-test-input/exif-rotn/exif-rotn-6.jpg", exact=True)
    assert value == reference["pdq"]
    assert value != reference["pdq_ignoring_exif_orientation"]


def test_every_bridge_edit_is_within_31_of_the_original(corpus: Path) -> None:
    folder = corpus / "pdq" / "bridge-mods"
    original, _ = pdq(folder / "aaa-orig.jpg")
    for edit in sorted(folder.glob("*.jpg")):
        assert Pdq.matches(original, pdq(edit)[0]), edit.name


def test_unrelated_photos_do_not_match_the_bridge(corpus: Path) -> None:
    original, _ = pdq(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    for photo in sorted((corpus / "pdq" / "reg-test-input" / "labelme-subset").glob("*.jpg")):
        assert not Pdq.matches(original, pdq(photo)[0]), photo.name


@pytest.mark.parametrize(
    "mode",
    ["1.png", "CMYK.jpg", "F.webp", "HSV.webp", "I.webp", "L.png", "LA.png", "LAB.webp",
     "P.png", "PA.webp", "RGB.jpg", "RGBA.png", "YCbCr.jpg"],
)  # fmt: skip
def test_every_pillow_mode_gives_the_same_picture(corpus: Path, mode: str) -> None:
    folder = corpus / "pdq" / "misc-images" / "modes"
    original, _ = pdq(folder / "original.jpg")
    assert pdq_hex_distance(original, pdq(folder / mode)[0]) <= 2


def test_low_quality_hashes_are_marked_unreliable(corpus: Path) -> None:
    for name in ("q0003.jpg", "q0004.jpg"):
        path = corpus / "pdq" / "reg-test-input" / "labelme-subset" / name
        signal = Pdq().compute(Subject(open_media(path)))
        assert signal.quality is not None
        assert signal.quality < 50
        assert not signal.reliable
    good = Pdq().compute(Subject(open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")))
    assert good.reliable


def test_dihedral_mode_finds_all_eight_orientations(corpus: Path) -> None:
    folder = corpus / "pdq" / "reg-test-input" / "dih"
    files = sorted(folder.glob("*.jpg"))
    assert len(files) == len(DIHEDRAL_ORIENTATIONS)
    original = PdqDihedral().compute(Subject(open_media(files[0]))).value
    plain_original = original.split(",")[0]
    for path in files[1:]:
        turned = PdqDihedral().compute(Subject(open_media(path))).value
        assert PdqDihedral.matches(original, turned), path.name
        # Plain PDQ cannot see it: that is what the dihedral mode is for.
        assert not Pdq.matches(plain_original, turned.split(",")[0]), path.name


def test_tiny_images_hash_without_error(corpus: Path) -> None:
    value, quality = pdq(corpus / "pdq" / "misc-images" / "wee.jpg")
    assert Pdq.validate(value) == value
    assert 0 <= quality <= 100


def test_a_lookup_decodes_small_for_pdq_and_again_only_for_more_detail(corpus: Path) -> None:
    photo = corpus / "pdq" / "reg-test-input" / "exif-rotn" / "exif-rotn-1.jpg"  # 4032 x 3024
    subject = Subject(open_media(photo), reduced=True)
    Pdq().compute(subject)
    small = subject.picture()
    assert (small.scale, small.pixels.ndim) == (8, 2)  # luma alone, 504 x 378
    detailed = subject.picture(min_pixels=200_000)
    assert detailed.scale == 4
    assert subject.picture(min_pixels=200_000) is detailed  # decoded once
    assert subject.picture() is detailed  # PDQ can use it too


def test_only_pictures_too_small_for_pdq_to_blur_are_upscaled() -> None:
    assert upscale_factor((128, 128, 3)) == 1.0
    assert upscale_factor((300, 2000)) == 1.0
    assert upscale_factor((51, 51, 3)) == pytest.approx(128 / 51)
    assert upscale_factor((100, 64)) == 2.0
    # A thin strip grows only to 1024 pixels long, and one already longer not at all.
    assert upscale_factor((16, 512)) == 2.0
    assert upscale_factor((16, 1600)) == 1.0


def test_the_upscaled_form_takes_small_pictures_and_costs_large_ones_nothing(
    corpus: Path,
) -> None:
    large = Subject(open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"))
    assert not PdqUpscaled().applies(large)
    small = Subject(open_media(corpus / "pdq" / "misc-images" / "wee.jpg"))  # 34 x 42
    assert PdqUpscaled().applies(small)
    value = PdqUpscaled().compute(small).value
    assert value != PdqDihedral().compute(small).value
    # Meta's C++ hashes the same upscaled picture to within a few bits.
    exact = PdqUpscaled().compute(Subject(small.media, exact=True)).value
    assert PdqUpscaled.distance(value, exact) <= 4


def test_a_51_pixel_copy_is_near_its_128_pixel_original_only_when_upscaled(
    corpus: Path, tmp_path: Path
) -> None:
    photo = Image.open(corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q2821.jpg")
    side = min(photo.size)
    square = photo.convert("RGB").crop((0, 0, side, side))
    original, copy = tmp_path / "original.png", tmp_path / "copy.png"
    square.resize((128, 128), Image.Resampling.LANCZOS).save(original)
    square.resize((51, 51), Image.Resampling.LANCZOS).save(copy)
    banked, _ = pdq(original)
    plain, _ = pdq(copy)
    upscaled = PdqUpscaled().compute(Subject(open_media(copy))).value
    assert not Pdq.matches(banked, plain)
    assert pdq_hex_distance(banked, upscaled.split(",")[0]) <= 24
    # Turned, the copy is found in another of its orientations.
    turned = tmp_path / "turned.png"
    Image.open(copy).transpose(Image.Transpose.ROTATE_90).save(turned)
    upscaled_turned = PdqUpscaled().compute(Subject(open_media(turned))).value
    assert min(pdq_hex_distance(banked, turn) for turn in upscaled_turned.split(",")) <= 24
