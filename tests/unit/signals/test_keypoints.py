"""The ``orb`` keypoint signal: its format, and matches on crops, screenshots, overlays, turns.

The edited copies are made here from corpus photos; ``benchmarks/second_stage.py`` and the
index tests reuse these makers (``FAMILIES``, ``distractor``). The full measurement over
every corpus photo is the benchmark's; this samples enough to catch a regression quickly.
"""

from __future__ import annotations

import base64
import io
import struct
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageFont, ImageOps

from accord.errors import InvalidSignal
from accord.media.file import open_media
from accord.signals.base import Subject
from accord.signals.hashing import hash_file
from accord.signals.keypoints import (
    MAX_KEYPOINTS,
    MIN_INLIERS,
    PREFIX,
    Keypoints,
    OrbKeypoints,
    decode_keypoints,
    encode_keypoints,
    extract_keypoints,
    verify,
)

Maker = Callable[[Image.Image, np.random.Generator], Image.Image]
WORDS = [
    "breaking", "news", "election", "vote", "results", "live", "update", "official",
    "ballot", "count", "candidate", "report", "share", "like", "follow", "comment",
]  # fmt: skip
#: A few corpus photos of different kinds: a large landscape, a tiny 256x256 street scene,
#: a macro photo with blurred background, an indoor phone photo.
SAMPLE = (
    "pdq/bridge-mods/aaa-orig.jpg",
    "pdq/reg-test-input/labelme-subset/q1050.jpg",
    "c2pa/CA.jpg",
    "pdq/reg-test-input/exif-rotn/exif-rotn-1.jpg",
)


# -- making edited copies -------------------------------------------------------------


def load_photo(path: Path, max_side: int = 1600) -> Image.Image:
    """A corpus picture upright, in RGB on white, at most ``max_side`` (a reposted copy)."""
    with Image.open(path) as opened:
        opened.draft("RGB", (max_side, max_side))
        image = ImageOps.exif_transpose(opened)
        if image.mode in ("RGBA", "LA", "PA", "P"):
            rgba = image.convert("RGBA")
            image = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
        image = image.convert("RGB")
    image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    return image


def reencode(image: Image.Image, rng: np.random.Generator, *, png: bool = False) -> Image.Image:
    """Through JPEG at a random quality (or PNG), as an upload pipeline would."""
    buffer = io.BytesIO()
    if png:
        image.save(buffer, "PNG")
    else:
        image.convert("RGB").save(buffer, "JPEG", quality=int(rng.integers(70, 95)))
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def crop(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """5-15 % off each side, drawn independently."""
    width, height = photo.size
    left, top, right, bottom = rng.uniform(0.05, 0.15, 4)
    box = (
        round(left * width),
        round(top * height),
        round(width - right * width),
        round(height - bottom * height),
    )
    return reencode(photo.crop(box), rng)


def rotate(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """1-5 degrees either way, on the same canvas or an expanded one, black corners."""
    degrees = float(rng.uniform(1.0, 5.0) * rng.choice([-1, 1]))
    expand = bool(rng.integers(0, 2))
    turned = photo.rotate(degrees, Image.Resampling.BICUBIC, expand=expand, fillcolor="black")
    return reencode(turned, rng)


def overlay(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A news banner with text, a round channel logo and a handle, as reposts add them."""
    image = photo.copy()
    width, height = image.size
    draw = ImageDraw.Draw(image, "RGBA")
    size = max(12, int(height * rng.uniform(0.05, 0.09)))
    top = int(height * rng.uniform(0.65, 0.82))
    draw.rectangle(
        (0, top, width, top + int(size * 1.6)), fill=(200, 0, 0, int(rng.integers(150, 256)))
    )
    draw.text((width * 0.03, top + size * 0.25), _phrase(rng, 3), font=_font(size), fill="white")
    radius = int(min(width, height) * rng.uniform(0.06, 0.1))
    x, y = int(width - 1.5 * radius), int(1.5 * radius)
    box = (x - radius, y - radius, x + radius, y + radius)
    draw.ellipse(box, fill=(255, 220, 0, 230), outline="black", width=max(1, radius // 10))
    draw.text((x - radius * 0.6, y - radius * 0.5), "TV", font=_font(radius), fill="black")
    handle = f"@{rng.choice(WORDS)}{int(rng.integers(10, 99))}"
    draw.text(
        (width * 0.05, height * 0.05),
        handle,
        font=_font(max(10, size // 2)),
        fill=(255, 255, 255, 160),
    )
    return reencode(image, rng)


def screenshot(photo: Image.Image, rng: np.random.Generator) -> Image.Image:
    """The photo scaled down inside a phone app, a browser page or a desktop viewer."""
    frame = (_phone, _browser, _viewer)[int(rng.integers(0, 3))]
    dark = bool(rng.integers(0, 2))
    canvas = frame(photo, rng, dark)
    return reencode(canvas, rng, png=bool(rng.integers(0, 2)))


def _phone(photo: Image.Image, rng: np.random.Generator, dark: bool) -> Image.Image:
    width, height = 720, 1480
    canvas, draw, ink, accent = _canvas(width, height, rng, dark)
    draw.rectangle((0, 0, width, 50), fill="black")
    draw.text((20, 12), "9:41", font=_font(26), fill="white")
    for slot in range(3):
        draw.rectangle((width - 40 - slot * 30, 15, width - 20 - slot * 30, 35), fill="white")
    draw.rectangle((0, 50, width, 150), fill=accent)
    draw.ellipse((20, 70, 80, 130), fill=ink)
    draw.text((100, 80), _phrase(rng, 2), font=_font(34), fill="white")
    shown = _fit(photo, int(width * rng.uniform(0.85, 1.0)), 900)
    canvas.paste(shown, ((width - shown.width) // 2, 170))
    y = 190 + shown.height
    for _ in range(4):
        draw.text((30, y), _phrase(rng, 4), font=_font(28), fill=ink)
        y += 40
    for slot, label in enumerate(("Like", "Share", "Reply")):
        left = 30 + slot * 230
        draw.rounded_rectangle((left, y + 10, left + 170, y + 70), 20, fill=accent)
        draw.text((left + 30, y + 25), label, font=_font(26), fill="white")
    draw.rectangle((0, height - 110, width, height), fill=(40, 40, 40) if dark else (235,) * 3)
    for slot in range(5):
        left = 50 + slot * 140
        draw.ellipse((left, height - 85, left + 60, height - 25), outline=ink, width=4)
    return canvas


def _browser(photo: Image.Image, rng: np.random.Generator, dark: bool) -> Image.Image:
    width, height = 1366, 768
    canvas, draw, ink, _ = _canvas(width, height, rng, dark)
    draw.rectangle((0, 0, width, 40), fill=(200, 200, 205))
    draw.rectangle((10, 5, 260, 40), fill=(245, 245, 245))
    draw.text((20, 12), _phrase(rng, 2), font=_font(16), fill="black")
    draw.rectangle((0, 40, width, 85), fill=(235, 235, 240))
    draw.rounded_rectangle((120, 48, width - 200, 78), 14, fill="white")
    url = f"https://www.{rng.choice(WORDS)}.example/news/2024"
    draw.text((140, 54), url, font=_font(18), fill=(40, 40, 40))
    draw.text((60, 110), _phrase(rng, 5), font=_font(36), fill=ink)
    shown = _fit(photo, int(width * rng.uniform(0.35, 0.6)), height - 200)
    left = int(rng.integers(40, width - shown.width - 40))
    canvas.paste(shown, (left, 170))
    text_left = left + shown.width + 30 if left < width / 2 else 40
    for line in range(12):
        if text_left + 200 < width:
            draw.text((text_left, 180 + 34 * line), _phrase(rng, 3), font=_font(22), fill=ink)
    return canvas


def _viewer(photo: Image.Image, rng: np.random.Generator, dark: bool) -> Image.Image:
    width, height = 1280, 800
    canvas, draw, ink, accent = _canvas(width, height, rng, dark)
    draw.rectangle((0, 0, width, 30), fill=(60, 60, 70))
    draw.text((10, 6), f"Viewer - {rng.choice(WORDS)}.jpg", font=_font(16), fill="white")
    for slot, colour in enumerate(("#ff5f56", "#ffbd2e", "#27c93f")):
        draw.ellipse((width - 90 + slot * 28, 8, width - 74 + slot * 28, 24), fill=colour)
    draw.rectangle((0, 30, 220, height), fill=(35, 35, 40) if dark else (235, 235, 240))
    for line in range(14):
        draw.text((20, 50 + 40 * line), _phrase(rng, 1), font=_font(20), fill=ink)
    draw.rectangle((220, height - 60, width, height), fill=accent)
    draw.text((240, height - 45), _phrase(rng, 4), font=_font(22), fill="white")
    room_width, room_height = width - 260, height - 130
    scale = rng.uniform(0.7, 1.0)
    shown = _fit(photo, int(room_width * scale), int(room_height * scale))
    offset = (240 + (room_width - shown.width) // 2, 50 + (room_height - shown.height) // 2)
    canvas.paste(shown, offset)
    return canvas


def _canvas(
    width: int, height: int, rng: np.random.Generator, dark: bool
) -> tuple[Image.Image, ImageDraw.ImageDraw, tuple[int, int, int], tuple[int, int, int]]:
    canvas = Image.new("RGB", (width, height), (20, 20, 24) if dark else (250, 250, 250))
    ink = (230, 230, 230) if dark else (20, 20, 20)
    red, green, blue = (int(channel) for channel in rng.integers(0, 200, 3))
    return canvas, ImageDraw.Draw(canvas), ink, (red, green, blue)


def _fit(photo: Image.Image, width: int, height: int) -> Image.Image:
    scale = min(width / photo.width, height / photo.height)
    size = (max(1, round(photo.width * scale)), max(1, round(photo.height * scale)))
    return photo.resize(size, Image.Resampling.LANCZOS)


def _phrase(rng: np.random.Generator, words: int) -> str:
    phrase = " ".join(str(word) for word in rng.choice(WORDS, words))
    return phrase.upper() if rng.random() < 0.5 else phrase


def _font(size: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    # Pillow's own font: no system fonts needed on CI.
    return ImageFont.load_default(size=max(8, int(size)))


FAMILIES: dict[str, Maker] = {
    "crop": crop,
    "screenshot": screenshot,
    "overlay": overlay,
    "rotate": rotate,
}


def distractor(rng: np.random.Generator) -> NDArray[np.uint8]:
    """A synthetic picture unrelated to any photo: noise texture, shapes, sometimes words."""
    width = int(rng.integers(420, 720))
    height = int(width * rng.uniform(0.55, 1.3))
    texture = _noise(rng, width, height)[..., None]
    low, high = rng.integers(0, 255, (2, 3))
    image = Image.fromarray((texture * low + (1 - texture) * high).astype(np.uint8))
    draw = ImageDraw.Draw(image, "RGBA")
    for _ in range(int(rng.integers(60, 250))):
        _shape(draw, rng, width, height)
    if rng.random() < 0.3:  # some distractors carry text, as photos may
        for _ in range(int(rng.integers(1, 6))):
            where = (int(rng.integers(0, width - 50)), int(rng.integers(0, height - 20)))
            draw.text(where, _phrase(rng, 2), font=_font(int(rng.integers(14, 48))), fill="black")
    grain = rng.integers(-12, 13, (height, width, 1), dtype=np.int16)
    pixels: NDArray[np.uint8] = np.clip(np.asarray(image, np.int16) + grain, 0, 255).astype(
        np.uint8
    )
    return pixels


def _noise(rng: np.random.Generator, width: int, height: int) -> NDArray[np.float64]:
    texture = np.zeros((height, width))
    for octave in range(int(rng.integers(4, 8))):
        cells = 2 ** (octave + 2)
        small = rng.random((cells, max(2, cells * width // height)))
        layer = Image.fromarray(small.astype(np.float32)).resize((width, height))
        texture += np.asarray(layer) / 1.3**octave
    texture -= texture.min()
    return texture / max(float(texture.max()), 1e-6)


def _shape(draw: ImageDraw.ImageDraw, rng: np.random.Generator, width: int, height: int) -> None:
    x, y = int(rng.integers(0, width)), int(rng.integers(0, height))
    size = int(rng.integers(8, max(9, width // 4)))
    red, green, blue, alpha = (int(value) for value in rng.integers(80, 256, 4))
    fill = (red - 80, green - 80, blue - 40, alpha)
    kind = int(rng.integers(0, 4))
    if kind == 0:
        draw.ellipse((x, y, x + size, y + size * rng.uniform(0.3, 2)), fill=fill)
    elif kind == 1:
        draw.rectangle((x, y, x + size, y + size * rng.uniform(0.3, 2)), fill=fill)
    elif kind == 2:
        corners = rng.integers(-size, size, (int(rng.integers(3, 7)), 2))
        draw.polygon([(x + int(a), y + int(b)) for a, b in corners], fill=fill)
    else:
        end = (x + int(rng.integers(-size, size)), y + int(rng.integers(-size, size)))
        draw.line([(x, y), end], fill=fill, width=int(rng.integers(1, 8)))


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
    framed = verify(keypoints_of(_viewer(photo, rng, dark=True)), original)
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
