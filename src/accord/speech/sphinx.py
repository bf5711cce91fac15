"""CMU pocketsphinx with the US English model inside its wheel (BSD-2): English only.

Much weaker than Whisper (on synthetic speech it misses most words) but small, quick to
load and pure C: the fallback where Whisper cannot run. Its words come with times; they
are grouped into segments at pauses.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from accord.errors import SpeechUnavailable
from accord.speech.engines import SAMPLE_RATE, Samples, check_language, unavailable
from accord.speech.transcript import Segment

MODEL_NAME = "pocketsphinx-en-us"
#: A pause at least this long between words starts a new segment.
PAUSE_SECONDS = 0.6
#: Marks that are not words: sentence ends, silence, noises ("<s>", "<sil>", "[NOISE]").
_NOT_WORDS = re.compile(r"^(<.*>|\[.*\])$")
#: An alternative pronunciation's number: "the(2)" is "the".
_VARIANT = re.compile(r"\(\d+\)$")


@dataclass(frozen=True, slots=True)
class Word:
    start: float
    end: float
    text: str


class SphinxEngine:
    name = "pocketsphinx"
    model = MODEL_NAME
    languages: tuple[str, ...] | None = ("en",)

    def __init__(self, decoder: Any, frame_rate: int) -> None:
        self._decoder = decoder
        self._frame_rate = frame_rate
        self._lock = threading.Lock()  # a decoder holds one utterance at a time

    @classmethod
    def load(cls) -> SphinxEngine:
        try:
            from pocketsphinx import Decoder  # noqa: PLC0415 - loads the model; on first use
        except ImportError as error:
            raise unavailable("pocketsphinx", error) from None
        decoder = Decoder(samprate=SAMPLE_RATE, loglevel="FATAL")
        return cls(decoder, int(decoder.config["frate"]))

    def detect_language(self, samples: Samples, candidates: Sequence[str]) -> str:  # noqa: ARG002
        if "en" not in candidates:
            raise SpeechUnavailable(
                f"the pocketsphinx engine transcribes only English, not {', '.join(candidates)}"
            )
        return "en"

    def transcribe(
        self,
        samples: Samples,
        *,
        language: str | None,
        candidates: Sequence[str],
        prompt: str,  # noqa: ARG002 - its language model takes no prompt
    ) -> tuple[str, list[Segment]]:
        language = language or self.detect_language(samples, candidates)
        check_language(self, language)
        pcm = (np.clip(samples, -1.0, 1.0) * 32767).astype("<i2").tobytes()
        with self._lock:
            self._decoder.start_utt()
            try:
                self._decoder.process_raw(pcm, full_utt=True)
            finally:  # else the decoder stays mid-utterance and refuses the next one
                self._decoder.end_utt()
            words = [
                Word(s.start_frame / self._frame_rate, (s.end_frame + 1) / self._frame_rate, s.word)
                for s in self._decoder.seg()
            ]
        return language, segments_of(words)


def segments_of(words: Sequence[Word]) -> list[Segment]:
    """Words (with silences and noises among them) as segments split at pauses."""
    segments: list[Segment] = []
    current: list[Word] = []
    for word in words:
        if _NOT_WORDS.match(word.text):
            continue
        if current and word.start - current[-1].end >= PAUSE_SECONDS:
            segments.append(_joined(current))
            current = []
        current.append(Word(word.start, word.end, _VARIANT.sub("", word.text)))
    if current:
        segments.append(_joined(current))
    return segments


def _joined(words: list[Word]) -> Segment:
    return Segment(words[0].start, words[-1].end, " ".join(word.text for word in words))
