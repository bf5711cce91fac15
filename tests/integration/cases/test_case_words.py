"""The case page's "What it says": the claims, the transcript with their words marked,
what a sampled recording left unheard; every word escaped, as hostile as it may be."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from tests.integration.notice_action import Staff
from tests.integration.portal.test_portal_pages import page_sign_in

HOSTILE = "<script>alert(1)</script>"


def _case(db_session: Session, assessment: dict[str, Any]) -> Case:
    case = Case(
        reference="C-WORDS1", due_at=utc_now(), media_kind="audio", media_sha256="ab" * 32,
        assessment=assessment, band=assessment.get("band", ""), priority=90,
        priority_reasons=["it says something false about voting (+20)"],
    )  # fmt: skip
    db_session.add(case)
    db_session.commit()
    return case


def _assessment() -> dict[str, Any]:
    claim = {
        "category": "voting_process", "verdict": "block", "strength": "strong",
        "explanation": f"The recording gives Monday as the voting day {HOSTILE}.",
        "words": "postponed to Monday", "start": 301.0, "end": 304.6, "source": "rule",
        "from": "speech",
    }  # fmt: skip
    transcript = {
        "language": "en", "engine": "whisper", "model": "whisper-base-int8", "duration": 600.0,
        "heard": [[0.0, 60.0], [270.0, 330.0]], "sampled": True,
        "segments": [
            {"start": 2.0, "end": 5.0, "text": f" Hello {HOSTILE} voters."},
            {"start": 300.0, "end": 305.0, "text": " The vote is postponed to Monday."},
        ],
    }  # fmt: skip
    return {
        "band": "no_evidence_either_way", "band_label": "No evidence either way",
        "summary": "It says something false about voting.", "findings": [],
        "does_not_prove": [], "protected_people": [], "transcript": transcript,
        "claims": [claim], "robocall": True,
    }  # fmt: skip


def test_the_case_page_marks_the_claim_and_says_what_was_not_heard(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    case = _case(db_session, _assessment())
    page_sign_in(client, staff.reviewer.email)
    html = client.get(f"/review/cases/{case.reference}").text
    assert HOSTILE not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<mark>postponed to Monday</mark>" in html
    assert "at 5:01 to 5:05" in html  # where the claim is
    assert "only stretches of it were heard (0:00 to 1:00, 4:30 to 5:30, 120 s in all)" in html
    assert 'id="robocall"' in html
    queue = client.get("/review").text
    assert "Robocall" in queue
    summary = client.get(f"/v1/cases/{case.reference}").json()
    assert (summary["robocall"], summary["false_claim"]) == (True, True)
    assert summary["assessment"]["claims"][0]["words"] == "postponed to Monday"


def test_a_case_with_nothing_said_shows_no_such_section(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    assessment = _assessment() | {"transcript": None, "claims": [], "robocall": False}
    case = _case(db_session, assessment)
    page_sign_in(client, staff.reviewer.email)
    html = client.get(f"/review/cases/{case.reference}").text
    assert 'id="said"' not in html
    assert 'id="robocall"' not in html
    assert "False claim" not in client.get("/review").text
