"""Speech engines behind one small interface, loaded once per process.

``load_engine("whisper")`` is Whisper base (multilingual) through faster-whisper and
CTranslate2; ``load_engine("pocketsphinx")`` is CMU pocketsphinx with the English model in
its wheel (English only, weaker, but small and quick to load). Both are the ``speech``
extra: without it ``SpeechUnavailable`` says how to install it.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from accord.claims.verdicts import LANGUAGES
from accord.errors import AccordError, DetectorError, SpeechUnavailable
from accord.speech.transcript import Segment

#: The engines by name, as settings and the CLI spell them.
ENGINES = ("whisper", "pocketsphinx")
#: Samples per second every engine takes.
SAMPLE_RATE = 16000
INSTALL_HINT = "pip install 'accord[speech]'"

Samples = NDArray[np.float32]


class SpeechEngine(Protocol):
    """Turns mono float32 samples at 16 kHz into timed text. One instance serves every
    thread of a process (an engine whose runtime is not thread-safe locks itself)."""

    #: "whisper" or "pocketsphinx".
    name: str
    #: The model, as a transcript names it (e.g. "whisper-base-int8").
    model: str
    #: The languages it can transcribe (ISO 639-1): pocketsphinx's one, Whisper's 100;
    #: None: any (a stand-in in a test).
    languages: tuple[str, ...] | None

    def detect_language(self, samples: Samples, candidates: Sequence[str]) -> str:
        """The most likely of ``candidates`` for the speech in ``samples``."""
        ...

    def transcribe(
        self, samples: Samples, *, language: str | None, candidates: Sequence[str], prompt: str
    ) -> tuple[str, list[Segment]]:
        """The language used (``language``, or the best of ``candidates`` when it is None)
        and the non-empty segments, their times in seconds from the start of ``samples``.
        ``prompt`` is text the speech is likely to resemble (names, election words)."""
        ...


#: An engine list of more languages than this is not spelled out in an error.
_LISTED = 5

_engines: dict[str, SpeechEngine] = {}
#: Loads that failed for good (an extra missing, a model refused): only reinstalling and a
#: restart mends them, so they are not tried again (reading and hashing 145 MB each time).
_failed: dict[str, AccordError] = {}
_lock = threading.Lock()


def load_engine(name: str) -> SpeechEngine:
    """The process's one engine of that name, loaded on first use (threads asking at once
    wait for one load). Raises ``ValueError`` for an unknown name, ``SpeechUnavailable``
    when the ``speech`` extra is not installed and ``DetectorError`` when its model is not
    the pinned one; a load that failed so fails again at once, without being retried."""
    if name not in ENGINES:
        raise ValueError(f"unknown speech engine {name!r}; choose one of {', '.join(ENGINES)}")
    with _lock:
        failed = _failed.get(name)
        if failed is not None:
            raise type(failed)(failed.detail)
        engine = _engines.get(name)
        if engine is None:
            try:
                engine = _load(name)
            except (SpeechUnavailable, DetectorError) as error:
                _failed[name] = error
                raise
            _engines[name] = engine
        return engine


def _load(name: str) -> SpeechEngine:
    if name == "whisper":
        from accord.speech.whisper import WhisperEngine  # noqa: PLC0415 - heavy; on first use

        return WhisperEngine.load()
    from accord.speech.sphinx import SphinxEngine  # noqa: PLC0415 - heavy; on first use

    return SphinxEngine.load()


def unavailable(part: str, error: ImportError) -> SpeechUnavailable:
    """The error for a missing part of the ``speech`` extra, with how to install it."""
    return SpeechUnavailable(f"{part} is not installed ({error.name or error}): {INSTALL_HINT}")


def check_language(engine: SpeechEngine, language: str) -> None:
    """Refuse a language the engine cannot transcribe, plainly, rather than hear noise:
    for that language, speech recognition is unavailable here."""
    known = engine.languages
    if known is None or language in known:
        return
    if len(known) <= _LISTED:
        raise SpeechUnavailable(
            f"the {engine.name} engine transcribes only {', '.join(known)}, not {language!r}"
        )
    raise SpeechUnavailable(
        f"the {engine.name} engine does not know the language {language!r}: give one of its "
        f"{len(known)} two-letter codes (ISO 639-1), such as {', '.join(LANGUAGES)}"
    )
