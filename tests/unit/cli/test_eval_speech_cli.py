"""``accord eval --speech``: the speech evaluation from the command line."""

from __future__ import annotations

import json
from inspect import signature
from pathlib import Path

from accord.claims.verdicts import LANGUAGES
from accord.cli import evaluate
from accord.speech import evaluation, synthetic, transcribe
from accord.speech.engines import ENGINES
from tests.speech import require_speech_engines
from tests.unit.cli.conftest import accord


def test_a_slice_prints_the_table_headed_as_synthetic_speech() -> None:
    require_speech_engines()
    code, stdout, stderr = accord(
        "eval", "--speech", "--engine", "whisper", "--language", "en",
        "--condition", "clean", "--limit", "2",
    )  # fmt: skip
    assert code == 0, stderr
    assert stdout.startswith("**Synthetic speech (espeak-ng), not real speech.**")
    assert "2 sentences (en 2)" in stdout
    assert "| whisper | en | clean | 2 |" in stdout
    assert "pocketsphinx" not in stdout
    assert "| en | 2 | 1.00 | 1.00 | 1 | 0 | 0 |" in stdout  # the text's upper bound
    # Progress goes to stderr, one line a clip.
    assert len([line for line in stderr.splitlines() if " clean whisper: WER " in line]) == 2

    code, stdout, _ = accord(
        "eval", "--speech", "--json", "--engine", "pocketsphinx", "--condition", "phone",
        "--limit", "1",
    )  # fmt: skip
    assert code == 0
    figures = json.loads(stdout)
    assert figures["speech"] == "synthetic (espeak-ng), not real speech"
    assert list(figures["engines"]) == ["pocketsphinx"]
    assert list(figures["engines"]["pocketsphinx"]) == ["en"]  # English only
    assert figures["engines"]["pocketsphinx"]["en"]["phone"]["clips"] == 1


def test_folder_and_speech_are_exclusive(tmp_path: Path) -> None:
    code, stdout, stderr = accord("eval", "--speech", tmp_path)
    assert code != 0
    assert stdout == ""
    assert stderr == "accord: error: give either a FOLDER of labelled media or --speech, not both\n"
    code, _, stderr = accord("eval")
    assert code != 0
    assert stderr == "accord: error: give a FOLDER of labelled media, or --speech\n"
    code, _, stderr = accord("eval", tmp_path, "--limit", "3")
    assert code != 0
    assert stderr.splitlines() == [
        "accord: error: --engine, --language, --condition and --limit go with --speech"
    ]


def test_unknown_choices_are_one_line() -> None:
    for option, value in (("--engine", "vosk"), ("--language", "es"), ("--condition", "radio")):
        code, _, stderr = accord("eval", "--speech", option, value)
        assert code != 0
        assert len(stderr.splitlines()) == 1
        assert f"{option} '{value}' is unknown" in stderr
    code, _, stderr = accord("eval", "--speech", "--engine", "pocketsphinx", "--language", "fr")
    assert code != 0
    assert "pocketsphinx knows English only" in stderr


def test_the_options_name_what_the_modules_know() -> None:
    # Spelled out in the command so that its help imports no numpy.
    assert evaluate._ENGINES == ENGINES
    assert evaluate._CONDITIONS == synthetic.CONDITIONS
    assert evaluate._LANGUAGES == LANGUAGES
    assert set(LANGUAGES) == {s.language for s in evaluation.load_set()}
    # One place for the library's names: the evaluation and transcription use the same.
    assert signature(evaluation.evaluate_speech).parameters["engines"].default is ENGINES
    assert transcribe.CANDIDATES is LANGUAGES
