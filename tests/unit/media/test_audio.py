"""Decoding audio: every format, video soundtracks, limits, and broken files."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest

from accord.errors import CorruptMedia, MediaTooLarge, UnsupportedMedia
from accord.media import audio as audio_module
from accord.media.audio import AudioClip, decode_audio
from accord.media.file import MediaFile, open_media
from accord.media.kinds import MediaKind
from accord.media.limits import MediaLimits
from accord.media.sniff import sniff_file
from tests.unit.media.conftest import MediaSet

TONE_HZ = 440.0
TONE_SECONDS = 3.0
SNIFFED = {
    "mp3": "mp3",
    "flac": "flac",
    "opus": "ogg",
    "vorbis": "ogg",
    "m4a": "m4a",
    "adts": "aac",
    "aiff": "aiff",
    "matroska": "matroska",
    "wav": "wav",
    "wav-stereo": "wav",
}


def unchecked(path: Path, limits: MediaLimits | None = None) -> MediaFile:
    """A MediaFile without open_media's structure checks, so the decoder meets the damage."""
    limits = limits or MediaLimits()
    return MediaFile(path=path, format=sniff_file(path), size=path.stat().st_size, limits=limits)


def peak_hz(clip: AudioClip) -> float:
    middle = clip.samples[len(clip.samples) // 4 : 3 * len(clip.samples) // 4]
    spectrum = np.abs(np.fft.rfft(middle * np.hanning(len(middle))))
    return float(np.argmax(spectrum) * clip.sample_rate / len(middle))


def truncated(path: Path, folder: Path, share: float) -> Path:
    cut = folder / f"cut-{path.name}"
    data = path.read_bytes()
    cut.write_bytes(data[: int(len(data) * share)])
    return cut


@pytest.mark.parametrize("name", list(SNIFFED))
def test_every_audio_format_decodes_to_mono_at_the_asked_rate(
    media_set: MediaSet, name: str
) -> None:
    media = open_media(media_set.tones[name])
    assert media.format.name == SNIFFED[name]
    clip = decode_audio(media)
    assert clip.sample_rate == 11025
    assert clip.samples.dtype == np.float32
    assert clip.samples.ndim == 1
    # Codecs add or trim a frame of priming/padding at most (AAC: 1024 samples).
    assert clip.duration == pytest.approx(TONE_SECONDS, abs=0.05)
    assert np.abs(clip.samples).max() <= 1.0
    assert peak_hz(clip) == pytest.approx(TONE_HZ, abs=3)


def test_stereo_is_downmixed(media_set: MediaSet) -> None:
    mono = decode_audio(open_media(media_set.tones["wav"]))
    stereo = decode_audio(open_media(media_set.tones["wav-stereo"]))
    assert len(stereo.samples) == len(mono.samples)
    ratio = np.abs(stereo.samples).max() / np.abs(mono.samples).max()
    assert 0.3 < ratio < 0.8  # one silent channel of two: about half (or -3 dB) the level


@pytest.mark.parametrize("rate", [5512, 22050, 48000])
def test_sample_rate_is_honoured(media_set: MediaSet, rate: int) -> None:
    clip = decode_audio(open_media(media_set.tones["flac"]), sample_rate=rate)
    assert clip.sample_rate == rate
    assert len(clip.samples) == pytest.approx(TONE_SECONDS * rate, abs=rate * 0.01)
    assert peak_hz(clip) == pytest.approx(TONE_HZ, abs=3)


def test_max_seconds_keeps_only_the_start(media_set: MediaSet) -> None:
    clip = decode_audio(open_media(media_set.tones["mp3"]), max_seconds=1.0)
    assert len(clip.samples) == 11025
    assert clip.duration == 1.0


def test_audio_clip_is_frozen() -> None:
    clip = AudioClip(samples=np.zeros(100, dtype=np.float32), sample_rate=50)
    assert clip.duration == 2.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        clip.sample_rate = 10  # type: ignore[misc]


# --- video ------------------------------------------------------------------------------


def test_the_soundtrack_of_a_video_is_decoded(media_set: MediaSet) -> None:
    media = open_media(media_set.video)
    assert media.kind is MediaKind.VIDEO
    clip = decode_audio(media)
    assert clip.duration == pytest.approx(2.0, abs=0.05)
    assert peak_hz(clip) == pytest.approx(TONE_HZ, abs=3)


def test_a_real_video_soundtrack_is_decoded(corpus: Path) -> None:
    clip = decode_audio(open_media(corpus / "c2pa" / "video1.mp4"))
    assert clip.duration == pytest.approx(2.0, abs=0.05)
    assert np.abs(clip.samples).max() > 0.1


def test_a_video_without_audio_is_unsupported(media_set: MediaSet) -> None:
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        decode_audio(open_media(media_set.silent_video))


def test_an_image_has_no_audio(corpus: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="image"):
        decode_audio(open_media(corpus / "c2pa" / "C.jpg"))


# --- limits -----------------------------------------------------------------------------


def test_a_declared_duration_over_the_limit_is_refused(media_set: MediaSet) -> None:
    media = open_media(media_set.tones["m4a"], MediaLimits(max_duration_seconds=2.0))
    with pytest.raises(MediaTooLarge, match="limit"):
        decode_audio(media)
    with pytest.raises(MediaTooLarge):  # the file breaks the limit, however little is asked
        decode_audio(media, max_seconds=1.0)


def test_decoded_samples_are_counted_when_the_duration_is_unknown(
    media_set: MediaSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(audio_module, "_declared_seconds", lambda container, stream: None)
    media = open_media(media_set.tones["opus"], MediaLimits(max_duration_seconds=2.0))
    with pytest.raises(MediaTooLarge, match="more than 2 s"):
        decode_audio(media)
    assert decode_audio(media, max_seconds=1.5).duration == pytest.approx(1.5, abs=1e-3)


def test_the_wall_clock_limit_stops_decoding(media_set: MediaSet) -> None:
    media = open_media(media_set.tones["mp3"], MediaLimits(max_decode_seconds=0.0))
    with pytest.raises(MediaTooLarge, match="decoding took longer"):
        decode_audio(media)


def test_bad_arguments_are_programming_errors(media_set: MediaSet) -> None:
    media = open_media(media_set.tones["wav"])
    with pytest.raises(ValueError, match="sample_rate"):
        decode_audio(media, sample_rate=0)
    with pytest.raises(ValueError, match="max_seconds"):
        decode_audio(media, max_seconds=0)


# --- damage -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["mp3", "flac", "m4a", "adts", "aiff"])
def test_a_truncated_file_is_corrupt(media_set: MediaSet, tmp_path: Path, name: str) -> None:
    cut = truncated(media_set.tones[name], tmp_path, 0.6)
    with pytest.raises(CorruptMedia) as caught:
        decode_audio(unchecked(cut))
    detail = caught.value.detail
    assert "Errno" not in detail
    assert str(tmp_path) not in detail
    assert "Traceback" not in detail


def test_a_truncated_wav_is_refused_when_opened(media_set: MediaSet, tmp_path: Path) -> None:
    cut = truncated(media_set.tones["wav"], tmp_path, 0.6)
    with pytest.raises(CorruptMedia, match="truncated"):
        open_media(cut)


def test_an_mp3_without_a_length_header_is_not_called_truncated(
    media_set: MediaSet, tmp_path: Path
) -> None:
    # A Xing/Info header states the length; without one FFmpeg only estimates it.
    data = media_set.tones["mp3"].read_bytes()
    start = data.find(b"Info") if b"Info" in data else data.find(b"Xing")
    assert start > 0
    plain = tmp_path / "plain.mp3"
    plain.write_bytes(data[: start - 36] + data[start - 36 :].replace(b"Info", b"Abcd", 1))
    cut = truncated(plain, tmp_path, 0.6)
    assert decode_audio(unchecked(cut)).duration < TONE_SECONDS * 0.7


@pytest.mark.parametrize(
    "head",
    [
        b"fLaC",
        b"OggS",
        b"RIFF\x10\x00\x00\x00WAVE",
        b"ID3\x03",
        b"\xff\xfb\x90\x00",
        b"FORM\x00\x00\x10\x00AIFF",
    ],
)
def test_garbage_behind_a_signature_is_corrupt(tmp_path: Path, head: bytes) -> None:
    rng = np.random.default_rng(1)
    path = tmp_path / "garbage"
    path.write_bytes(head + rng.integers(0, 256, 4000, dtype=np.uint8).tobytes())
    with pytest.raises(CorruptMedia, match="cannot be decoded"):
        decode_audio(unchecked(path))


@pytest.mark.parametrize("name", ["nested_moov_1000.mp4", "id3v23_compression_underflow.mp3"])
def test_hostile_corpus_files_are_corrupt(corpus: Path, name: str) -> None:
    with pytest.raises(CorruptMedia):
        decode_audio(unchecked(corpus / "c2pa" / name))


def test_real_corpus_audio_decodes(corpus: Path) -> None:
    mp3 = decode_audio(open_media(corpus / "c2pa" / "sample1.mp3"), max_seconds=5.0)
    assert mp3.duration == 5.0
    wav = decode_audio(open_media(corpus / "c2pa" / "sample1.wav"))
    assert wav.duration == pytest.approx(33.53, abs=0.01)
