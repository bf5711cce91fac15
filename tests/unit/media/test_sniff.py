"""Formats come from the bytes, never the name."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import EmptyMedia, UnsupportedMedia
from accord.media.kinds import MediaKind
from accord.media.sniff import sniff_bytes, sniff_file


@pytest.mark.parametrize(
    ("relative", "kind", "name"),
    [
        ("pdq/bridge-mods/aaa-orig.jpg", MediaKind.IMAGE, "jpeg"),
        ("c2pa/sample1.png", MediaKind.IMAGE, "png"),
        ("c2pa/mars.webp", MediaKind.IMAGE, "webp"),
        ("c2pa/video1.mp4", MediaKind.VIDEO, "mp4"),
        ("video/chair-19-sd-bar.mp4", MediaKind.VIDEO, "mp4"),
        ("c2pa/sample1.wav", MediaKind.AUDIO, "wav"),
        ("c2pa/sample1.mp3", MediaKind.AUDIO, "mp3"),
    ],
)
def test_corpus_formats(corpus: Path, relative: str, kind: MediaKind, name: str) -> None:
    fmt = sniff_file(corpus / relative)
    assert (fmt.kind, fmt.name) == (kind, name)


def test_the_file_name_is_ignored(corpus: Path, tmp_path: Path) -> None:
    disguised = tmp_path / "holiday.mp3"
    disguised.write_bytes((corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes())
    assert sniff_file(disguised).name == "jpeg"


@pytest.mark.parametrize(
    ("head", "name"),
    [
        (b"GIF89a" + b"\0" * 10, "gif"),
        (b"fLaC\0\0\0\x22", "flac"),
        (b"OggS\0\x02" + b"\0" * 20, "ogg"),
        (b"\0\0\0\x20ftypM4A \0\0\0\0M4A isom", "m4a"),
        (b"\0\0\0\x14ftypqt  \0\0\0\0qt  ", "mov"),
        (b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf", "avif"),
        (b"\x1a\x45\xdf\xa3" + b"\0" * 10, "matroska"),
        (b"RIFF\0\0\0\0AVI LIST", "avi"),
        (b"FORM\0\0\0\0AIFF", "aiff"),
        (b"\xff\xfb\x90\x00" + b"\0" * 10, "mp3"),
        (b"\xff\xf1\x50\x80" + b"\0" * 10, "aac"),
    ],
)
def test_signatures(head: bytes, name: str) -> None:
    assert sniff_bytes(head).name == name


def test_empty_is_its_own_error() -> None:
    with pytest.raises(EmptyMedia):
        sniff_bytes(b"")


@pytest.mark.parametrize(
    "head",
    [b"%PDF-1.7\n", b"PK\x03\x04zip", b"<html><body>", b"\x7fELF\x02\x01", bytes(range(256))],
)
def test_other_files_are_unsupported(head: bytes) -> None:
    with pytest.raises(UnsupportedMedia):
        sniff_bytes(head)


def test_heic_is_refused_with_a_hint() -> None:
    with pytest.raises(UnsupportedMedia, match="HEIC"):
        sniff_bytes(b"\0\0\0\x18ftypheic\0\0\0\0mif1heic")
