"""``accord transcribe``: a language the engine does not know, and an engine that cannot
run, are one readable line each, not a traceback, and not blamed on the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.cli import speech as speech_cli
from accord.errors import DetectorError, SpeechUnavailable
from accord.speech import engines, transcribe
from accord.speech.engines import SpeechEngine
from tests.speech import require_speech_engines, speak
from tests.unit.cli.conftest import accord


@pytest.fixture(scope="module")
def english(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return speak(tmp_path_factory.mktemp("said"), "vote", "en", "Vote on Sunday.")


@pytest.fixture(scope="module")
def whisper() -> SpeechEngine:
    require_speech_engines()
    return engines.load_engine("whisper")


@pytest.mark.parametrize("language", ["xx", "english", "English"])
def test_a_language_whisper_does_not_know_is_one_line(
    whisper: SpeechEngine, english: Path, language: str
) -> None:
    code, stdout, stderr = accord("transcribe", english, "--language", language)
    assert code == 1
    assert stdout == ""
    assert stderr == (
        f"accord: error: the whisper engine does not know the language {language.lower()!r}: "
        "give one of its 100 two-letter codes (ISO 639-1), such as en, nl, fr, de\n"
    )


def test_pocketsphinx_says_it_knows_english_only(english: Path) -> None:
    require_speech_engines()
    code, _, stderr = accord("transcribe", english, "--engine", "pocketsphinx", "--language", "fr")
    assert code == 1
    assert stderr == "accord: error: the pocketsphinx engine transcribes only en, not 'fr'\n"


@pytest.mark.parametrize(
    "error",
    [
        SpeechUnavailable("faster-whisper is not installed: pip install 'accord[speech]'"),
        DetectorError("the Whisper model in the installed wheels has SHA-256 00; reinstall"),
    ],
)
def test_an_engine_that_cannot_run_is_not_the_files_fault(
    english: Path, monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def broken(name: str) -> SpeechEngine:
        raise error

    monkeypatch.setattr(engines, "load_engine", broken)
    for extra in ([], ["--json"]):
        code, stdout, stderr = accord("transcribe", english, *extra)
        assert code == 1
        assert stdout == ""
        assert stderr == f"accord: error: {error}\n"  # no file name before it
        assert str(english) not in stderr


def test_the_help_names_the_languages_detected_and_the_missing_prompt() -> None:
    assert speech_cli.DETECTED == transcribe.CANDIDATES
    code, stdout, _ = accord("transcribe", "--help")
    assert code == 0
    words = " ".join(stdout.replace("│", " ").split())
    assert "detected among en, nl, fr, de only" in words
    assert "this command gives it none" in words
