"""Stable Diffusion watermarks: embedded here with the published algorithm
(tests/sd_watermark.py), read back by the producer from the files."""

from __future__ import annotations

import importlib.util
import math
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageOps

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.producers.generator_watermarks import GeneratorWatermarksProducer
from accord.assessment.stable_diffusion_watermark import (
    ChannelOrder,
    PixelType,
    Verdict,
    block_bits,
    known_marks,
    vote,
)
from accord.media.file import open_media
from tests import sd_watermark
from tests.unit.assessment.contract import ProducerContract

Embedder = Callable[[NDArray[np.uint8], list[int]], NDArray[np.uint8]]

MESSAGES = {
    "sd1": sd_watermark.bytes_bits(sd_watermark.SD1_MESSAGE),
    "sd2": sd_watermark.bytes_bits(sd_watermark.SD2_MESSAGE),
    "sdxl": sd_watermark.number_bits(sd_watermark.SDXL_NUMBER),
    "sd_fork_46": sd_watermark.number_bits(sd_watermark.FORK_NUMBER),
}
#: How each generator hands its picture over, and the channel order that undoes it.
EMBEDDERS: dict[str, tuple[Embedder, ChannelOrder]] = {
    "stability": (sd_watermark.embed_stability, ChannelOrder.BGR),
    "diffusers": (sd_watermark.embed_diffusers, ChannelOrder.RGB),
    "sdxl-stability-float": (sd_watermark.embed_sdxl_stability, ChannelOrder.BGR),
    "sdxl-diffusers-float": (sd_watermark.embed_sdxl_diffusers, ChannelOrder.RGB),
}
#: Crops of a corpus photo at the sizes generators write: (top, left, side). The 8-bit
#: embedding does not take everywhere (flat or saturated colour defeats it, for the
#: reference reader too); these regions have texture in every channel.
PHOTO = "pdq/reg-test-input/exif-rotn/exif-rotn-1.jpg"
CROPS = {512: (2000, 3000, 512), 1024: (1000, 1500, 1024)}


def _load(path: Path) -> NDArray[np.uint8]:
    with Image.open(path) as image:
        return np.asarray(ImageOps.exif_transpose(image).convert("RGB"))


@pytest.fixture(scope="module")
def crops(corpus: Path) -> dict[int, NDArray[np.uint8]]:
    photo = _load(corpus / PHOTO)
    return {
        size: np.ascontiguousarray(photo[top : top + side, left : left + side])
        for size, (top, left, side) in CROPS.items()
    }


def _save(pixels: NDArray[np.uint8], path: Path, **options: Any) -> AssessedFile:
    Image.fromarray(pixels).save(path, **({"compress_level": 1} | options))
    return AssessedFile(open_media(path))


def _synthetic(findings: Sequence[Finding]) -> list[Finding]:
    return [f for f in findings if f.direction is Direction.SYNTHETIC]


class TestContract(ProducerContract):
    @pytest.fixture
    def producer(self) -> Producer:
        return GeneratorWatermarksProducer()

    @pytest.fixture
    def subjects(
        self, corpus: Path, crops: dict[int, NDArray[np.uint8]], tmp_path: Path
    ) -> Sequence[AssessedFile]:
        marked = sd_watermark.embed_stability(crops[512], MESSAGES["sdxl"])
        return [
            _save(marked, tmp_path / "marked.png"),
            AssessedFile(open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")),
            AssessedFile(open_media(corpus / "pdq" / "bridge-mods" / "square-128x128.jpg")),
        ]


@pytest.mark.parametrize("size", sorted(CROPS))
@pytest.mark.parametrize(
    ("key", "embedder"),
    [(key, embedder) for key in MESSAGES for embedder in ("stability", "diffusers")]
    + [("sdxl", "sdxl-stability-float"), ("sdxl", "sdxl-diffusers-float")],
)
def test_an_embedded_message_is_read_back(
    crops: dict[int, NDArray[np.uint8]], tmp_path: Path, size: int, key: str, embedder: str
) -> None:
    embed, order = EMBEDDERS[embedder]
    subject = _save(embed(crops[size], MESSAGES[key]), tmp_path / "marked.png")

    findings = GeneratorWatermarksProducer().produce(subject)

    [finding] = _synthetic(findings)
    mark = next(mark for mark in known_marks() if mark.key == key)
    details = finding.details
    assert finding.code == "generator_watermarks.stable_diffusion"
    assert details["mark"] == key
    assert details["message"] == mark.message
    assert details["bits_total"] == len(MESSAGES[key])
    assert details["bits_matching"] >= mark.likely_at
    assert details["channel_order"] == order
    verdict = Verdict(details["verdict"])
    assert verdict is mark.verdict(details["bits_matching"])
    assert finding.strength is (
        Strength.STRONG if verdict is Verdict.VERY_LIKELY else Strength.MODERATE
    )
    assert f"{details['bits_matching']} of {len(MESSAGES[key])} bits" in finding.explanation


@pytest.mark.parametrize(
    "name",
    [
        "pdq/bridge-mods/aaa-orig.jpg",
        "c2pa/C.jpg",
        "c2pa/sample1.png",
        "c2pa/no_manifest.jpg",
        "pdq/reg-test-input/pen-and-coaster.png",
    ],
)
def test_unmarked_corpus_photos_give_no_synthetic_finding(corpus: Path, name: str) -> None:
    findings = GeneratorWatermarksProducer().produce(AssessedFile(open_media(corpus / name)))

    assert not _synthetic(findings)
    [finding] = findings
    assert finding.code == "generator_watermarks.none_found"
    assert finding.direction is Direction.NEUTRAL
    assert finding.strength is Strength.WEAK
    assert {reading["mark"] for reading in finding.details["readings"]} == set(MESSAGES)


def test_unmarked_crops_give_no_synthetic_finding(
    crops: dict[int, NDArray[np.uint8]], tmp_path: Path
) -> None:
    for size, pixels in crops.items():
        findings = GeneratorWatermarksProducer().produce(_save(pixels, tmp_path / f"{size}.png"))
        assert not _synthetic(findings), size


def test_jpeg_recompression_may_lose_the_mark_and_says_so(
    crops: dict[int, NDArray[np.uint8]], tmp_path: Path
) -> None:
    marked = sd_watermark.embed_stability(crops[1024], MESSAGES["sdxl"])
    assert _synthetic(GeneratorWatermarksProducer().produce(_save(marked, tmp_path / "m.png")))

    findings = GeneratorWatermarksProducer().produce(_save(marked, tmp_path / "m.jpg", quality=85))

    [finding] = findings
    assert finding.code == "generator_watermarks.none_found"
    assert finding.direction is Direction.NEUTRAL
    assert finding.strength is Strength.WEAK
    assert "no known generator watermark found" in finding.explanation.lower()
    assert "JPEG recompression" in finding.limits
    assert "resizing" in finding.limits
    assert "many generators add none" in finding.limits


def test_pictures_too_large_or_too_small_are_not_read(corpus: Path, tmp_path: Path) -> None:
    wide = np.zeros((300, 4100, 3), dtype=np.uint8)
    small = corpus / "pdq" / "bridge-mods" / "square-128x128.jpg"
    for subject in (_save(wide, tmp_path / "wide.png"), AssessedFile(open_media(small))):
        [finding] = GeneratorWatermarksProducer().produce(subject)
        assert finding.code == "generator_watermarks.not_checked"
        assert finding.direction is Direction.NEUTRAL
        assert finding.strength is Strength.WEAK


def _tail(bits: int, k: int) -> float:
    return sum(math.comb(bits, i) for i in range(k, bits + 1)) / (1 << bits)


def test_thresholds_follow_stabilitys_rule_and_the_binomial_tail() -> None:
    marks = {mark.key: mark for mark in known_marks()}
    assert (marks["sdxl"].very_likely_at, marks["sdxl"].likely_at) == (36, 34)
    # Three binomial-ruled messages, each read two channel orders x two pixel types.
    readings = 3 * len(ChannelOrder) * len(PixelType)
    for key in ("sd1", "sd2", "sd_fork_46"):
        mark = marks[key]
        assert len(mark.bits) == len(MESSAGES[key])
        for at, rate in ((mark.likely_at, 1e-4), (mark.very_likely_at, 1e-5)):
            assert readings * _tail(len(mark.bits), at) <= rate
            assert readings * _tail(len(mark.bits), at - 1) > rate
    assert len(marks["sd_fork_46"].bits) == 46


def test_the_reader_needs_no_watermarking_library() -> None:
    code = (
        "import sys\n"
        "import accord.assessment.producers.generator_watermarks\n"
        "bad = {'imwatermark', 'pywt', 'torch'} & set(sys.modules)\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_the_embedder_and_reader_agree_with_invisible_watermark(
    crops: dict[int, NDArray[np.uint8]],
) -> None:
    """Both halves match the reference package, which ``make test`` installs (without
    PyTorch, through ``make bench-peers``)."""
    spec = importlib.util.find_spec("imwatermark")
    if spec is None or spec.origin is None or importlib.util.find_spec("pywt") is None:
        missing = "invisible-watermark is not installed: make bench-peers installs it"
        if os.environ.get("CI"):
            pytest.fail(missing)
        pytest.skip(missing)
    # Loaded alone: the package's __init__ imports torch.
    path = Path(spec.origin).parent / "maxDct.py"
    loader = importlib.util.spec_from_file_location("_reference_max_dct", path)
    assert loader is not None
    assert loader.loader is not None
    reference = importlib.util.module_from_spec(loader)
    loader.loader.exec_module(reference)

    bgr = np.ascontiguousarray(crops[512][:, :, ::-1])
    for bits in MESSAGES.values():
        theirs = reference.EmbedMaxDct(bits, wmLen=len(bits)).encode(bgr.copy())
        np.testing.assert_array_equal(sd_watermark.embed(bgr.copy(), bits), theirs)
        for picture in (theirs, bgr):
            read = reference.EmbedMaxDct([], wmLen=len(bits)).decode(picture)
            mine = vote(block_bits(picture, PixelType.EIGHT_BIT), len(bits))
            np.testing.assert_array_equal(mine, np.asarray(read, dtype=np.uint8))
