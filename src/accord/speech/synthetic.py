"""Synthetic speech for measuring speech recognition: espeak-ng reads a sentence, then a
condition degrades it the way a robocall or a re-shared clip is degraded.

espeak-ng is a formant synthesiser: clear, flat, unlike any person. Figures measured on it
say how the pipeline copes with the words and the conditions, not with real voices.

Conditions (all deterministic for a given seed):

- ``clean``: the synthesised speech at 16 kHz.
- ``noise``: pink noise (1/f power, like a room or a street) at 10 dB SNR.
- ``music``: a synthetic chord progression (I-V-vi-IV, harmonics and a bass line) at 5 dB
  SNR: background music without external music files.
- ``phone``: a 300-3400 Hz band-pass, 8 kHz, 8-bit mu-law and back (a phone line, G.711).
- ``mp3``: MP3 at 32 kbit/s and back (PyAV, LAME), as a low-quality re-share.

SNR is the speech's mean power over the whole clip (pauses included) against the added
sound's, in dB.
"""

from __future__ import annotations

import shutil
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import BadRequest, ReportError
from accord.media.audio import AudioClip, decode_audio
from accord.media.file import open_media

CONDITIONS = ("clean", "noise", "music", "phone", "mp3")
#: The rate every condition but ``phone`` gives (what the speech engines read).
SAMPLE_RATE = 16_000
PHONE_RATE = 8_000
NOISE_SNR_DB = 10.0
MUSIC_SNR_DB = 5.0
MP3_BIT_RATE = 32_000
#: espeak-ng's voice for each language of the evaluation set.
#: ("fr", not "fr-fr": espeak-ng ignores a variant after "fr-fr".)
VOICES = {"en": "en-us", "nl": "nl", "fr": "fr", "de": "de"}
_PHONE_BAND = (300.0, 3400.0)
_MU = 255.0
#: Seconds per chord; the progression's chords as semitones above C4.
_CHORD_SECONDS = 1.0
_CHORDS = ((0, 4, 7), (7, 11, 14), (9, 12, 16), (5, 9, 12))
_C4 = 261.63


def speak(
    text: str, language: str, path: Path, *, voice_variant: str = "", rate: int = 160
) -> Path:
    """Synthesise ``text`` in ``language`` into the WAV file ``path`` with espeak-ng.

    ``voice_variant`` is one of espeak-ng's variants ("m3", "f2", ...); ``rate`` is in words
    a minute. Raises ``ReportError`` (the figures cannot be made) when espeak-ng is not
    installed or writes nothing, and ``BadRequest`` when it refuses the language or voice
    (espeak-ng's own words in one line)."""
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ReportError(
            "espeak-ng is needed to synthesise speech: install it (apt-get install espeak-ng)"
        )
    voice = VOICES.get(language, language) + (f"+{voice_variant}" if voice_variant else "")
    path.unlink(missing_ok=True)  # what is there after the run is espeak-ng's, or nothing
    # "--" ends the options: a sentence that starts with "-" is still read as text.
    done = subprocess.run(
        [exe, "-v", voice, "-s", str(rate), "-w", str(path), "--", text],
        check=False,
        capture_output=True,
    )
    said = " ".join((done.stderr + done.stdout).decode(errors="replace").split())
    if done.returncode != 0:
        raise BadRequest(
            f"espeak-ng cannot speak {language!r} with the voice {voice!r}: "
            f"{said or f'exit status {done.returncode}'}"
        )
    if not path.is_file() or path.stat().st_size == 0:  # it exits 0 when it cannot write
        raise ReportError(f"espeak-ng wrote no speech to {path}: {said or 'no reason given'}")
    return path


def load_speech(path: Path) -> AudioClip:
    """A WAV written by ``speak``, as mono float32 at 16 kHz."""
    return decode_audio(open_media(path), sample_rate=SAMPLE_RATE)


def apply_condition(clip: AudioClip, condition: str, *, seed: int = 0) -> AudioClip:
    """``clip`` (16 kHz) as heard under ``condition``; ``seed`` picks the noise."""
    if clip.sample_rate != SAMPLE_RATE:
        raise ValueError(f"conditions take {SAMPLE_RATE} Hz audio, not {clip.sample_rate} Hz")
    samples = clip.samples.astype(np.float64)
    if condition == "clean":
        out, rate = samples, SAMPLE_RATE
    elif condition == "noise":
        out, rate = mix(samples, pink_noise(len(samples), seed), NOISE_SNR_DB), SAMPLE_RATE
    elif condition == "music":
        out, rate = mix(samples, chords(len(samples), SAMPLE_RATE), MUSIC_SNR_DB), SAMPLE_RATE
    elif condition == "phone":
        out, rate = phone_line(samples), PHONE_RATE
    elif condition == "mp3":
        out, rate = mp3_round_trip(samples), SAMPLE_RATE
    else:
        raise ValueError(f"unknown condition {condition!r}; known: {', '.join(CONDITIONS)}")
    return AudioClip(np.clip(out, -1.0, 1.0).astype(np.float32), rate)


def write_wav(clip: AudioClip, path: Path) -> Path:
    """``clip`` as a 16-bit PCM mono WAV file."""
    pcm = np.round(np.clip(clip.samples, -1.0, 1.0) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(clip.sample_rate)
        out.writeframes(pcm.tobytes())
    return path


def snr_db(signal: NDArray[np.floating], noise: NDArray[np.floating]) -> float:
    """Mean power of ``signal`` against that of ``noise``, in dB."""
    return float(10 * np.log10(np.mean(np.square(signal)) / np.mean(np.square(noise))))


def mix(speech: NDArray[np.float64], sound: NDArray[np.float64], snr: float) -> NDArray[np.float64]:
    """``speech`` with ``sound`` scaled to lie ``snr`` dB below it, then the sum scaled
    down if it would clip (which keeps the SNR)."""
    speech_power = float(np.mean(np.square(speech)))
    sound_power = float(np.mean(np.square(sound)))
    if speech_power == 0 or sound_power == 0:
        return speech
    scaled = sound * np.sqrt(speech_power / (sound_power * 10 ** (snr / 10)))
    mixed = speech + scaled
    peak = float(np.max(np.abs(mixed)))
    scaled_down: NDArray[np.float64] = mixed / peak * 0.99 if peak > 0.99 else mixed  # noqa: PLR2004
    return scaled_down


def pink_noise(length: int, seed: int) -> NDArray[np.float64]:
    """Noise whose power falls as 1/f: white noise shaped in the frequency domain."""
    rng = np.random.default_rng(seed)
    spectrum = np.fft.rfft(rng.standard_normal(length))
    frequencies = np.arange(len(spectrum), dtype=np.float64)
    frequencies[0] = 1.0  # no division by zero; the DC bin is removed below anyway
    spectrum /= np.sqrt(frequencies)
    spectrum[0] = 0
    noise = np.fft.irfft(spectrum, n=length)
    return np.asarray(noise / np.max(np.abs(noise)), dtype=np.float64)


def chords(length: int, sample_rate: int) -> NDArray[np.float64]:
    """A looping I-V-vi-IV progression: three notes with four harmonics each, a bass an
    octave below the root, and a decaying envelope per chord, like a strummed keyboard."""
    t = np.arange(length, dtype=np.float64) / sample_rate
    chord_index = (t // _CHORD_SECONDS).astype(int) % len(_CHORDS)
    envelope = np.exp(-2.5 * (t % _CHORD_SECONDS))
    music = np.zeros(length)
    for index, chord in enumerate(_CHORDS):
        here = chord_index == index
        notes = [*(semitones for semitones in chord), chord[0] - 12]
        for semitones in notes:
            frequency = _C4 * 2 ** (semitones / 12)
            for harmonic in range(1, 5):
                music[here] += np.sin(2 * np.pi * frequency * harmonic * t[here]) / harmonic**2
    return music * envelope


def phone_line(samples: NDArray[np.float64]) -> NDArray[np.float64]:
    """Band-pass 300-3400 Hz, 8 kHz, mu-law to 8 bits and back."""
    spectrum = np.fft.rfft(samples)
    frequencies = np.fft.rfftfreq(len(samples), d=1 / SAMPLE_RATE)
    low, high = _PHONE_BAND
    spectrum[(frequencies < low) | (frequencies > high)] = 0
    band = np.fft.irfft(spectrum, n=len(samples))
    # Band-limited below 4 kHz already: every other sample is 8 kHz without aliasing.
    narrow = np.clip(band[:: SAMPLE_RATE // PHONE_RATE], -1.0, 1.0)
    encoded = np.round(np.sign(narrow) * np.log1p(_MU * np.abs(narrow)) / np.log1p(_MU) * 127)
    return np.asarray(np.sign(encoded) * np.expm1(np.abs(encoded) / 127 * np.log1p(_MU)) / _MU)


def mp3_round_trip(samples: NDArray[np.float64]) -> NDArray[np.float64]:
    """Encode to MP3 at 32 kbit/s with LAME and decode back to the same length (the
    decoder drops LAME's encoder delay, which the Info header states, so times line up)."""
    import io  # noqa: PLC0415

    import av  # noqa: PLC0415 - FFmpeg is loaded only where it is used

    buffer = io.BytesIO()
    with av.open(buffer, mode="w", format="mp3") as container:
        stream = container.add_stream("libmp3lame", rate=SAMPLE_RATE, layout="mono")
        stream.bit_rate = MP3_BIT_RATE
        frame = av.AudioFrame.from_ndarray(
            samples.astype(np.float32)[np.newaxis, :], format="flt", layout="mono"
        )
        frame.sample_rate = SAMPLE_RATE
        for packet in stream.encode(frame):
            container.mux(packet)
        for packet in stream.encode(None):
            container.mux(packet)
    buffer.seek(0)
    decoded: list[NDArray[Any]] = []
    with av.open(buffer, mode="r", format="mp3") as container:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                decoded.append(out.to_ndarray().reshape(-1))
        for out in resampler.resample(None):
            decoded.append(out.to_ndarray().reshape(-1))
    audio = np.concatenate(decoded).astype(np.float64) if decoded else np.zeros(0)
    if len(audio) < len(samples):
        audio = np.pad(audio, (0, len(samples) - len(audio)))
    return audio[: len(samples)]
