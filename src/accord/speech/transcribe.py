"""Transcribe a media file's sound track: plan what to hear, decode it, recognise it."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType

import numpy as np

from accord.claims.verdicts import LANGUAGES
from accord.media.audio import audio_seconds, decode_audio_windows
from accord.media.file import MediaFile
from accord.speech.engines import SAMPLE_RATE, Samples, SpeechEngine, check_language
from accord.speech.transcript import Segment, Transcript
from accord.speech.windows import listening_plan

#: The languages told apart when none is given: those the claims rules read.
CANDIDATES = LANGUAGES
#: Seconds of a file transcribed at most; a longer file is sampled (``windows``).
MAX_SECONDS = 120.0
#: A stretch is silence, not worth recognising (Whisper invents words, "Thank you.", in
#: silence), when no frame of ``FRAME_SECONDS`` in it reaches this RMS level (-60 dBFS).
#: Frames, not the whole stretch: a short, quiet sentence in a long silent window counts.
#: What is quiet between the words is Whisper's VAD's to skip.
SILENCE_RMS = 1e-3
FRAME_SECONDS = 0.5

_NO_PROMPTS: Mapping[str, str] = MappingProxyType({})


def transcribe(
    media: MediaFile,
    engine: SpeechEngine,
    *,
    language: str | None = None,
    candidates: Sequence[str] = CANDIDATES,
    prompts: Mapping[str, str] = _NO_PROMPTS,
    max_seconds: float = MAX_SECONDS,
) -> Transcript:
    """What ``media``'s first audio track says, in ``language`` or the most likely of
    ``candidates`` (detected once, on the first stretch with sound; the first candidate
    when nothing is heard). ``prompts`` gives each language text its speech is likely to
    resemble (names, places, election words), which helps recognition.

    Up to ``max_seconds`` the whole recording is heard; a longer one is sampled
    (``listening_plan``) and the transcript's ``heard`` says which stretches were.
    Raises ``UnsupportedMedia`` for a file without an audio track (an image), the other
    ``MediaError``s as decoding does, and ``SpeechUnavailable`` when the engine cannot
    transcribe ``language``.
    """
    if language is None and not candidates:
        raise ValueError("give a language or candidate languages")
    if language is not None:
        check_language(engine, language)
    duration = audio_seconds(media)
    plan = listening_plan(duration, max_seconds)
    clips = decode_audio_windows(media, plan, sample_rate=SAMPLE_RATE)
    segments: list[Segment] = []
    for (start, end), clip in zip(plan, clips, strict=True):
        if not has_sound(clip.samples):
            continue
        if language is None:
            language = engine.detect_language(clip.samples, candidates)
        _, found = engine.transcribe(
            clip.samples, language=language, candidates=candidates, prompt=prompts.get(language, "")
        )
        segments.extend(Segment(start + s.start, min(start + s.end, end), s.text) for s in found)
    return Transcript(
        language=language if language is not None else candidates[0],
        segments=tuple(segments),
        duration=duration,
        heard=plan,
        engine=engine.name,
        model=engine.model,
    )


def has_sound(samples: Samples, sample_rate: int = SAMPLE_RATE) -> bool:
    """Whether a frame of ``FRAME_SECONDS`` of ``samples`` (the last may be shorter)
    reaches ``SILENCE_RMS``."""
    frame = max(1, round(FRAME_SECONDS * sample_rate))
    frames = math.ceil(len(samples) / frame)
    if frames == 0:
        return False
    power = np.zeros(frames * frame, dtype=np.float64)
    power[: len(samples)] = np.square(samples, dtype=np.float64)
    counts = np.full(frames, frame, dtype=np.float64)
    counts[-1] = len(samples) - (frames - 1) * frame
    rms = np.sqrt(power.reshape(frames, frame).sum(axis=1) / counts)
    return bool(np.any(rms >= SILENCE_RMS))
