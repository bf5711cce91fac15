"""FFmpeg's demuxer allow-list: every reader names one from the table, and nothing else opens.

Playlists are the classic FFmpeg SSRF and local-file-read vector: an HLS playlist or a
concat script, probed, makes FFmpeg open the files or URLs it lists. Every path that hands
a file to FFmpeg must refuse a format outside ``DEMUXERS`` rather than let FFmpeg probe it,
and must not follow a playlist dressed up as a listed format.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from accord.errors import CorruptMedia, UnsupportedMedia
from accord.media import sniff
from accord.media.audio import decode_audio
from accord.media.demuxers import DEMUXERS
from accord.media.file import MediaFile
from accord.media.kinds import MediaFormat, MediaKind
from accord.media.limits import MediaLimits
from accord.media.metadata import read_fields
from accord.media.video import iter_frames, probe_video

HLS = MediaFormat(MediaKind.VIDEO, "hls", "application/vnd.apple.mpegurl")
CONCAT = MediaFormat(MediaKind.VIDEO, "concat", "text/plain")

#: Every reader that opens a video or audio container with FFmpeg.
READERS: dict[str, Callable[[MediaFile], Any]] = {
    "probe_video": probe_video,
    "iter_frames": lambda media: list(iter_frames(media)),
    "decode_audio": decode_audio,
    "read_fields": read_fields,
}


def _playlists(tmp_path: Path) -> dict[str, Path]:
    """An HLS playlist and a concat script that both point at a local file to steal."""
    secret = tmp_path / "secret.ts"
    secret.write_bytes(b"\x47" + b"\x00" * 187)  # one MPEG-TS packet: a file FFmpeg would read
    hls = tmp_path / "playlist.m3u8"
    hls.write_text(f"#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1.0,\n{secret}\n#EXT-X-ENDLIST\n")
    concat = tmp_path / "list.ffconcat"
    concat.write_text(f"ffconcat version 1.0\nfile '{secret}'\n")
    return {"hls": hls, "concat": concat}


def _media(path: Path, fmt: MediaFormat) -> MediaFile:
    """A MediaFile that skips intake, to reach the readers with any format."""
    return MediaFile(path, fmt, path.stat().st_size, MediaLimits())


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(("playlist", "fmt"), [("hls", HLS), ("concat", CONCAT)])
def test_a_demuxer_outside_the_list_is_refused(
    tmp_path: Path, reader: str, playlist: str, fmt: MediaFormat
) -> None:
    media = _media(_playlists(tmp_path)[playlist], fmt)
    with pytest.raises(UnsupportedMedia, match=f"{fmt.name} is not a video or audio format"):
        READERS[reader](media)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("playlist", ["hls", "concat"])
def test_a_playlist_sniffed_as_mp4_is_not_followed(
    tmp_path: Path, reader: str, playlist: str
) -> None:
    """Named, the mov demuxer reads the text as a broken MP4 instead of a playlist."""
    media = _media(_playlists(tmp_path)[playlist], sniff.MP4)
    with pytest.raises(CorruptMedia):
        READERS[reader](media)


def test_every_sniffed_video_and_audio_format_has_a_demuxer() -> None:
    formats = [value for value in vars(sniff).values() if isinstance(value, MediaFormat)]
    moving = {fmt.name for fmt in formats if fmt.kind is not MediaKind.IMAGE}
    assert moving == set(DEMUXERS)


def test_the_list_holds_no_playlist_demuxer() -> None:
    assert not {"hls", "concat", "ffconcat", "applehttp", "image2"} & set(DEMUXERS.values())
