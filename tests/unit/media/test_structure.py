"""Container walkers refuse hostile structure before any decoder runs."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from accord.errors import CorruptMedia, MediaTooLarge
from accord.media.file import open_media
from accord.media.limits import MediaLimits


def box(kind: bytes, payload: bytes = b"") -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def riff_chunk(kind: bytes, payload: bytes) -> bytes:
    return kind + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) % 2 else b"")


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("riff_bomb_1000.wav", "RIFF chunks nested deeper"),
        ("nested_moov_1000.mp4", "MP4 boxes nested deeper"),
        ("id3v23_compression_underflow.mp3", "marked compressed"),
        ("sample3.invalid.wav", "RIFF header declares"),
    ],
)
def test_malformed_corpus_files_are_refused(corpus: Path, name: str, reason: str) -> None:
    with pytest.raises(CorruptMedia, match=reason):
        open_media(corpus / "c2pa" / name)


def test_valid_corpus_containers_pass(corpus: Path) -> None:
    for path in [*sorted((corpus / "video").glob("*.mp4")), *sorted((corpus / "c2pa").glob("*.*"))]:
        if path.suffix in {".json", ".c2pa-rs"} or path.name.startswith(
            ("riff_bomb", "nested_moov", "id3v23", "sample3")
        ):
            continue
        assert open_media(path).size > 0, path.name


def test_a_box_larger_than_its_file_is_truncation(tmp_path: Path) -> None:
    data = box(b"ftyp", b"isom\0\0\0\0isom") + struct.pack(">I", 10_000) + b"moov" + b"\0" * 40
    path = tmp_path / "cut.mp4"
    path.write_bytes(data)
    with pytest.raises(CorruptMedia, match="truncated"):
        open_media(path)


def test_nesting_limit_is_configurable(tmp_path: Path) -> None:
    inner = b""
    for _ in range(6):
        inner = box(b"moov", inner)
    path = tmp_path / "nested.mp4"
    path.write_bytes(box(b"ftyp", b"isom\0\0\0\0isom") + inner)
    assert open_media(path).format.name == "mp4"
    with pytest.raises(CorruptMedia, match="nested deeper than 4"):
        open_media(path, MediaLimits(max_nesting=4))


def test_riff_chunk_past_its_parent(tmp_path: Path) -> None:
    fmt = riff_chunk(b"fmt ", struct.pack("<HHIIHH", 1, 1, 8000, 16000, 2, 16))
    lying = b"data" + struct.pack("<I", 1_000_000) + b"\0" * 16
    body = b"WAVE" + fmt + lying
    path = tmp_path / "lying.wav"
    path.write_bytes(b"RIFF" + struct.pack("<I", len(body)) + body)
    with pytest.raises(CorruptMedia, match="'data'"):
        open_media(path)


def test_byte_limit(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(MediaTooLarge, match="bytes"):
        open_media(corpus / "c2pa" / "sample1.wav", MediaLimits(max_bytes=1000))
