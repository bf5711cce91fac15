"""Speech tests: espeak-ng voices say known sentences; the engines are the speech extra,
whose absence fails under CI (elsewhere it skips)."""

from __future__ import annotations

import struct
import wave
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.media.audio import AudioClip
from accord.media.file import MediaFile, open_media
from accord.speech import synthetic
from accord.speech.engines import SpeechEngine, load_engine
from tests.speech import require_speech_engines, speak

ENGLISH = (
    "Because of the storm, the election has been postponed to Monday. Polling stations stay closed."
)
FRENCH = "En raison de la tempête, l'élection est reportée à lundi. Vous pouvez voter par SMS."
RATE = 16000


@pytest.fixture(scope="session")
def whisper() -> SpeechEngine:
    require_speech_engines()
    return load_engine("whisper")  # loaded once per process: the engines are cached


@pytest.fixture(scope="session")
def sphinx() -> SpeechEngine:
    require_speech_engines()
    return load_engine("pocketsphinx")


@pytest.fixture(scope="session")
def voices(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("voices")
    return {
        "en": speak(folder, "english", "en", ENGLISH),
        "fr": speak(folder, "french", "fr", FRENCH),
    }


def media(path: Path) -> MediaFile:
    return open_media(path)


def read_wav(path: Path) -> tuple[NDArray[np.float32], int]:
    with wave.open(str(path), "rb") as handle:
        rate = handle.getframerate()
        pcm = np.frombuffer(handle.readframes(handle.getnframes()), dtype="<i2")
    return (pcm.astype(np.float32) / np.float32(32768)).reshape(-1), rate


def write_wav(path: Path, samples: NDArray[np.float32], rate: int = RATE) -> Path:
    return synthetic.write_wav(AudioClip(samples, rate), path)


def resampled(samples: NDArray[np.float32], rate: int, to: int = RATE) -> NDArray[np.float32]:
    """Linear resampling: enough to place espeak's 22.05 kHz speech in a 16 kHz file."""
    times = np.arange(round(len(samples) * to / rate)) / to
    return np.interp(times, np.arange(len(samples)) / rate, samples).astype(np.float32)


def matroska_stating(path: Path, samples: NDArray[np.float32], stated: float) -> Path:
    """``samples`` (16 kHz) as Opus in a Matroska file whose header states ``stated``
    seconds, whatever it holds: a container that lies about its length."""
    import av

    from tests.unit.media.conftest import add_audio

    with av.open(str(path), "w", format="matroska") as out:
        stream, frames = add_audio(out, samples, RATE, "libopus", codec_rate=48000, options={})
        for frame in frames:
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))
    data = bytearray(path.read_bytes())
    at = data.find(b"\x44\x89\x88")  # Segment Info's Duration: an 8-byte float, in ms
    assert at > 0, "no Duration element"
    data[at + 3 : at + 11] = struct.pack(">d", stated * 1000)
    path.write_bytes(bytes(data))
    return path
