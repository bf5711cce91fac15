"""``accord assess`` lists the false claims a recording and its --text make, and prints
the transcript with --transcript (--json carries it always)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from accord.claims.statements import MAX_TEXT_CHARS
from accord.speech.engines import load_engine
from tests.speech import require_speech_engines, speak
from tests.unit.cli.conftest import accord

CALL = "Attention voters. The election has been postponed to Monday. Stay at home."


@pytest.fixture(scope="module", autouse=True)
def _whisper() -> None:
    require_speech_engines()
    load_engine("whisper")


def test_claims_in_the_sound_and_the_text_and_the_transcript(tmp_path: Path) -> None:
    call = speak(tmp_path, "call", "en+m3", CALL)
    code, stdout, stderr = accord(
        "assess", call, "--transcript", "--text", "This year you can vote by SMS."
    )
    assert code == 0, stderr
    claims = [line.strip() for line in stdout.splitlines() if line.strip().startswith("claim ")]
    assert len(claims) == 2, stdout
    assert claims[0].startswith("claim [strong] voting_process at 0:0")
    assert "postponed" in claims[0].lower()
    assert claims[1].startswith('claim [strong] voting_process in the caption: "vote by SMS"')
    assert "  transcript (en, whisper " in stdout
    said = stdout.split("  transcript (en, whisper ", 1)[1]
    assert "[" in said  # the claim's words, bracketed
    assert "attention" in said.lower()

    code, stdout, _ = accord("assess", "--json", call)
    answer = json.loads(stdout)
    assert answer["transcript"]["language"] == "en"
    assert [claim["from"] for claim in answer["claims"]] == ["speech"]


def test_with_speech_off_only_the_text_is_screened(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACCORD_SPEECH_ENGINE", "off")
    call = speak(tmp_path, "call", "en+m3", CALL)
    code, stdout, _ = accord("assess", call, "--transcript", "--text", "Vote by SMS today!")
    assert code == 0
    assert "transcript (" not in stdout
    assert [line.split(":")[0].strip() for line in stdout.splitlines() if "claim [" in line] == [
        "claim [strong] voting_process in the caption"
    ]


def test_text_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The library bounds the text, whoever sends it: the CLI as the API."""
    monkeypatch.setenv("ACCORD_SPEECH_ENGINE", "off")
    call = speak(tmp_path, "call", "en+m3", "Hello.")
    code, stdout, stderr = accord("assess", call, "--text", "a" * (MAX_TEXT_CHARS + 1))
    assert code == 1
    assert f"at most {MAX_TEXT_CHARS:,} are screened" in stdout + stderr
    assert "claim [" not in stdout
    code, _, stderr = accord("assess", call, "--text", "a" * MAX_TEXT_CHARS)
    assert code == 0, stderr
