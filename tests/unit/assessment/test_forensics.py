"""The forensics producer: its contract, and honest detections on media made from corpus
photos (a splice, a copy-move, a noisier pasted region), with the untouched photos as
controls."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from pathlib import Path

import cv2
import numpy as np
import pytest
from PIL import Image, ImageOps

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.forensics.grid import CellMap, to_stored, to_upright
from accord.assessment.forensics.heatmap import HEATMAP_SIDE
from accord.assessment.forensics.jpeg import estimate_quality, quality_table
from accord.assessment.producers.forensics import ForensicsProducer
from accord.media.file import open_media
from tests.unit.assessment.contract import ProducerContract

Box = tuple[int, int, int, int]

#: Where the made media put their pasted and copied regions (left, top, width, height).
#: On multiples of 8, as pasting a whole JPEG into a layout grid keeps its blocks.
PASTED: Box = (800, 400, 320, 256)
COPIED_FROM: Box = (200, 150, 200, 160)
COPIED_TO: Box = (1200, 600, 200, 160)
DONOR_QUALITY, FINAL_QUALITY = 60, 90


def _photo(corpus: Path) -> Image.Image:
    return Image.open(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").convert("RGB")


def _donor(corpus: Path) -> Image.Image:
    """Another photo (people in a doorway), scaled to the pasted region."""
    people = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0291.jpg"
    return Image.open(people).convert("RGB").resize(PASTED[2:])


def _recompressed(picture: Image.Image, quality: int) -> Image.Image:
    buffer = io.BytesIO()
    picture.save(buffer, "JPEG", quality=quality)
    return Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")


def _splice(corpus: Path) -> Image.Image:
    """The donor, saved as a JPEG at a low quality, pasted into the photo."""
    spliced = _photo(corpus)
    spliced.paste(_recompressed(_donor(corpus), DONOR_QUALITY), PASTED[:2])
    return spliced


def _noisy_splice(corpus: Path) -> Image.Image:
    """The donor with the heavy grain of a high-ISO shot, pasted into the photo."""
    grain = np.random.default_rng(11).normal(0, 10, (PASTED[3], PASTED[2], 1))
    noisy = np.clip(np.asarray(_donor(corpus), np.float64) + grain, 0, 255).astype(np.uint8)
    spliced = _photo(corpus)
    spliced.paste(Image.fromarray(noisy), PASTED[:2])
    return spliced


def _copy_move(corpus: Path) -> Image.Image:
    pixels = np.asarray(_photo(corpus)).copy()
    left, top, width, height = COPIED_FROM
    target_left, target_top = COPIED_TO[:2]
    region = pixels[top : top + height, left : left + width].copy()
    pixels[target_top : target_top + height, target_left : target_left + width] = region
    return Image.fromarray(pixels)


def _turned_splice(corpus: Path) -> Image.Image:
    """The splice stored on its side, as a phone stores a portrait: EXIF orientation 6
    turns it upright. The pasted region stays on the stored picture's block grid."""
    return _splice(corpus).transpose(Image.Transpose.ROTATE_90)


@pytest.fixture(scope="module")
def made(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("forensics")
    pictures: dict[str, tuple[Image.Image, dict[str, object]]] = {
        "splice.jpg": (_splice(corpus), {"quality": FINAL_QUALITY}),
        "noisy-splice.jpg": (_noisy_splice(corpus), {"quality": FINAL_QUALITY}),
        "copy-move.jpg": (_copy_move(corpus), {"quality": FINAL_QUALITY}),
        "resaved.jpg": (_photo(corpus), {"quality": FINAL_QUALITY}),
        "flat.jpg": (Image.new("RGB", (320, 240), (128, 128, 128)), {"quality": 90}),
        "tiny.jpg": (_photo(corpus).resize((16, 16)), {"quality": 90}),
    }
    exif = Image.Exif()
    exif[0x0112] = 6
    pictures["turned-splice.jpg"] = (
        _turned_splice(corpus),
        {"quality": FINAL_QUALITY, "exif": exif.tobytes()},
    )
    paths = {}
    for name, (picture, options) in pictures.items():
        paths[name] = folder / name
        picture.save(paths[name], **options)  # type: ignore[arg-type]
    alpha = np.asarray(_photo(corpus).resize((400, 250)).convert("RGBA")).copy()
    alpha[:, :200, 3] = 0
    paths["alpha.png"] = folder / "alpha.png"
    Image.fromarray(alpha).save(paths["alpha.png"])
    return paths


@pytest.fixture(scope="module")
def produce() -> Callable[[Path], Sequence[Finding]]:
    """The producer's findings about a file, each file examined once per module."""
    producer = ForensicsProducer()
    seen: dict[Path, Sequence[Finding]] = {}

    def findings(path: Path) -> Sequence[Finding]:
        if path not in seen:
            seen[path] = producer.produce(AssessedFile(open_media(path)))
        return seen[path]

    return findings


def _by_code(findings: Sequence[Finding]) -> dict[str, Finding]:
    return {finding.code: finding for finding in findings}


def _overlaps(first: Sequence[int], second: Sequence[int]) -> bool:
    width = min(first[0] + first[2], second[0] + second[2]) - max(first[0], second[0])
    height = min(first[1] + first[3], second[1] + second[3]) - max(first[1], second[1])
    return width > 0 and height > 0


class TestForensicsContract(ProducerContract):
    @pytest.fixture
    def producer(self) -> Producer:
        return ForensicsProducer()

    @pytest.fixture
    def subjects(self, corpus: Path, made: dict[str, Path]) -> Sequence[AssessedFile]:
        people = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0291.jpg"
        files = [people, made["flat.jpg"], made["tiny.jpg"], made["alpha.png"]]
        return [AssessedFile(open_media(path)) for path in files]


def test_each_method_gives_one_finding_with_a_heatmap(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    findings = produce(made["splice.jpg"])
    assert sorted(finding.code for finding in findings) == [
        "forensics.copy_move",
        "forensics.ela",
        "forensics.jpeg_ghost",
        "forensics.noise",
    ]
    for finding in findings:
        (figure,) = finding.figures
        heatmap = cv2.imdecode(np.frombuffer(figure.png, np.uint8), cv2.IMREAD_COLOR)
        assert heatmap is not None
        assert max(heatmap.shape[:2]) <= HEATMAP_SIDE
        assert len(figure.reading_guide.split()) > 40, "a paragraph a fact-checker can follow"


def test_a_splice_from_a_lower_quality_jpeg_shows_a_ghost_where_it_was_pasted(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    findings = _by_code(produce(made["splice.jpg"]))
    ghost = findings["forensics.jpeg_ghost"]
    assert ghost.direction is Direction.ALTERED
    assert ghost.strength is Strength.WEAK
    assert _overlaps(ghost.details["box"], PASTED)
    assert ghost.details["ghost_quality"] < ghost.details["file_quality"]
    pasted_share = PASTED[2] * PASTED[3] / (1600 * 1004)
    assert pasted_share / 2 < ghost.details["area_share"] < pasted_share * 2
    # ELA is weaker: it may or may not localize this splice, but never elsewhere.
    for finding in findings.values():
        if finding.direction is Direction.ALTERED and "box" in finding.details:
            assert _overlaps(finding.details["box"], PASTED), finding.code


def test_the_ghost_is_found_in_a_picture_stored_on_its_side(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    ghost = _by_code(produce(made["turned-splice.jpg"]))["forensics.jpeg_ghost"]
    assert ghost.direction is Direction.ALTERED
    # EXIF orientation 6 turns the stored picture back to the photo as it was spliced.
    assert _overlaps(ghost.details["box"], PASTED)


def test_a_pasted_region_with_heavier_grain_stands_out_in_the_noise(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    noise = _by_code(produce(made["noisy-splice.jpg"]))["forensics.noise"]
    assert noise.direction is Direction.ALTERED
    assert _overlaps(noise.details["box"], PASTED)
    assert noise.details["region_noise_ratio"] > 1


def test_a_copy_moved_region_is_found_with_both_its_places(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    copy_move = _by_code(produce(made["copy-move.jpg"]))["forensics.copy_move"]
    assert copy_move.direction is Direction.ALTERED
    assert copy_move.strength.rank <= Strength.MODERATE.rank
    places = [copy_move.details["source_box"], copy_move.details["target_box"]]
    # Which of the two is the original cannot be told; both must be found.
    assert any(_overlaps(box, COPIED_FROM) for box in places)
    assert any(_overlaps(box, COPIED_TO) for box in places)
    offset = copy_move.details["offset"]
    expected = np.subtract(COPIED_TO[:2], COPIED_FROM[:2])
    assert np.allclose(np.abs(offset), np.abs(expected), atol=4)
    assert copy_move.details["matches"] >= copy_move.details["min_matches"]


@pytest.mark.parametrize(
    "photo",
    [
        "pdq/bridge-mods/aaa-orig.jpg",
        "pdq/reg-test-input/labelme-subset/q1050.jpg",
        "pdq/reg-test-input/labelme-subset/q0746.jpg",
    ],
)
def test_untouched_photos_give_no_altered_finding(
    corpus: Path, photo: str, produce: Callable[[Path], Sequence[Finding]]
) -> None:
    findings = produce(corpus / photo)
    assert findings
    assert all(finding.direction is Direction.NEUTRAL for finding in findings), [
        (finding.code, finding.details) for finding in findings
    ]


def test_a_resaved_photo_gives_no_altered_finding(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    findings = produce(made["resaved.jpg"])
    assert all(finding.direction is Direction.NEUTRAL for finding in findings)


def test_findings_are_weak_evidence_by_design(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    for path in made.values():
        for finding in produce(path):
            assert finding.strength.rank <= Strength.MODERATE.rank
            if finding.strength is Strength.MODERATE:
                assert finding.code == "forensics.copy_move"
                assert finding.direction is Direction.ALTERED
            if finding.direction is Direction.NEUTRAL:
                assert finding.strength is Strength.WEAK


@pytest.mark.parametrize("name", ["tiny.jpg", "flat.jpg", "alpha.png"])
def test_degenerate_pictures_give_neutral_findings_or_none(
    made: dict[str, Path], name: str, produce: Callable[[Path], Sequence[Finding]]
) -> None:
    findings = produce(made[name])
    assert all(finding.direction is Direction.NEUTRAL for finding in findings)
    if name == "tiny.jpg":
        assert not findings
    else:
        assert findings


def test_a_png_has_no_ghost_finding(
    made: dict[str, Path], produce: Callable[[Path], Sequence[Finding]]
) -> None:
    codes = {finding.code for finding in produce(made["alpha.png"])}
    assert "forensics.jpeg_ghost" not in codes
    assert "forensics.ela" in codes


@pytest.mark.parametrize("orientation", range(1, 9))
def test_maps_turn_between_stored_and_upright_as_pillow_does(orientation: int) -> None:
    stored = np.arange(5 * 7, dtype=np.uint8).reshape(5, 7)
    image = Image.fromarray(stored)
    image.getexif()[0x0112] = orientation
    upright = np.asarray(ImageOps.exif_transpose(image))
    assert np.array_equal(to_stored(upright, orientation), stored)
    cells = CellMap(stored.astype(np.float32), np.ones_like(stored, np.bool_), 1)
    turned = to_upright(cells, orientation, (upright.shape[0], upright.shape[1]))
    assert np.array_equal(turned.values, upright)
    assert turned.origin == (0, 0)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_cells_land_on_the_upright_pixels_they_cover(orientation: int) -> None:
    # 5 x 7 pixels in cells of 2: the last row and column are left out, and after a turn
    # the cells must start from whichever edges those pixels went to.
    cell = 2
    cells = np.arange(6, dtype=np.float32).reshape(2, 3)
    pixels = np.full((5, 7), -1, np.float32)
    pixels[:4, :6] = np.kron(cells, np.ones((cell, cell), np.float32))
    image = Image.fromarray(pixels, mode="F")
    image.getexif()[0x0112] = orientation
    upright = np.asarray(ImageOps.exif_transpose(image))
    stored_map = CellMap(cells, np.ones_like(cells, np.bool_), cell)
    turned = to_upright(stored_map, orientation, (upright.shape[0], upright.shape[1]))
    x0, y0 = turned.origin
    for (row, column), value in np.ndenumerate(turned.values):
        top, left = y0 + row * cell, x0 + column * cell
        assert np.all(upright[top : top + cell, left : left + cell] == value)


@pytest.mark.parametrize("quality", [10, 35, 50, 75, 90, 95, 100])
def test_the_jpeg_quality_is_read_back_from_its_table(quality: int, tmp_path: Path) -> None:
    assert estimate_quality(quality_table(quality).astype(int).tolist()) == (quality, True)
    path = tmp_path / "q.jpg"
    Image.new("RGB", (16, 16)).save(path, quality=quality)
    with Image.open(path) as image:
        table = image.quantization[0]  # type: ignore[attr-defined]
    assert estimate_quality(table) == (quality, True)
