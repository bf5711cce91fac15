"""PDQ as matrix products against Meta's C++ (``pdqhash``) on every corpus picture."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pdqhash
import pytest
from numpy.typing import NDArray

from accord.media.file import open_media
from accord.media.image import load_image
from accord.signals.pdq import PDQ_MIN_QUALITY, PDQ_THRESHOLD, bits_to_hex
from accord.signals.pdq_matrix import TURNS, dihedral_hex, pdq_hex, sampled_blur, window_size

#: Bits a nearly flat picture's hash may differ by through floating-point rounding alone.
ROUNDING_BITS = 4
PICTURE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".tif", ".tiff"}


def corpus_pictures(corpus: Path) -> list[NDArray[np.uint8]]:
    pictures = []
    for path in sorted(corpus.rglob("*")):
        if path.suffix.lower() not in PICTURE_SUFFIXES:
            continue
        try:
            pictures.append(load_image(open_media(path)))
        except Exception:  # noqa: BLE001, S112 - the corpus holds deliberately broken files
            continue
    return pictures


@pytest.fixture(scope="module")
def pictures(corpus: Path) -> list[NDArray[np.uint8]]:
    found = corpus_pictures(corpus)
    assert len(found) >= 50
    return found


def test_hashes_and_quality_equal_the_reference_on_every_corpus_picture(
    pictures: list[NDArray[np.uint8]],
) -> None:
    for pixels in pictures:
        bits, quality = pdqhash.compute(pixels)
        assert pdq_hex(pixels) == (bits_to_hex(bits), quality), pixels.shape


def test_each_orientation_is_the_reference_hash_of_the_turned_picture(
    pictures: list[NDArray[np.uint8]],
) -> None:
    """Identical on pictures of usable quality; on nearly flat ones, DCT values within a
    rounding error of the median may fall either side of it, depending on the CPU's
    floating-point kernels (seen: 2 bits in 2 orientations of a quality-17 photo)."""
    for pixels in pictures[::4]:
        reference = [pdqhash.compute(np.ascontiguousarray(turn(pixels))) for turn in TURNS]
        ours, our_quality = dihedral_hex(pixels)
        assert our_quality == reference[0][1]
        expected = [bits_to_hex(bits) for bits, _ in reference]
        if our_quality >= PDQ_MIN_QUALITY:
            assert ours == expected, pixels.shape
        else:
            distances = [hamming(a, b) for a, b in zip(ours, expected, strict=True)]
            assert max(distances) <= ROUNDING_BITS, (pixels.shape, distances)


def test_a_mirrored_small_photo_has_its_original_hash_among_its_orientations(
    corpus: Path,
) -> None:
    """pdqhash's own dihedral hashes (signs flipped in one DCT) put a mirrored 256-pixel
    textured photo 30+ bits from its original: too far to match."""
    houses = load_image(open_media(corpus / "pdq/reg-test-input/labelme-subset/q1050.jpg"))
    original = bits_to_hex(pdqhash.compute(houses)[0])
    for turn in TURNS[1:]:
        turned = np.ascontiguousarray(turn(houses))
        ours, _ = dihedral_hex(turned)
        assert min(hamming(original, value) for value in ours) == 0
    vectors, _ = pdqhash.compute_dihedral(np.ascontiguousarray(houses[:, ::-1]))
    assert min(hamming(original, bits_to_hex(bits)) for bits in vectors) > PDQ_THRESHOLD


def hamming(first: str, second: str) -> int:
    return (int(first, 16) ^ int(second, 16)).bit_count()


def test_photo_like_pictures_of_any_size_equal_the_reference() -> None:
    rng = np.random.default_rng(7)
    for _ in range(40):
        height, width = (int(side) for side in rng.integers(16, 1400, 2))
        # Smooth random surfaces plus grain: photo-like, without exact symmetries.
        coarse = rng.normal(128, 60, (height // 8 + 2, width // 8 + 2, 3))
        rows = np.linspace(0, coarse.shape[0] - 1, height).astype(int)
        columns = np.linspace(0, coarse.shape[1] - 1, width).astype(int)
        surface = coarse[rows][:, columns] + rng.normal(0, 12, (height, width, 3))
        pixels = np.clip(surface, 0, 255).astype(np.uint8)
        bits, quality = pdqhash.compute(pixels)
        assert pdq_hex(pixels) == (bits_to_hex(bits), quality), (height, width)


def test_the_sampled_blur_is_the_reference_box_filter_applied_twice() -> None:
    for length in (1, 7, 64, 129, 500, 1263):
        width = window_size(length)
        half = (width + 2) // 2
        identity = np.eye(length)
        once = np.empty_like(identity)
        for index in range(length):  # the reference's clipped running mean, output by output
            low, high = max(index - (width - half), 0), min(index + half - 1, length - 1)
            once[index] = identity[low : high + 1].mean(axis=0)
        samples = ((np.arange(64) + 0.5) * length / 64).astype(int)
        expected = (once @ once)[samples]
        assert np.allclose(sampled_blur(length), expected, atol=1e-6), length
