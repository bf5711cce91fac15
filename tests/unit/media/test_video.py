"""Video decoding: probing, frame sampling by time, rotation, limits and damaged files."""

from __future__ import annotations

from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray
from PIL import Image

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media import video
from accord.media.file import MediaFile, open_media
from accord.media.limits import MediaLimits
from accord.media.sniff import JPEG, MP4
from accord.media.video import VideoInfo, iter_frames, probe_video
from tests.factories import encode_h264

VIDEO = Path("video")


def panning(
    frames: int, width: int = 160, height: int = 120, seed: int = 7
) -> list[NDArray[np.uint8]]:
    """Frames of a smooth random texture that slides 3 pixels per frame."""
    rng = np.random.default_rng(seed)
    small = rng.integers(0, 256, (height // 8 + 4, (width + 3 * frames) // 8 + 4, 3), np.uint8)
    texture = np.asarray(
        Image.fromarray(small).resize(
            (small.shape[1] * 8, small.shape[0] * 8), Image.Resampling.BICUBIC
        )
    )
    return [texture[:height, 3 * i : 3 * i + width] for i in range(frames)]


def encode_audio_only(path: Path) -> Path:
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        for index in range(20):
            frame = av.AudioFrame.from_ndarray(
                np.zeros((1, 1024), np.float32), format="fltp", layout="mono"
            )
            frame.sample_rate, frame.pts = 44100, index * 1024
            for packet in stream.encode(frame):
                container.mux(packet)
        for packet in stream.encode():
            container.mux(packet)
    return path


def as_mp4(path: Path, limits: MediaLimits | None = None) -> MediaFile:
    """A MediaFile that skips intake's structure check, to reach the decoder directly."""
    return MediaFile(path, MP4, path.stat().st_size, limits or MediaLimits())


@pytest.fixture(scope="module")
def two_seconds(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two seconds of 160x120 video at 30 frames a second."""
    return encode_h264(tmp_path_factory.mktemp("video") / "pan.mp4", panning(60))


def test_probe_reads_the_headers(corpus: Path) -> None:
    info = probe_video(open_media(corpus / VIDEO / "chair-19-sd-bar.mp4"))
    assert info == VideoInfo(
        width=480, height=720, duration=18.8, frame_rate=30.0, has_video=True, has_audio=True
    )
    padded = probe_video(open_media(corpus / VIDEO / "test-padded-dimensions.mp4"))
    assert (padded.width, padded.height, padded.has_audio) == (1080, 1080, False)


def test_one_frame_a_second_by_default_scaled_to_512(corpus: Path) -> None:
    frames = list(iter_frames(open_media(corpus / VIDEO / "pattern-hd-no-bar.mp4")))
    assert [frame.timestamp for frame in frames] == pytest.approx(range(7), abs=0.02)
    for frame in frames:
        assert frame.pixels.shape == (512, 288, 3)  # 720x1280 portrait, aspect kept
        assert frame.pixels.dtype == np.uint8
        assert frame.pixels.flags.c_contiguous


def test_sampling_follows_the_interval(two_seconds: Path) -> None:
    media = open_media(two_seconds)
    half = [frame.timestamp for frame in iter_frames(media, interval=0.5)]
    assert half == pytest.approx([0.0, 0.5, 1.0, 1.5], abs=1e-6)
    every = [frame.timestamp for frame in iter_frames(media, interval=1 / 30)]
    assert every == pytest.approx([i / 30 for i in range(60)], abs=1e-6)


def test_sixty_frames_a_second_sampled_at_thirty(tmp_path: Path) -> None:
    path = encode_h264(tmp_path / "sixty.mp4", panning(30), fps=60)
    stamps = [frame.timestamp for frame in iter_frames(open_media(path), interval=1 / 30)]
    assert stamps == pytest.approx([i / 30 for i in range(15)], abs=1e-6)


def test_full_size_and_gray(two_seconds: Path) -> None:
    media = open_media(two_seconds)
    full = next(iter_frames(media, max_side=None))
    assert full.pixels.shape == (120, 160, 3)
    small_gray = next(iter_frames(media, max_side=80, gray=True))
    assert small_gray.pixels.shape == (60, 80)
    assert small_gray.pixels.dtype == np.uint8


def test_odd_dimensions(tmp_path: Path, corpus: Path) -> None:
    path = encode_h264(tmp_path / "odd.mp4", panning(10, width=161, height=121), pix_fmt="yuv444p")
    frame = next(iter_frames(open_media(path), max_side=None))
    assert frame.pixels.shape == (121, 161, 3)
    padded = list(iter_frames(open_media(corpus / VIDEO / "test-padded-dimensions.mp4")))
    assert len(padded) == 5
    assert padded[0].pixels.shape == (512, 512, 3)


def test_rotation_metadata_turns_frames_upright(tmp_path: Path) -> None:
    picture = np.zeros((120, 160, 3), np.uint8)
    picture[:, :40] = 255  # a white band down the left side
    path = encode_h264(tmp_path / "turned.mp4", [picture] * 5, rotation=90)
    pixels = next(iter_frames(open_media(path), max_side=None)).pixels
    # Turned a quarter counterclockwise, as players show it: the band lies along the bottom.
    assert pixels.shape == (160, 120, 3)
    assert pixels[-30:].mean() > 200
    assert pixels[:100].mean() < 30


@pytest.mark.parametrize(
    ("limits", "reason"),
    [
        (MediaLimits(max_frames=10), "frames"),
        (MediaLimits(max_duration_seconds=1.0), "seconds"),
        (MediaLimits(max_pixels=160 * 120 - 1), "pixels"),
        (MediaLimits(max_decode_seconds=0.0), "decoding took longer"),
    ],
)
def test_limits(two_seconds: Path, limits: MediaLimits, reason: str) -> None:
    with pytest.raises(MediaTooLarge, match=reason):
        list(iter_frames(open_media(two_seconds, limits)))


def test_limits_hold_while_decoding_when_headers_are_silent(
    two_seconds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A stream that declares neither its duration nor its frame count is counted as it goes.
    monkeypatch.setattr(video, "_duration", lambda container, stream: None)
    monkeypatch.setattr(video, "_check_headers", lambda container, stream, limits: None)
    with pytest.raises(MediaTooLarge, match="longer than 1 seconds"):
        list(iter_frames(open_media(two_seconds, MediaLimits(max_duration_seconds=1.0))))
    with pytest.raises(MediaTooLarge, match="more than 10 frames"):
        list(iter_frames(open_media(two_seconds, MediaLimits(max_frames=10))))


def test_truncated_mp4_is_corrupt(tmp_path: Path, corpus: Path) -> None:
    data = (corpus / VIDEO / "chair-orig-22-sd-bar.mp4").read_bytes()
    path = tmp_path / "cut.mp4"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptMedia, match="truncated"):
        open_media(path)  # intake's structure check sees the cut first
    with pytest.raises(CorruptMedia, match=r"stops after \d+ of its 673 frames"):
        list(iter_frames(as_mp4(path)))


def test_truncated_mp4_without_its_index_is_corrupt(two_seconds: Path, tmp_path: Path) -> None:
    # PyAV writes the index (moov) last: cut it off and FFmpeg cannot open the file.
    data = two_seconds.read_bytes()
    path = tmp_path / "no-index.mp4"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptMedia, match="cannot be read"):
        list(iter_frames(as_mp4(path)))
    with pytest.raises(CorruptMedia):
        probe_video(as_mp4(path))


def test_garbage_after_an_mp4_header_is_corrupt(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp4"
    noise = np.random.default_rng(1).bytes(4096)
    path.write_bytes(b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2" + noise)
    with pytest.raises(CorruptMedia):
        list(iter_frames(as_mp4(path)))


def test_audio_only_mp4_has_no_video_track(tmp_path: Path) -> None:
    media = open_media(encode_audio_only(tmp_path / "sound.mp4"))
    assert media.format.name == "mp4"
    with pytest.raises(UnsupportedMedia, match="no video track"):
        list(iter_frames(media))
    info = probe_video(media)
    assert (info.has_video, info.has_audio, info.width) == (False, True, 0)


def test_stills_are_not_video(corpus: Path) -> None:
    path = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    with pytest.raises(UnsupportedMedia, match="jpeg"):
        list(iter_frames(MediaFile(path, JPEG, path.stat().st_size, MediaLimits())))


def test_interval_must_be_positive(two_seconds: Path) -> None:
    with pytest.raises(ValueError, match="positive"):
        next(iter_frames(open_media(two_seconds), interval=0))


def test_stopping_early_closes_the_file(two_seconds: Path) -> None:
    frames = iter_frames(open_media(two_seconds))
    first = next(frames)
    frames.close()  # the generator's ``with`` closes the container; no warning, no leak
    assert first.timestamp == 0.0


def test_tags_that_are_not_utf8_are_read_without_their_bad_bytes(tmp_path: Path) -> None:
    """FFmpeg hands tags over as bytes; a title that is not UTF-8 must not make the whole
    video unreadable (PyAV raised UnicodeDecodeError, a 500 on every upload route)."""
    frames = [np.full((64, 64, 3), shade, np.uint8) for shade in (0, 90, 180)]
    path = encode_h264(tmp_path / "tagged.mp4", frames, fps=3, title="AAAAAAAA")
    data = path.read_bytes()
    broken = data.replace(b"AAAAAAAA", b"\xff\xfe\xfd\xfc\xc3\x28\xa0\xa1", 1)
    assert broken != data
    path.write_bytes(broken)
    info = probe_video(open_media(path))
    assert (info.width, info.height, info.has_video) == (64, 64, True)
    assert len(list(iter_frames(open_media(path)))) == 1
