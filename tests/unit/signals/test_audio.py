"""The ``audio`` fingerprint: robustness, excerpt location, separation, and its contract."""

from __future__ import annotations

import base64
import time
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from accord.errors import InvalidSignal, UnsupportedMedia
from accord.media.audio import decode_audio
from accord.media.file import open_media
from accord.media.kinds import MediaKind
from accord.signals.audio import (
    FRAME,
    HOP,
    NO_EVIDENCE_BER,
    SAMPLE_RATE,
    WORD_SECONDS,
    AudioFingerprint,
    decode_words,
    encode_words,
    fingerprint_samples,
)
from accord.signals.base import Signal, Subject
from tests.unit.signals.conftest import AudioSet

FP = AudioFingerprint()
THRESHOLD = AudioFingerprint.threshold
EXCERPT_SECONDS = 10.0
#: Non-round cut points inside the ~70 s recording.
EXCERPT_STARTS = (3.37, 23.37, 47.91)
#: The largest BER measured for these attacks is ~0.15; this leaves room, and stays
#: well below the threshold.
ATTACK_MAX_BER = 0.25
ATTACKS = (
    "mp3-32k",
    "mp3-64k",
    "opus-32k",
    "opus-64k",
    "aac-32k",
    "aac-64k",
    "resampled-22k",
    "gain+6dB",
    "gain-6dB",
    "noise-20dB",
)


def compute(path: Path) -> Signal:
    return FP.compute(Subject(open_media(path)))


@cache
def samples_of(path: Path) -> NDArray[np.float32]:
    return decode_audio(open_media(path), sample_rate=SAMPLE_RATE).samples


def excerpt_of(path: Path, start: float, seconds: float = EXCERPT_SECONDS) -> str:
    samples = samples_of(path)
    first = round(start * SAMPLE_RATE)
    return encode_words(fingerprint_samples(samples[first : first + round(seconds * SAMPLE_RATE)]))


@pytest.fixture(scope="module")
def reference(audio_set: AudioSet) -> Signal:
    return compute(audio_set.original)


# --- robustness ---------------------------------------------------------------------


def test_reference_is_reliable_and_deterministic(audio_set: AudioSet, reference: Signal) -> None:
    assert reference.type == "audio"
    assert reference.reliable
    assert 50 <= (reference.quality or 0) <= 100
    assert compute(audio_set.original) == reference
    assert FP.distance(reference.value, reference.value) == 0.0


@pytest.mark.parametrize("attack", ATTACKS)
def test_attacked_copy_matches_and_excerpts_are_located(
    audio_set: AudioSet, reference: Signal, attack: str
) -> None:
    path = audio_set.attacked[attack]
    whole = compute(path)
    assert FP.distance(reference.value, whole.value) < ATTACK_MAX_BER
    assert FP.matches(reference.value, whole.value)
    for start in EXCERPT_STARTS:
        match = AudioFingerprint.locate(excerpt_of(path, start), reference.value)
        assert match is not None, f"{attack} excerpt at {start} s not found"
        assert match.offset == pytest.approx(start, abs=0.1)
        assert match.ber < ATTACK_MAX_BER


def test_lossless_excerpt_is_located_almost_exactly(audio_set: AudioSet, reference: Signal) -> None:
    for start in EXCERPT_STARTS:
        match = AudioFingerprint.locate(excerpt_of(audio_set.original, start), reference.value)
        assert match is not None
        assert match.offset == pytest.approx(start, abs=WORD_SECONDS)
        assert match.ber < 0.05  # only the sub-hop misalignment of the cut differs


def test_excerpt_file_is_located(audio_set: AudioSet, reference: Signal) -> None:
    excerpt = compute(audio_set.excerpt)  # its own 32 kbit/s MP3 file, decoded from scratch
    assert excerpt.reliable
    match = AudioFingerprint.locate(excerpt.value, reference.value)
    assert match is not None
    assert match.offset == pytest.approx(audio_set.excerpt_start, abs=0.1)
    assert FP.distance(excerpt.value, reference.value) == pytest.approx(match.ber)


# --- separation ------------------------------------------------------------------------


def test_unrelated_audio_does_not_match(audio_set: AudioSet, reference: Signal) -> None:
    unrelated = compute(audio_set.unrelated)
    assert unrelated.reliable
    assert FP.distance(reference.value, unrelated.value) > THRESHOLD
    duration = len(samples_of(audio_set.unrelated)) / SAMPLE_RATE
    for start in np.arange(0.0, duration - EXCERPT_SECONDS, 4.3):
        excerpt = excerpt_of(audio_set.unrelated, float(start))
        assert AudioFingerprint.locate(excerpt, reference.value) is None
        assert FP.distance(excerpt, reference.value) > THRESHOLD + 0.05


def test_silence_and_short_clips_are_unreliable(audio_set: AudioSet, reference: Signal) -> None:
    silence = compute(audio_set.silence)
    assert not silence.reliable
    assert silence.quality == 0
    assert not decode_words(silence.value).any()  # every word says "no evidence"
    assert FP.distance(silence.value, reference.value) == NO_EVIDENCE_BER
    assert AudioFingerprint.locate(silence.value, reference.value) is None
    short = compute(audio_set.short)
    assert not short.reliable
    assert AudioFingerprint.validate(short.value) == short.value


def test_real_videos_group_by_their_soundtrack(corpus: Path) -> None:
    """Meta's TMK test clips: every chair-* is one soundtrack, every pattern-* another."""
    names = (
        "chair-19-sd-bar",
        "chair-22-sd-sepia-bar",
        "chair-orig-22-sd-bar",
        "pattern-hd-no-bar",
        "pattern-longer-no-bar",
    )
    media = [open_media(corpus / "video" / f"{name}.mp4") for name in names]
    assert all(m.kind is MediaKind.VIDEO for m in media)
    signals = {name: FP.compute(Subject(m)) for name, m in zip(names, media, strict=True)}
    for a in names:
        for b in names:
            same = a.split("-")[0] == b.split("-")[0]
            assert FP.matches(signals[a].value, signals[b].value) == same, (a, b)


def test_video_without_an_audio_track_is_refused(corpus: Path) -> None:
    media = open_media(corpus / "video" / "test-padded-dimensions.mp4")
    with pytest.raises(UnsupportedMedia, match="no audio track"):
        FP.compute(Subject(media))


# --- search speed ----------------------------------------------------------------------


def test_locate_in_a_ten_minute_recording_is_fast(audio_set: AudioSet, reference: Signal) -> None:
    rng = np.random.default_rng(11)
    words = decode_words(reference.value)
    total = round(600 / WORD_SECONDS)
    at = 300_000 // 64  # the real recording starts ~53.7 s in
    filler = rng.integers(1, 2**32, size=total - len(words), dtype=np.uint32)
    recording = encode_words(np.concatenate([filler[:at], words, filler[at:]]))
    excerpt = excerpt_of(audio_set.attacked["mp3-32k"], 23.37)
    unrelated = excerpt_of(audio_set.unrelated, 5.0)
    AudioFingerprint.locate(excerpt, recording)  # warm up numpy

    started = time.perf_counter()
    match = AudioFingerprint.locate(excerpt, recording)
    found = time.perf_counter() - started
    assert match is not None
    assert match.offset == pytest.approx(at * WORD_SECONDS + 23.37, abs=0.1)
    assert found < 1.0  # measured ~10 ms: exact and one-bit word hits point at it

    started = time.perf_counter()
    assert AudioFingerprint.locate(unrelated, recording) is None
    assert time.perf_counter() - started < 2.0  # measured ~0.2 s: the full scan runs


# --- the algorithm as documented ------------------------------------------------------


def reference_words(x: NDArray[np.float32]) -> NDArray[np.uint32]:
    """A literal, loop-based reading of the module docstring (no silence in the input)."""
    edges = [round(300 * (2000 / 300) ** (j / 33) * FRAME / SAMPLE_RATE) for j in range(34)]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(FRAME) / FRAME)
    energies = []
    for n in range((len(x) - FRAME) // HOP + 1):
        spectrum = np.fft.rfft(x[n * HOP : n * HOP + FRAME].astype(np.float64) * window)
        power = np.abs(spectrum) ** 2
        energies.append([power[edges[m] : edges[m + 1]].sum() for m in range(33)])
    e = np.array(energies)
    words = []
    for n in range(1, len(e)):
        word = 0
        for m in range(32):
            if (e[n, m] - e[n, m + 1]) - (e[n - 1, m] - e[n - 1, m + 1]) > 0:
                word |= 1 << m
        words.append(word or 1)
    return np.array(words, dtype=np.uint32)


def test_implementation_follows_the_documented_algorithm() -> None:
    rng = np.random.default_rng(5)
    x = (rng.standard_normal(FRAME + 40 * HOP) * 0.1).astype(np.float32)
    ours, theirs = fingerprint_samples(x), reference_words(x)
    assert len(ours) == len(theirs) == 40
    differing_bits = np.bitwise_count(ours ^ theirs).sum()
    assert differing_bits <= 2  # summation order may flip a bit that is ~0 either way


def test_serialized_form_is_little_endian_base64() -> None:
    words = np.array([1, 0x01020304], dtype=np.uint32)
    raw = b"\x01\x00\x00\x00\x04\x03\x02\x01"
    assert encode_words(words) == "af1:" + base64.b64encode(raw).decode()
    assert decode_words(encode_words(words)).tolist() == [1, 0x01020304]


# --- contract -------------------------------------------------------------------------


def test_declares_its_kinds_and_name() -> None:
    assert AudioFingerprint.name == "audio"
    assert AudioFingerprint.media_kinds == {MediaKind.AUDIO, MediaKind.VIDEO}
    assert 0 < THRESHOLD < NO_EVIDENCE_BER


def test_examples_validate_and_are_identical_to_themselves() -> None:
    examples = AudioFingerprint.examples()
    assert len(examples) >= 2
    for value in examples:
        assert AudioFingerprint.validate(value) == value
        assert AudioFingerprint.distance(value, value) == 0.0
    a, b = examples[:2]
    assert AudioFingerprint.distance(a, b) == AudioFingerprint.distance(b, a)
    assert 0.0 < AudioFingerprint.distance(a, b) <= 1.0


def test_distance_is_symmetric_on_real_audio(audio_set: AudioSet, reference: Signal) -> None:
    other = compute(audio_set.attacked["opus-32k"]).value
    assert FP.distance(reference.value, other) == FP.distance(other, reference.value)


@pytest.mark.parametrize(
    "value",
    [
        "",
        "af1:",
        "AAAAAA==",
        "af2:AQAAAA==",
        "af1:AQAAAA",  # missing padding
        "af1:AQAA AA==",
        "af1:AQAAAAE=",  # five bytes: not whole words
        "af1:é",
    ],
)
def test_invalid_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidSignal):
        AudioFingerprint.validate(value)
    with pytest.raises(InvalidSignal):
        AudioFingerprint.distance(value, AudioFingerprint.examples()[0])


def test_an_excerpt_longer_than_the_recording_is_not_located() -> None:
    long, short = AudioFingerprint.examples()[1], AudioFingerprint.examples()[0]
    assert AudioFingerprint.locate(long, short) is None
