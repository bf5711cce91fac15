"""Generated audio for the audio fingerprint tests: speech, chords and noise, then attacked.

Everything is made once per session: espeak-ng speaks the sentences, numpy makes the music
and noise, the stdlib ``wave`` module writes WAV, and PyAV's encoders do the lossy copies.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import wave
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
import pytest
from numpy.typing import NDArray

RATE = 44100
EXCERPT_SECONDS = 10.0
SPEECH_RATE = 22050  # espeak-ng's output rate

SENTENCES = (
    "The polling stations open at seven in the morning and close at eight in the evening.",
    "Every registered voter may bring one companion to help them read the ballot paper.",
    "Results from the northern district are expected shortly after midnight on Sunday.",
    "Observers from three international organisations watched the count in the capital.",
    "The electoral commission published the final turnout figures on Tuesday afternoon.",
    "Please keep your identity card ready when you reach the front of the queue outside.",
    "Postal ballots must arrive before the polls close, or they will not be counted at all.",
    "The candidate thanked her volunteers and promised a full recount in two precincts.",
)
VOICES = ("en-us", "en-gb", "en-gb-scotland", "en-029", "en-gb-x-rp")

UNRELATED_SENTENCES = (
    "Bananas, apples and oranges are on sale at the market next to the railway station.",
    "Our football team won the match after extra time and a long penalty shootout.",
    "Remember to water the tomato plants twice a week during the hot summer months.",
    "The museum will be closed on Monday while the new dinosaur exhibition is installed.",
)
#: The encoders' faster modes: lower quality at the same bitrate (a harder attack), and
#: they keep the session's fixtures quick.
FAST_ENCODING = {"aac": {"aac_coder": "fast"}, "libmp3lame": {"compression_level": "7"}}
#: Lossy copies: name -> (encoder, container, suffix, kbit/s).
LOSSY = {
    "mp3-32k": ("libmp3lame", "mp3", "mp3", 32),
    "mp3-64k": ("libmp3lame", "mp3", "mp3", 64),
    "opus-32k": ("libopus", "ogg", "opus", 32),
    "opus-64k": ("libopus", "ogg", "opus", 64),
    "aac-32k": ("aac", "ipod", "m4a", 32),
    "aac-64k": ("aac", "ipod", "m4a", 64),
}


@dataclass(frozen=True)
class AudioSet:
    """The reference recording, its attacked copies and unrelated audio."""

    original: Path
    samples: NDArray[np.float32]  # the original at RATE
    attacked: dict[str, Path]
    unrelated: Path
    #: EXCERPT_SECONDS of the original from ``excerpt_start``, as a 32 kbit/s MP3 of its own.
    excerpt: Path
    excerpt_start: float
    #: 1.5 s of speech, and 10 s of digital silence: too little to match on.
    short: Path
    silence: Path


def espeak(folder: Path, text: str, voice: str, speed: int = 160) -> NDArray[np.float32]:
    """Speech from espeak-ng, resampled to RATE."""
    exe = shutil.which("espeak-ng")
    assert exe is not None, "espeak-ng is required (apt-get install espeak-ng)"
    key = hashlib.sha256(f"{voice}/{speed}/{text}".encode()).hexdigest()[:16]
    out = folder / f"speech-{key}.wav"
    subprocess.run(
        [exe, "-v", voice, "-s", str(speed), "-w", str(out), text], check=True, capture_output=True
    )
    data, rate = read_wav(out)
    assert rate == SPEECH_RATE
    return resample(data, rate, RATE)


def read_wav(path: Path) -> tuple[NDArray[np.float32], int]:
    with wave.open(str(path), "rb") as handle:
        rate, channels = handle.getframerate(), handle.getnchannels()
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return (pcm.reshape(-1, channels).mean(axis=1) / 32768).astype(np.float32), rate


def write_wav(path: Path, samples: NDArray[np.float32], rate: int) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as handle:
        handle.setnchannels(1)
        handle.setsampwidth(2)
        handle.setframerate(rate)
        handle.writeframes(pcm.tobytes())
    return path


def frames(samples: NDArray[np.float32], rate: int) -> Iterator[av.AudioFrame]:
    """``samples`` as 1 s frames: one huge frame makes FFmpeg allocate huge buffers."""
    for start in range(0, len(samples), rate):
        frame = av.AudioFrame.from_ndarray(
            np.ascontiguousarray(samples[start : start + rate]).reshape(1, -1),
            format="flt",
            layout="mono",
        )
        frame.sample_rate = rate
        yield frame


def resample(samples: NDArray[np.float32], rate: int, to: int) -> NDArray[np.float32]:
    """FFmpeg's resampler, as an upload pipeline would use it."""
    resampler = av.AudioResampler(format="flt", layout="mono", rate=to)
    out = [
        f.to_ndarray().reshape(-1)
        for frame in frames(samples, rate)
        for f in resampler.resample(frame)
    ]
    out += [f.to_ndarray().reshape(-1) for f in resampler.resample(None)]
    return np.concatenate(out).astype(np.float32)


def encode(
    path: Path,
    samples: NDArray[np.float32],
    rate: int,
    *,
    codec: str,
    container: str,
    bit_rate: int | None = None,
    codec_rate: int | None = None,
) -> Path:
    """Encode mono float samples with one of FFmpeg's encoders."""
    codec_rate = codec_rate or rate
    with av.open(str(path), "w", format=container) as out:
        stream = out.add_stream(codec, rate=codec_rate, options=FAST_ENCODING.get(codec, {}))
        assert isinstance(stream, av.AudioStream)
        stream.layout = "mono"
        if bit_rate:
            stream.bit_rate = bit_rate
        resampler = av.AudioResampler(
            format=stream.codec_context.format.name, layout="mono", rate=codec_rate
        )
        for frame in frames(samples, rate):
            for chunk in resampler.resample(frame):
                out.mux(stream.encode(chunk))
        for chunk in resampler.resample(None):
            out.mux(stream.encode(chunk))
        out.mux(stream.encode(None))
    return path


def chords(seconds: float, seed: int) -> NDArray[np.float32]:
    """Plucked five-note chords on random roots, two a second."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(RATE * 0.5)) / RATE
    notes = []
    for _ in range(int(seconds * 2)):
        root = 110 * 2 ** (rng.integers(0, 24) / 12)
        tone = sum(
            np.sin(2 * np.pi * root * ratio * t) * 0.2 / (1 + k)
            for k, ratio in enumerate((1, 1.26, 1.5, 2, 3))
        )
        notes.append(tone * np.exp(-3 * t))
    return np.concatenate(notes).astype(np.float32)


def square_melody(seconds: float, seed: int) -> NDArray[np.float32]:
    """Square-wave notes of random pitch and length: a different kind of music."""
    rng = np.random.default_rng(seed)
    notes: list[NDArray[np.float64]] = []
    while sum(map(len, notes)) < seconds * RATE:
        t = np.arange(int(RATE * rng.uniform(0.2, 1.2))) / RATE
        root = 130 * 2 ** (rng.integers(0, 30) / 12)
        tone = sum(
            np.sign(np.sin(2 * np.pi * root * ratio * t)) * 0.1 / (1 + k)
            for k, ratio in enumerate((1, 1.5, 2))
        )
        notes.append(tone * np.minimum(1, 10 * t) * np.exp(-rng.uniform(0.5, 4) * t))
    return np.concatenate(notes).astype(np.float32)


def swelling_noise(seconds: float, seed: int) -> NDArray[np.float32]:
    """Low-passed noise that swells and fades (applause, crowd, wind)."""
    rng = np.random.default_rng(seed)
    white = rng.standard_normal(int(RATE * seconds))
    smooth = np.convolve(white, np.ones(60) / 60, mode="same")
    envelope = 0.5 + 0.5 * np.sin(2 * np.pi * 0.7 * np.arange(len(white)) / RATE)
    return (smooth * envelope * 0.5).astype(np.float32)


def brown_noise(seconds: float, seed: int) -> NDArray[np.float32]:
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.standard_normal(int(RATE * seconds)))
    walk -= np.convolve(walk, np.ones(400) / 400, mode="same")
    noise: NDArray[np.float32] = (walk / np.abs(walk).max() * 0.4).astype(np.float32)
    return noise


Generator = Callable[[float, int], NDArray[np.float32]]


def program(
    folder: Path,
    sentences: Sequence[str],
    voices: Sequence[str],
    *,
    music: Generator,
    noise: Generator,
    seed: int,
) -> NDArray[np.float32]:
    """Speech interleaved with music and noise, normalised to a -6 dBFS peak."""
    parts = []
    for i, text in enumerate(sentences):
        parts.append(espeak(folder, text, voices[i % len(voices)]))
        parts.append(music(4, seed + i) if i % 2 == 0 else noise(2.5, seed + i))
    audio = np.concatenate(parts)
    normalised: NDArray[np.float32] = (audio / np.abs(audio).max() * 0.5).astype(np.float32)
    return normalised


@pytest.fixture(scope="session")
def audio_set(tmp_path_factory: pytest.TempPathFactory) -> AudioSet:
    folder = tmp_path_factory.mktemp("audio")
    rec = program(folder, SENTENCES, VOICES, music=chords, noise=swelling_noise, seed=1)
    original = write_wav(folder / "original.wav", rec, RATE)
    rms = float(np.sqrt(np.mean(rec**2)))
    noise = np.random.default_rng(3).standard_normal(len(rec)).astype(np.float32)
    with ThreadPoolExecutor(max_workers=4) as pool:  # FFmpeg's encoders release the GIL
        futures = {
            name: pool.submit(
                encode,
                folder / f"{name}.{suffix}",
                rec,
                RATE,
                codec=codec,
                container=container,
                bit_rate=kbps * 1000,
                codec_rate=48000 if codec == "libopus" else None,
            )
            for name, (codec, container, suffix, kbps) in LOSSY.items()
        }
        attacked = {name: future.result() for name, future in futures.items()}
    attacked["resampled-22k"] = write_wav(folder / "r22.wav", resample(rec, RATE, 22050), 22050)
    attacked["gain+6dB"] = write_wav(folder / "gain_up.wav", rec * 10 ** (6 / 20), RATE)
    attacked["gain-6dB"] = write_wav(folder / "gain_down.wav", rec * 10 ** (-6 / 20), RATE)
    attacked["noise-20dB"] = write_wav(folder / "noise.wav", rec + noise * rms * 0.1, RATE)
    other = program(
        folder,
        UNRELATED_SENTENCES,
        ("en-gb-x-rp", "en-us", "en-029"),
        music=square_melody,
        noise=brown_noise,
        seed=50,
    )
    unrelated = write_wav(folder / "unrelated.wav", other, RATE)
    start = 31.17
    cut = rec[int(start * RATE) : int((start + EXCERPT_SECONDS) * RATE)]
    excerpt = encode(
        folder / "excerpt.mp3", cut, RATE, codec="libmp3lame", container="mp3", bit_rate=32_000
    )
    short = write_wav(folder / "short.wav", espeak(folder, "Vote early.", "en-us")[:66150], RATE)
    silence = write_wav(folder / "silence.wav", np.zeros(10 * RATE, dtype=np.float32), RATE)
    return AudioSet(
        original=original,
        samples=rec,
        attacked=attacked,
        unrelated=unrelated,
        excerpt=excerpt,
        excerpt_start=start,
        short=short,
        silence=silence,
    )
