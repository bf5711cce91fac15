"""Image decoding: upright RGB pixels, reduced when asked, bombs and damage refused."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media.file import open_media
from accord.media.image import PDQ_WORKING_SIZE, decode_image, load_image
from accord.media.limits import MediaLimits


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def test_full_resolution_by_default(corpus: Path) -> None:
    photo = corpus / "pdq" / "reg-test-input" / "exif-rotn" / "exif-rotn-1.jpg"
    pixels = load_image(open_media(photo))
    assert pixels.shape == (3024, 4032, 3)
    assert pixels.dtype == np.uint8


def test_reduced_decoding_keeps_the_short_side_at_the_working_size(corpus: Path) -> None:
    path = corpus / "pdq" / "reg-test-input" / "exif-rotn" / "exif-rotn-6.jpg"
    pixels = load_image(open_media(path), min_side=PDQ_WORKING_SIZE)
    height, width, _ = pixels.shape
    assert min(height, width) >= PDQ_WORKING_SIZE
    assert height * width < 3024 * 4032 / 8
    assert height > width  # EXIF orientation 6: a portrait picture stored sideways


def test_reduced_pictures_say_their_scale_and_full_size(corpus: Path) -> None:
    path = corpus / "pdq" / "reg-test-input" / "exif-rotn" / "exif-rotn-6.jpg"
    picture = decode_image(open_media(path), min_side=PDQ_WORKING_SIZE)
    assert picture.scale == 8  # 378 x 504 keeps the working size
    assert picture.full_shape == (4032, 3024)  # upright: turned by EXIF
    assert picture.pixels.shape[:2] == (4032 // 8, 3024 // 8)
    detailed = decode_image(open_media(path), min_side=PDQ_WORKING_SIZE, min_pixels=200_000)
    assert detailed.scale == 4  # 1/8 would keep only 190,512 pixels
    assert detailed.pixels.shape[:2] == (4032 // 4, 3024 // 4)


def test_luma_is_decoded_alone_only_from_reduced_jpegs(corpus: Path) -> None:
    photo = corpus / "pdq" / "reg-test-input" / "exif-rotn" / "exif-rotn-6.jpg"
    reduced = decode_image(open_media(photo), min_side=PDQ_WORKING_SIZE, luma=True)
    assert reduced.pixels.shape == (4032 // 8, 3024 // 8)  # one channel, upright
    colour = decode_image(open_media(photo), min_side=PDQ_WORKING_SIZE).pixels
    luma = colour.astype(np.float64) @ (0.299, 0.587, 0.114)
    assert np.abs(luma - reduced.pixels).mean() < 1.5
    small = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0122.jpg"
    full_size = decode_image(open_media(small), min_side=PDQ_WORKING_SIZE, luma=True)
    assert (full_size.scale, full_size.pixels.ndim) == (1, 3)  # kept exact: RGB


def _jpeg(tmp_path: Path, size: tuple[int, int], orientation: int) -> Path:
    exif = Image.Exif()
    exif[0x0112] = orientation
    buffer = io.BytesIO()
    Image.new("RGB", size, (90, 120, 30)).save(buffer, "JPEG", exif=exif.tobytes())
    return write(tmp_path, f"{size[0]}x{size[1]}-{orientation}.jpg", buffer.getvalue())


def test_turned_pictures_are_reduced_only_by_scales_dividing_both_sides(tmp_path: Path) -> None:
    # 2066 is even but not a multiple of 4: upright it may be quartered...
    upright = decode_image(open_media(_jpeg(tmp_path, (2066, 2400), 1)), min_side=300)
    assert (upright.scale, upright.full_shape) == (4, (2400, 2066))
    # ...mirrored only halved, so its blocks still line up with the full picture's.
    mirrored = decode_image(open_media(_jpeg(tmp_path, (2066, 2400), 2)), min_side=300)
    assert (mirrored.scale, mirrored.pixels.shape[:2]) == (2, (1200, 1033))
    odd = decode_image(open_media(_jpeg(tmp_path, (2067, 2400), 6)), min_side=300)
    assert (odd.scale, odd.full_shape, odd.pixels.shape[:2]) == (1, (2067, 2400), (2067, 2400))


def test_transparency_is_composited_on_white(tmp_path: Path) -> None:
    image = Image.new("RGBA", (8, 8), (255, 0, 0, 0))
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    pixels = load_image(open_media(write(tmp_path, "clear.png", buffer.getvalue())))
    assert (pixels == 255).all()


def test_sixteen_bit_greyscale_is_scaled_not_clipped(tmp_path: Path) -> None:
    ramp = (np.arange(256, dtype=np.uint16).reshape(16, 16) * 257).astype(np.uint16)
    path = tmp_path / "ramp.png"
    Image.fromarray(ramp).save(path)
    pixels = load_image(open_media(path))
    assert pixels[..., 0].min() == 0
    assert pixels[..., 0].max() == 255
    assert len(np.unique(pixels[..., 0])) > 200


def test_pixel_bomb_is_refused_before_decoding(hostile_files: dict[str, Any]) -> None:
    with pytest.raises(MediaTooLarge, match="pixels"):
        load_image(open_media(hostile_files["pixel-bomb.png"].path))


def test_pixel_limit_is_configurable(corpus: Path) -> None:
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    media = open_media(photo, MediaLimits(max_pixels=1000))
    with pytest.raises(MediaTooLarge):
        load_image(media)


def test_truncated_jpeg_is_corrupt(corpus: Path, tmp_path: Path) -> None:
    data = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    with pytest.raises(CorruptMedia, match="jpeg"):
        load_image(open_media(write(tmp_path, "cut.jpg", data[: len(data) // 2])))


def test_garbage_behind_a_signature_is_corrupt(tmp_path: Path) -> None:
    noise = np.random.default_rng(3).bytes(5000)
    for name, head in (("x.jpg", b"\xff\xd8\xff\xe0"), ("x.png", b"\x89PNG\r\n\x1a\n")):
        with pytest.raises(CorruptMedia):
            load_image(open_media(write(tmp_path, name, head + noise)))


def test_non_images_are_refused(corpus: Path) -> None:
    with pytest.raises(UnsupportedMedia):
        load_image(open_media(corpus / "c2pa" / "sample1.wav"))
