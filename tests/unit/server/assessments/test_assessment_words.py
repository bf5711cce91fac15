"""What an assessment says of the words in and with a file, as the server shows it: the
report escapes whatever a recording or a caption says; a robocall needs a file nothing
shows genuine; the summary says whose words a claim is in."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from accord.assessment.bands import Band, Decision
from accord.assessment.evidence import Direction, Finding, Strength
from accord.assessment.result import LIKENESS_CODE, TRANSCRIPT_CODE, Assessment, InputFile
from accord.server.assessments.report import render_html

HOSTILE = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(2)>'


def _claim(said: str, words: str, start: float | None) -> Finding:
    producer = "spoken_claims" if said == "speech" else "text_claims"
    details = {
        "category": "voting_process", "verdict": "block", "strength": "strong",
        "explanation": f"The recording gives Monday as the voting day {ATTRIBUTE}.",
        "words": words, "start": start, "end": None if start is None else start + 3.0,
        "source": "rule", "from": said,
    }  # fmt: skip
    return Finding(
        producer=producer,
        code=f"{producer}.voting_process",
        direction=Direction.NEUTRAL,
        strength=Strength.STRONG,
        explanation=str(details["explanation"]),
        limits="",
        details=details,
    )


def _transcript() -> Finding:
    details = {
        "language": "en", "engine": "whisper", "model": "base", "duration": 9.0,
        "heard": [[0.0, 9.0]], "sampled": False,
        "segments": [
            {"start": 0.0, "end": 3.0, "text": f" Hello {HOSTILE} voters."},
            {"start": 3.0, "end": 6.0, "text": f" Postponed to Monday {ATTRIBUTE}"},
        ],
    }  # fmt: skip
    return Finding(
        producer="spoken_claims",
        code=TRANSCRIPT_CODE,
        direction=Direction.NEUTRAL,
        strength=Strength.WEAK,
        explanation="2 stretches of speech in English.",
        limits="",
        details=details,
    )


def _likeness() -> Finding:
    person = {"person_id": "p1", "name": f"Jane {HOSTILE}", "role": "candidate", "distance": 0.2}
    return Finding(
        producer="likeness",
        code=LIKENESS_CODE,
        direction=Direction.NEUTRAL,
        strength=Strength.MODERATE,
        explanation="The face resembles a protected person.",
        limits="",
        details=person,
    )


def _assessment(band: Band, *findings: Finding) -> Assessment:
    deciding: tuple[Finding, ...] = ()
    if band in (Band.VERIFIED_AUTHENTIC, Band.LIKELY_AUTHENTIC):
        deciding = (
            Finding(
                producer="provenance",
                code="provenance.valid",
                direction=Direction.AUTHENTIC,
                strength=Strength.CONCLUSIVE,
                explanation="Valid Content Credentials from a trusted broadcaster.",
                limits="",
            ),
        )
    return Assessment(
        decision=Decision(band=band, deciding=deciding, conflicting=()),
        findings=(*deciding, *findings),
        input=InputFile("call.wav", "ab" * 32, "cd" * 16, 1000, "wav", "audio"),
        tools={"accord": "test", "c2pa": "test", "producers": {}},
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_the_report_escapes_what_the_recording_and_the_caption_say() -> None:
    assessment = _assessment(
        Band.NO_EVIDENCE,
        _likeness(),
        _transcript(),
        _claim("speech", f"Postponed to Monday {ATTRIBUTE}", 3.0),
        _claim("caption", f"vote by SMS {HOSTILE}", None),
    )
    html = render_html(assessment)
    assert HOSTILE not in html
    assert ATTRIBUTE not in html
    assert "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "<mark>Postponed to Monday &#34;&gt;&lt;img src=x onerror=alert(2)&gt;</mark>" in html
    assert "in the caption" in html


def test_a_robocall_needs_a_file_nothing_shows_genuine() -> None:
    said = (_likeness(), _transcript(), _claim("speech", "Postponed to Monday", 3.0))
    forged = _assessment(Band.NO_EVIDENCE, *said)
    assert (forged.robocall, forged.priority_review) == (True, True)
    assert "the robocall case, urgent" in forged.summary
    # A broadcaster's signed recording of the candidate quoting the lie to rebut it.
    for band in (Band.VERIFIED_AUTHENTIC, Band.LIKELY_AUTHENTIC):
        genuine = _assessment(band, *said)
        assert (genuine.robocall, genuine.priority_review) == (False, False)
        assert genuine.to_json()["robocall"] is False
        assert "robocall" not in genuine.summary
        assert genuine.claims  # the claim is still listed
    # A written claim beside the person's face is no robocall: nobody says it.
    captioned = _assessment(Band.NO_EVIDENCE, _likeness(), _claim("caption", "vote by SMS", None))
    assert captioned.robocall is False


@pytest.mark.parametrize(
    ("said", "who"),
    [
        ("speech", "It says"),
        ("caption", "Its caption says"),
        ("notice", "The reported content, as the notice describes it, says"),
    ],
)
def test_the_summary_says_whose_words_the_claim_is_in(said: str, who: str) -> None:
    assessment = _assessment(Band.NO_EVIDENCE, _claim(said, "postponed to Monday", None))
    assert f" {who} something false about voting: The recording gives" in assessment.summary
