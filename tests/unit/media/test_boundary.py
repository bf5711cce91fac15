"""The decode boundary: a decoder's unforeseen exception leaves as an accord error."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from PIL import Image

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media.boundary import decoding
from accord.media.file import open_media
from accord.media.image import load_image
from accord.media.metadata import read_fields
from tests.factories import bomb_gif


def test_accord_errors_pass_through_unchanged() -> None:
    original = UnsupportedMedia("not a picture")
    with pytest.raises(UnsupportedMedia) as raised, decoding("image"):
        raise original
    assert raised.value is original


def test_anything_else_becomes_corrupt_media_with_its_traceback_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with pytest.raises(CorruptMedia) as raised, decoding("video"):
        bytes([0xFF]).decode("utf-8")
    assert raised.value.detail == "the video cannot be decoded (UnicodeDecodeError in its decoder)"
    assert isinstance(raised.value.__cause__, UnicodeDecodeError)
    [record] = [r for r in caplog.records if r.name == "accord.media"]
    assert record.levelno == logging.ERROR
    assert record.exc_info is not None


def test_running_out_of_memory_is_too_large_and_deep_nesting_corrupt() -> None:
    with pytest.raises(MediaTooLarge), decoding("image"):
        raise MemoryError
    with pytest.raises(CorruptMedia, match="nested too deeply"), decoding("image"):
        raise RecursionError


def test_the_library_decoders_run_inside_it(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*_args: object, **_kwargs: object) -> Image.Image:
        raise AttributeError("'NoneType' object has no attribute 'mode'")

    monkeypatch.setattr(Image, "open", broken)
    media = open_media(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    with pytest.raises(CorruptMedia, match="AttributeError in its decoder"):
        load_image(media)
    with pytest.raises(CorruptMedia, match="AttributeError in its decoder"):
        read_fields(media)


def test_a_gif_pillow_refuses_as_a_bomb_is_too_large_for_metadata(tmp_path: Path) -> None:
    """The metadata fuzz target's find: Pillow raises DecompressionBombError as it opens
    the file, before any metadata is read (it was no accord error)."""
    path = tmp_path / "bomb.gif"
    path.write_bytes(bomb_gif())
    with pytest.raises(MediaTooLarge, match="decompression bomb"):
        read_fields(open_media(path))
