"""Small pictures still match (issue 21, item 12): 256-pixel photos banked through
``POST /v1/banks/{bank}/entries/file`` are found by ``POST /v1/match`` when mirrored, cropped,
shown in a screenshot or turned a few degrees, a calm sea photo included; unrelated
pictures of the same size are not. A 128-pixel photo is found from a 51-pixel copy (by
``pdq_upscaled``). The full suite is ``benchmarks/small_pictures.py``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image, ImageOps

from tests.edits import cropped, encoded, load_photo, scaled, turned
from tests.integration.banks.test_banks_api import make_bank
from tests.integration.matching.test_match_api import bank_file, entries_of, match_file

pytestmark = pytest.mark.xdist_group("small-pictures")

SIZE = 256
LABELME = "pdq/reg-test-input/labelme-subset"
#: A textured photo (houses: the one pdqhash's mirrored hash lost) and a calm one (the sea:
#: 5 ORB corners at the usual contrast threshold).
BANKED = {"houses": f"{LABELME}/q1050.jpg", "sea": f"{LABELME}/q0122.jpg"}
UNRELATED = ("pdq/reg-test-input/pen-and-coaster.png", "c2pa/C.jpg", f"{LABELME}/q0004.jpg")


def _screenshot(picture: Image.Image) -> Image.Image:
    """The picture at its own size on a canvas twice as large, under a dark app bar."""
    canvas = Image.new("RGB", (picture.width * 2, picture.height * 2), (250, 250, 250))
    canvas.paste((40, 40, 90), (0, 0, canvas.width, picture.height // 6))
    canvas.paste(picture, (picture.width // 3, picture.height // 4))
    return canvas


EDITS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "mirror": ImageOps.mirror,
    "jpeg q35": lambda picture: encoded(picture, "JPEG", 35),
    "crop 20%": lambda picture: cropped(picture, 0.20),
    "screenshot": _screenshot,
    "turn 4°": lambda picture: turned(picture, 4.0),
}


def _square(path: Path, size: int = SIZE) -> Image.Image:
    photo = load_photo(path)
    side = min(photo.size)
    left, top = (photo.width - side) // 2, (photo.height - side) // 2
    square = photo.crop((left, top, left + side, top + side))
    return square.resize((size, size), Image.Resampling.LANCZOS)


def _saved(picture: Image.Image, path: Path) -> Path:
    picture.convert("RGB").save(path, "JPEG", quality=90)
    return path


def test_edited_small_photos_are_found_and_unrelated_ones_are_not(
    client: TestClient, corpus: Path, tmp_path: Path
) -> None:
    make_bank(client)
    originals = {name: _square(corpus / path) for name, path in BANKED.items()}
    entries = {
        name: bank_file(client, "DEEPFAKES", _saved(picture, tmp_path / f"{name}.jpg"))
        for name, picture in originals.items()
    }
    missed = []
    for name, picture in originals.items():
        for edit, make in EDITS.items():
            result = match_file(client, _saved(make(picture), tmp_path / "copy.jpg"))
            if entries_of(result) != {entries[name]}:
                missed.append(f"{name} {edit}: {entries_of(result)}")
    assert missed == []
    for number, path in enumerate(UNRELATED):
        other = _square(corpus / path)
        for copy in (other, ImageOps.mirror(other), cropped(other, 0.15)):
            result = match_file(client, _saved(copy, tmp_path / f"other-{number}.jpg"))
            assert result["matches"] == [], path


def test_a_mirrored_small_photo_is_found_by_its_pdq_and_said_to_be_mirrored(
    client: TestClient, corpus: Path, tmp_path: Path
) -> None:
    make_bank(client)
    houses = _square(corpus / BANKED["houses"])
    entry = bank_file(client, "DEEPFAKES", _saved(houses, tmp_path / "houses.jpg"))
    mirrored = np.asarray(houses)[:, ::-1]
    result = match_file(client, _saved(Image.fromarray(mirrored), tmp_path / "mirror.jpg"))
    assert entries_of(result) == {entry}
    best = result["matches"][0]
    assert (best["signal_type"], best["stage"]) == ("pdq", "first")
    assert best["detail"]["orientation"] == "flip_y"
    assert best["distance"] <= 16


def test_a_copy_of_51_pixels_is_found_by_its_upscaled_pdq_and_an_unrelated_one_is_not(
    client: TestClient, corpus: Path, tmp_path: Path
) -> None:
    """Plain PDQ of the 51-pixel zebra copy is 36 bits from its 128-pixel original: PDQ does
    not blur pictures that small. Upscaled to 128 pixels first, it is 14 bits away."""
    make_bank(client)
    zebra = _square(corpus / f"{LABELME}/q2821.jpg", 128)
    entry = bank_file(client, "DEEPFAKES", _saved(zebra, tmp_path / "zebra.jpg"))
    result = match_file(client, _saved(scaled(zebra, 0.4), tmp_path / "small.jpg"))
    assert entries_of(result) == {entry}
    best = result["matches"][0]
    assert (best["signal_type"], best["stage"]) == ("pdq", "first")
    assert best["distance"] <= 24
    # Textured pictures, so that their PDQ is reliable and looked up.
    for number, path in enumerate((UNRELATED[0], BANKED["houses"])):
        other = scaled(_square(corpus / path, 128), 0.4)
        result = match_file(client, _saved(other, tmp_path / f"other-{number}.jpg"))
        assert result["matches"] == [], path
