"""pocketsphinx: English only, words grouped into timed segments at pauses."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from accord.errors import SpeechUnavailable
from accord.speech import sphinx as sphinx_module
from accord.speech.engines import SpeechEngine
from accord.speech.sphinx import Word, segments_of
from accord.speech.transcribe import transcribe
from accord.speech.transcript import Segment
from tests.speech import speak
from tests.unit.speech.conftest import media


def test_an_english_clip_gives_timed_segments(sphinx: SpeechEngine, tmp_path: Path) -> None:
    # Its model knows American English; of espeak's voices it hears the US one with the
    # f2 variant best (the plain voices come out as noise words).
    text = "Vote on Monday. The election is postponed. Polling stations are closed."
    clip = speak(tmp_path, "american", "en-us+f2", text)
    transcript = transcribe(media(clip), sphinx, language="en")
    assert (transcript.engine, transcript.language) == ("pocketsphinx", "en")
    assert transcript.segments
    assert all(0 <= s.start < s.end <= transcript.duration + 0.05 for s in transcript.segments)
    assert [s.start for s in transcript.segments] == sorted(s.start for s in transcript.segments)
    words = transcript.text.split()
    assert words
    assert not any(w.startswith(("<", "[")) or "(" in w for w in words)
    assert len({"election", "postponed", "stations", "closed"} & set(words)) >= 3, words


def test_detection_says_english_when_english_may_be_spoken(sphinx: SpeechEngine) -> None:
    assert sphinx.detect_language(np.zeros(16000, np.float32), ["nl", "en"]) == "en"


def test_another_language_is_refused_plainly(sphinx: SpeechEngine, voices: dict[str, Path]) -> None:
    with pytest.raises(SpeechUnavailable, match="only en, not 'fr'"):
        transcribe(media(voices["fr"]), sphinx, language="fr")
    with pytest.raises(SpeechUnavailable, match="only English"):
        transcribe(media(voices["fr"]), sphinx, candidates=("fr", "nl"))


def test_words_are_grouped_at_pauses_without_markers() -> None:
    words = [
        Word(0.0, 0.1, "<s>"),
        Word(0.1, 0.4, "vote"),
        Word(0.4, 0.6, "<sil>"),
        Word(0.6, 0.9, "the(2)"),
        Word(0.9, 1.2, "[NOISE]"),
        Word(2.0, 2.3, "monday"),
        Word(2.3, 2.5, "</s>"),
    ]
    assert segments_of(words) == [Segment(0.1, 0.9, "vote the"), Segment(2.0, 2.3, "monday")]


def test_without_the_extra_it_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pocketsphinx", None)
    with pytest.raises(SpeechUnavailable, match=r"pocketsphinx is not installed.*accord\[speech\]"):
        sphinx_module.SphinxEngine.load()


class FailingDecoder:
    """A decoder whose ``process_raw`` fails the first time: the utterance must still end,
    or the decoder refuses every later one."""

    config = {"frate": 100}

    def __init__(self) -> None:
        self.calls: list[str] = []
        self.fail = True

    def start_utt(self) -> None:
        assert self.calls[-1:] in ([], ["end_utt"]), "an utterance is still open"
        self.calls.append("start_utt")

    def process_raw(self, pcm: bytes, *, full_utt: bool) -> None:
        self.calls.append("process_raw")
        if self.fail:
            self.fail = False
            raise RuntimeError("decoder failed")

    def end_utt(self) -> None:
        self.calls.append("end_utt")

    def seg(self) -> list[object]:
        return []


def test_a_failed_utterance_is_ended_and_the_next_one_heard() -> None:
    decoder = FailingDecoder()
    engine = sphinx_module.SphinxEngine(decoder, 100)
    silence = np.zeros(16000, np.float32)
    with pytest.raises(RuntimeError, match="decoder failed"):
        engine.transcribe(silence, language="en", candidates=(), prompt="")
    assert decoder.calls == ["start_utt", "process_raw", "end_utt"]
    assert engine.transcribe(silence, language="en", candidates=(), prompt="") == ("en", [])
