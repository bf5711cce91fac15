"""Decoding's memory, estimated from the headers before anything is decoded."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PIL import Image

from accord.errors import CorruptMedia
from accord.media.cost import (
    AUDIO_BYTES_PER_SECOND,
    FRAME_BYTES_PER_PIXEL,
    PICTURE_BYTES_PER_PIXEL,
    THREAD_FRAME_BYTES_PER_PIXEL,
    decode_cost,
    head_picture_pixels,
)
from accord.media.file import open_media
from accord.media.video import probe_video
from tests.unit.media.conftest import TONE_SECONDS, MediaSet

#: The probe's pixel bomb: 80 megapixels in a file of about 100 KB.
BOMB_SIDES = (10_000, 8_000)


def test_a_small_file_of_many_pixels_is_priced_by_its_pixels(tmp_path: Path) -> None:
    path = tmp_path / "flat.png"
    Image.new("L", BOMB_SIDES, 90).save(path, compress_level=9)
    assert path.stat().st_size < 1_000_000
    cost = decode_cost(open_media(path))
    assert cost == round(80_000_000 * PICTURE_BYTES_PER_PIXEL)
    assert cost > 1_500_000_000  # what decoding it measured: 1.49 GB over the process's


def test_a_video_is_priced_by_its_frames_and_its_soundtrack(media_set: MediaSet) -> None:
    silent = decode_cost(open_media(media_set.silent_video))
    info = probe_video(open_media(media_set.silent_video))
    threads = min(os.cpu_count() or 1, 16)
    per_pixel = FRAME_BYTES_PER_PIXEL + threads * THREAD_FRAME_BYTES_PER_PIXEL
    assert silent == round(info.width * info.height * per_pixel)
    sounding = decode_cost(open_media(media_set.video))
    assert sounding - silent == pytest.approx(2.0 * AUDIO_BYTES_PER_SECOND, rel=0.1)


def test_audio_is_priced_by_its_length(media_set: MediaSet) -> None:
    cost = decode_cost(open_media(media_set.tones["mp3"]))
    assert cost == pytest.approx(TONE_SECONDS * AUDIO_BYTES_PER_SECOND, rel=0.05)


def test_a_header_that_cannot_be_read_is_a_media_error(tmp_path: Path) -> None:
    path = tmp_path / "cut.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(CorruptMedia):
        decode_cost(open_media(path))


def test_a_pictures_size_is_read_from_the_first_bytes_of_its_upload(
    tmp_path: Path, corpus: Path
) -> None:
    png = tmp_path / "wide.png"
    Image.new("RGB", (3000, 2000), (10, 20, 30)).save(png)
    assert head_picture_pixels(png.read_bytes()[:65536]) == 6_000_000
    photo = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()
    assert head_picture_pixels(photo[:65536]) == 1600 * 1004
    assert head_picture_pixels(photo[:40]) is None  # cut before the frame's header
    assert head_picture_pixels(b"not a picture at all") is None
