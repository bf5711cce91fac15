"""Where an altered copy differs from its original, through re-encoding, crops and resizes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from accord.assessment.differences import compare
from tests import edits

#: Where the splice goes, in the bridge photo's pixels: left, top, width, height.
SPLICE = (600, 300, 160, 120)


@pytest.fixture(scope="module")
def original(corpus: Path) -> Image.Image:
    return edits.load_photo(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")


@pytest.fixture(scope="module")
def spliced(original: Image.Image, corpus: Path) -> Image.Image:
    """A patch of another photo pasted in, as a fake sign or face would be."""
    donor = edits.load_photo(corpus / "c2pa" / "C.jpg")
    left, top, width, height = SPLICE
    copy = original.copy()
    copy.paste(donor.crop((100, 100, 100 + width, 100 + height)), (left, top))
    return copy


def rgb(image: Image.Image) -> NDArray[np.uint8]:
    return np.asarray(image.convert("RGB"))


def overlaps(box: tuple[int, int, int, int], other: tuple[int, int, int, int]) -> bool:
    (x, y, w, h), (ox, oy, ow, oh) = box, other
    return x < ox + ow and ox < x + w and y < oy + oh and oy < y + h


def test_a_splice_is_found_where_it_was_pasted(original: Image.Image, spliced: Image.Image) -> None:
    comparison = compare(rgb(original), rgb(edits.encoded(spliced, "JPEG", 75)))
    assert comparison.regions
    assert overlaps(comparison.regions[0].box, SPLICE)
    assert comparison.map_png.startswith(b"\x89PNG")


def test_a_splice_is_found_in_a_cropped_smaller_copy(
    original: Image.Image, spliced: Image.Image
) -> None:
    copy = edits.scaled(edits.cropped(spliced, 0.05), 0.6)
    comparison = compare(rgb(original), rgb(edits.encoded(copy, "JPEG", 80)))
    assert comparison.alignment == "homography"
    left, top = round(original.width * 0.05), round(original.height * 0.05)
    moved = (round((SPLICE[0] - left) * 0.6), round((SPLICE[1] - top) * 0.6), 96, 72)
    assert any(overlaps(region.box, moved) for region in comparison.regions)


@pytest.mark.parametrize(
    "attack", ["jpeg 50", "webp 75", "downscale 50%", "crop 10% each side", "brightness +20%"]
)
def test_an_unaltered_copy_has_no_changed_region(original: Image.Image, attack: str) -> None:
    copy = edits.FIXED_ATTACKS[attack](original)
    assert compare(rgb(original), rgb(copy)).regions == ()
