"""accord's image watermark on corpus photos: what it survives, what it never invents."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from accord.errors import SignalNotApplicable
from accord.signals.watermark import MIN_SIDE, embed_watermark, lattice, read_watermark
from accord.signals.watermark.coding import CODED_BITS, decode_payload, encode_payload
from accord.signals.watermark.layout import tile_for
from tests import edits

PAYLOAD = 0x0123_4567_89AB_CDEF


@pytest.fixture(scope="module")
def bridge(corpus: Path) -> Image.Image:
    return edits.load_photo(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")


@pytest.fixture(scope="module")
def marked(bridge: Image.Image) -> Image.Image:
    return Image.fromarray(embed_watermark(np.asarray(bridge), PAYLOAD))


def psnr(a: NDArray[np.uint8], b: NDArray[np.uint8]) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return float(10 * np.log10(255**2 / mse))


def test_the_code_corrects_noisy_symbols_and_its_crc_rejects_noise() -> None:
    rng = np.random.default_rng(1)
    for payload in (0, 1, PAYLOAD, 2**64 - 1):
        noisy = encode_payload(payload) + rng.normal(0, 0.9, CODED_BITS)
        assert decode_payload(noisy) == payload
    assert all(decode_payload(rng.normal(0, 1, CODED_BITS)) is None for _ in range(200))
    with pytest.raises(ValueError, match="64-bit"):
        encode_payload(2**64)


def test_the_tile_layout_never_changes() -> None:
    """Marks made today must read in ten years: the layout is part of the format."""
    tile = tile_for(encode_payload(PAYLOAD)).astype("<f4").tobytes()
    assert hashlib.sha256(tile).hexdigest() == (
        "3f778ffbb4e7728528e8bdfe34dcc1cfc3fd831b78116441ab4540f3da50799f"
    )


def test_marking_keeps_psnr_above_40_db_and_leaves_the_input_alone(
    bridge: Image.Image, marked: Image.Image
) -> None:
    original = np.asarray(bridge)
    before = original.copy()
    assert psnr(original, np.asarray(marked)) >= 40.0
    np.testing.assert_array_equal(original, before)
    assert np.asarray(marked).shape == original.shape


def test_a_picture_too_small_for_the_mark_is_refused() -> None:
    with pytest.raises(SignalNotApplicable, match="short side"):
        embed_watermark(np.zeros((MIN_SIDE - 1, 800, 3), np.uint8), PAYLOAD)


@pytest.mark.parametrize("attack", list(edits.FIXED_ATTACKS))
def test_the_payload_survives(marked: Image.Image, attack: str) -> None:
    copy = edits.FIXED_ATTACKS[attack](marked)
    reading = read_watermark(np.asarray(copy.convert("RGB")))
    assert reading is not None
    assert reading.payload == PAYLOAD


def test_the_payload_survives_a_screenshot_and_an_overlay(marked: Image.Image) -> None:
    rng = np.random.default_rng(3)
    in_viewer = edits.in_viewer(marked, rng, dark=False)
    banner = edits.overlay(marked, rng)
    for copy in (in_viewer, banner):
        reading = read_watermark(np.asarray(copy))
        assert reading is not None
        assert reading.payload == PAYLOAD


def test_the_reading_reports_the_copy_geometry(marked: Image.Image) -> None:
    reading = read_watermark(np.asarray(edits.turned(edits.cropped(marked, 0.1), 2.0)))
    assert reading is not None
    assert reading.scale == pytest.approx(1.25, rel=0.02)
    assert reading.rotation_degrees == pytest.approx(-2.0, abs=0.2)
    assert reading.payload_hex == "0123456789abcdef"


@pytest.mark.parametrize(
    "name",
    [
        "pdq/bridge-mods/aaa-orig.jpg",
        "c2pa/C.jpg",
        "c2pa/CA.jpg",
        "c2pa/mars.webp",
        "c2pa/no_manifest.jpg",
        "pdq/reg-test-input/pen-and-coaster.png",
    ],
)
def test_unmarked_photos_and_their_copies_read_as_unmarked(corpus: Path, name: str) -> None:
    photo = edits.load_photo(corpus / name)
    for attack in ("none", "jpeg 50", "crop 10% each side", "rotate +2°"):
        copy = edits.FIXED_ATTACKS[attack](photo)
        assert read_watermark(np.asarray(copy)) is None, attack


@pytest.mark.parametrize(
    "pixels",
    [
        np.zeros((600, 800, 3), np.uint8),
        np.full((600, 800, 3), 255, np.uint8),
        np.random.default_rng(0).integers(0, 256, (700, 900, 3), dtype=np.uint8),
        np.zeros((20, 30, 3), np.uint8),
        np.zeros((3000, 70, 3), np.uint8),
    ],
    ids=["black", "white", "noise", "tiny", "sliver"],
)
def test_degenerate_pictures_read_as_unmarked(pixels: NDArray[np.uint8]) -> None:
    assert read_watermark(pixels) is None


def test_a_lattice_fit_to_peaks_on_one_line_keeps_its_guess() -> None:
    """Image content can put every autocorrelation peak on one line: the fitted basis
    would be singular, so the first guess stands."""
    correlation = np.zeros((512, 512), np.float32)
    for step in range(1, 5):
        correlation[0, 64 * step - 1 : 64 * step + 2] = [0.5, 1.0, 0.5]
    guess = np.array([[0.0, 64.0], [64.0, 0.0]])
    np.testing.assert_array_equal(lattice._refine(correlation, guess, 4), guess)
