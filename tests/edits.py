"""Edited copies of photos, as reposts make them: crops, screenshots, overlays, turns.

Shared by the keypoint signal and index tests, the second-stage API test and
``benchmarks/second_stage.py``; also ``distractor`` pictures unrelated to any photo.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageDraw, ImageEnhance, ImageFont, ImageOps

Maker = Callable[[Image.Image, np.random.Generator], Image.Image]
WORDS = [
    "breaking", "news", "election", "vote", "results", "live", "update", "official",
    "ballot", "count", "candidate", "report", "share", "like", "follow", "comment",
]  # fmt: skip


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
    frame = (in_phone, in_browser, in_viewer)[int(rng.integers(0, 3))]
    dark = bool(rng.integers(0, 2))
    canvas = frame(photo, rng, dark)
    return reencode(canvas, rng, png=bool(rng.integers(0, 2)))


def in_phone(photo: Image.Image, rng: np.random.Generator, dark: bool) -> Image.Image:
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


def in_browser(photo: Image.Image, rng: np.random.Generator, dark: bool) -> Image.Image:
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


def in_viewer(photo: Image.Image, rng: np.random.Generator, dark: bool) -> Image.Image:
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


def encoded(image: Image.Image, format_name: str, quality: int) -> Image.Image:
    """Through a lossy codec at a fixed quality (PIL's default 4:2:0 chroma for JPEG)."""
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format_name, quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return decoded.convert("RGB")


def scaled(image: Image.Image, factor: float) -> Image.Image:
    size = (round(image.width * factor), round(image.height * factor))
    return image.resize(size, Image.Resampling.LANCZOS)


def cropped(image: Image.Image, fraction: float) -> Image.Image:
    """``fraction`` of the width and height off each side."""
    dx, dy = round(image.width * fraction), round(image.height * fraction)
    return image.crop((dx, dy, image.width - dx, image.height - dy))


def turned(image: Image.Image, degrees: float) -> Image.Image:
    return image.rotate(degrees, Image.Resampling.BICUBIC, fillcolor="black")


#: The transformations a robust watermark must survive, as accord's requirements name them
#: (shared by the watermark tests and ``benchmarks/watermark.py``).
FIXED_ATTACKS: dict[str, Callable[[Image.Image], Image.Image]] = {
    "none": lambda image: image,
    "jpeg 90": lambda image: encoded(image, "JPEG", 90),
    "jpeg 75": lambda image: encoded(image, "JPEG", 75),
    "jpeg 50": lambda image: encoded(image, "JPEG", 50),
    "webp 75": lambda image: encoded(image, "WEBP", 75),
    "webp 50": lambda image: encoded(image, "WEBP", 50),
    "downscale 50%": lambda image: scaled(image, 0.5),
    "downscale 50% + jpeg 75": lambda image: encoded(scaled(image, 0.5), "JPEG", 75),
    "crop 10% each side": lambda image: cropped(image, 0.10),
    "crop 10% + jpeg 75": lambda image: encoded(cropped(image, 0.10), "JPEG", 75),
    "rotate +2°": lambda image: turned(image, 2.0),
    "rotate -2° + jpeg 75": lambda image: encoded(turned(image, -2.0), "JPEG", 75),
    "brightness +20%": lambda image: ImageEnhance.Brightness(image).enhance(1.2),
    "brightness -20%": lambda image: ImageEnhance.Brightness(image).enhance(0.8),
    "contrast +20%": lambda image: ImageEnhance.Contrast(image).enhance(1.2),
    "contrast -20%": lambda image: ImageEnhance.Contrast(image).enhance(0.8),
    "greyscale": lambda image: image.convert("L").convert("RGB"),
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
