"""Small generated media for the audio decoding tests: one tone in every container."""

from __future__ import annotations

import wave
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

TONE_HZ = 440.0
TONE_SECONDS = 3.0
TONE_RATE = 44100

#: name -> (encoder, muxer, suffix, codec options, codec rate, expected sniffed format).
ENCODED = {
    "mp3": ("libmp3lame", "mp3", "mp3", {}, 44100, "mp3"),
    "flac": ("flac", "flac", "flac", {}, 44100, "flac"),
    "opus": ("libopus", "ogg", "opus", {}, 48000, "ogg"),
    "vorbis": ("vorbis", "ogg", "ogg", {"strict": "experimental"}, 44100, "ogg"),
    "m4a": ("aac", "ipod", "m4a", {}, 44100, "m4a"),
    "adts": ("aac", "adts", "aac", {}, 44100, "aac"),
    "aiff": ("pcm_s16be", "aiff", "aiff", {}, 44100, "aiff"),
    "matroska": ("libopus", "matroska", "mka", {}, 48000, "matroska"),
}


@dataclass(frozen=True)
class MediaSet:
    tones: dict[str, Path]  # every format above, plus "wav", "wav-stereo"
    video: Path  # 2 s of H.264 with an AAC track
    silent_video: Path  # H.264 and no audio track at all


def tone(seconds: float = TONE_SECONDS, rate: int = TONE_RATE) -> NDArray[np.float32]:
    t = np.arange(round(seconds * rate)) / rate
    return (0.5 * np.sin(2 * np.pi * TONE_HZ * t)).astype(np.float32)


def write_wav(path: Path, channels: NDArray[np.float32], rate: int) -> Path:
    """``channels`` is (channels, samples) float; written as 16-bit PCM."""
    pcm = (np.clip(channels.T, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(channels.shape[0])
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def add_audio(
    container: av.container.OutputContainer,
    samples: NDArray[np.float32],
    rate: int,
    codec: str,
    *,
    codec_rate: int,
    options: dict[str, str],
) -> tuple[av.audio.stream.AudioStream, list[av.AudioFrame]]:
    """An audio stream on ``container`` and the frames to encode into it."""
    layout = "stereo" if codec == "vorbis" else "mono"  # FFmpeg's Vorbis encoder needs 2
    stream = container.add_stream(codec, rate=codec_rate, options=options)
    assert isinstance(stream, av.AudioStream)
    stream.layout = layout
    resampler = av.AudioResampler(
        format=stream.codec_context.format.name, layout=layout, rate=codec_rate
    )
    frame = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="flt", layout="mono")
    frame.sample_rate = rate
    return stream, [*resampler.resample(frame), *resampler.resample(None)]


def encode_tone(path: Path, codec: str, muxer: str, options: dict[str, str], rate: int) -> Path:
    with av.open(str(path), "w", format=muxer) as out:
        stream, frames = add_audio(out, tone(), TONE_RATE, codec, codec_rate=rate, options=options)
        for frame in frames:
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    return path


def make_video(path: Path, *, with_audio: bool, seconds: float = 2.0) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=10)
        video.width, video.height, video.pix_fmt = 64, 64, "yuv420p"
        audio_frames: list[av.AudioFrame] = []
        if with_audio:
            audio, audio_frames = add_audio(
                out, tone(seconds), TONE_RATE, "aac", codec_rate=TONE_RATE, options={}
            )
        for i in range(round(seconds * 10)):
            pixels = np.full((64, 64, 3), (i * 12) % 256, dtype=np.uint8)
            out.mux(video.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        out.mux(video.encode(None))
        for frame in audio_frames:
            out.mux(audio.encode(frame))
        if with_audio:
            out.mux(audio.encode(None))
    return path


@pytest.fixture(scope="session")
def media_set(tmp_path_factory: pytest.TempPathFactory) -> MediaSet:
    folder = tmp_path_factory.mktemp("media-audio")
    tones = {
        name: encode_tone(folder / f"tone.{suffix}", codec, muxer, options, rate)
        for name, (codec, muxer, suffix, options, rate, _) in ENCODED.items()
    }
    tones["wav"] = write_wav(folder / "tone.wav", tone()[None, :], TONE_RATE)
    silent_right = np.stack([tone(), np.zeros_like(tone())])
    tones["wav-stereo"] = write_wav(folder / "stereo.wav", silent_right, TONE_RATE)
    return MediaSet(
        tones=tones,
        video=make_video(folder / "video.mp4", with_audio=True),
        silent_video=make_video(folder / "silent.mp4", with_audio=False),
    )
