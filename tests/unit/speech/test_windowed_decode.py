"""Decoding chosen stretches of a long recording: seeking, times, bounded memory."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

from accord.errors import UnsupportedMedia
from accord.media.audio import audio_seconds, decode_audio_windows
from accord.media.file import open_media
from tests.unit.media.conftest import add_audio
from tests.unit.speech.conftest import write_wav

RATE = 16000
SECONDS = 60.0
#: Where each tone burst starts (seconds), and the window that should find it.
BURSTS = (3.0, 31.5, 57.25)
WINDOWS = ((0.0, 10.0), (30.0, 40.0), (50.0, 60.0))
#: Encoders put a few milliseconds of delay or padding around the signal.
TOLERANCE = 0.03

#: name -> (encoder, muxer, suffix, codec rate)
FORMATS = {
    "wav": None,
    "flac": ("flac", "flac", "flac", 44100),
    "mp3": ("libmp3lame", "mp3", "mp3", 44100),
    "opus": ("libopus", "ogg", "opus", 48000),
    "m4a": ("aac", "ipod", "m4a", 44100),
}


def bursts(seconds: float = SECONDS, rate: int = RATE) -> NDArray[np.float32]:
    samples = np.zeros(round(seconds * rate), dtype=np.float32)
    for at in BURSTS:
        start = round(at * rate)
        t = np.arange(round(0.2 * rate)) / rate
        samples[start : start + len(t)] = 0.5 * np.sin(2 * np.pi * 1000 * t)
    return samples


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("long")
    samples = bursts()
    made = {"wav": write_wav(folder / "long.wav", samples)}
    for name, spec in FORMATS.items():
        if spec is None:
            continue
        codec, muxer, suffix, codec_rate = spec
        path = folder / f"long.{suffix}"
        with av.open(str(path), "w", format=muxer) as out:
            stream, frames = add_audio(out, samples, RATE, codec, codec_rate=codec_rate, options={})
            for frame in frames:
                out.mux(stream.encode(frame))
            out.mux(stream.encode(None))
        made[name] = path
    return made


def onset(samples: NDArray[np.float32]) -> float:
    loud = np.flatnonzero(np.abs(samples) > 0.1)
    assert len(loud), "no burst in the window"
    return float(loud[0]) / RATE


@pytest.mark.parametrize("name", list(FORMATS))
def test_each_window_holds_its_own_stretch_with_true_times(
    recordings: dict[str, Path], name: str
) -> None:
    media = open_media(recordings[name])
    clips = decode_audio_windows(media, WINDOWS, sample_rate=RATE)
    assert len(clips) == len(WINDOWS)
    for (start, end), clip, burst in zip(WINDOWS, clips, BURSTS, strict=True):
        assert clip.sample_rate == RATE
        assert clip.duration == pytest.approx(end - start, abs=TOLERANCE)
        assert onset(clip.samples) == pytest.approx(burst - start, abs=TOLERANCE)


def test_windows_in_any_order_and_past_the_end(recordings: dict[str, Path]) -> None:
    media = open_media(recordings["mp3"])
    late, early, beyond = decode_audio_windows(
        media, [(55.0, 60.0), (1.0, 5.0), (57.0, 90.0)], sample_rate=RATE
    )
    assert onset(late.samples) == pytest.approx(BURSTS[2] - 55.0, abs=TOLERANCE)
    assert onset(early.samples) == pytest.approx(BURSTS[0] - 1.0, abs=TOLERANCE)
    assert beyond.duration == pytest.approx(3.0, abs=0.1)  # the file ends first


def test_the_length_is_read_without_decoding(recordings: dict[str, Path]) -> None:
    for path in recordings.values():
        assert audio_seconds(open_media(path)) == pytest.approx(SECONDS, abs=0.1)


def test_memory_is_bounded_by_the_windows_not_the_file(tmp_path: Path) -> None:
    # 20 minutes would decode to 77 MB of float32; two 2-second windows need 0.3 MB.
    path = write_wav(tmp_path / "twenty-minutes.wav", np.zeros(20 * 60 * 8000, np.float32), 8000)
    media = open_media(path)
    tracemalloc.start()
    try:
        clips = decode_audio_windows(media, [(10.0, 12.0), (1000.0, 1002.0)], sample_rate=RATE)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert [round(clip.duration, 2) for clip in clips] == [2.0, 2.0]
    assert peak < 4 * 1024 * 1024


def test_bad_windows_are_programming_errors(recordings: dict[str, Path]) -> None:
    media = open_media(recordings["wav"])
    for window in [(5.0, 5.0), (-1.0, 2.0), (3.0, 1.0), (0.0, float("nan"))]:
        with pytest.raises(ValueError, match="window"):
            decode_audio_windows(media, [window])
    with pytest.raises(ValueError, match="sample_rate"):
        decode_audio_windows(media, [(0.0, 1.0)], sample_rate=0)


def test_no_windows_decode_nothing(recordings: dict[str, Path]) -> None:
    assert decode_audio_windows(open_media(recordings["wav"]), []) == []


def test_an_image_has_no_audio(tmp_path: Path) -> None:
    from PIL import Image

    path = tmp_path / "photo.png"
    Image.new("RGB", (32, 32), "white").save(path)
    with pytest.raises(UnsupportedMedia):
        decode_audio_windows(open_media(path), [(0.0, 1.0)])
    with pytest.raises(UnsupportedMedia):
        audio_seconds(open_media(path))
