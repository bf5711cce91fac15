"""A later notice about a case's content: the first to bring the file gives a case opened
from words alone the file's assessment; later ones add only the claims their words make."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.cases.models import Case
from accord.server.cases.queue import URGENT
from accord.server.cases.service import Content, add_claims, prioritise
from accord.server.db.base import utc_now
from tests.integration.notice_action import Staff, runtime_of

SHA256 = "ab" * 32


def _claim(said: str, words: str, start: float | None = None) -> dict[str, Any]:
    return {
        "category": "voting_process", "verdict": "block", "strength": "strong",
        "explanation": "It gives Monday as the voting day.", "words": words, "start": start,
        "end": None if start is None else start + 3.0, "source": "rule", "from": said,
    }  # fmt: skip


def _file_assessment(person_id: str, *claims: dict[str, Any]) -> dict[str, Any]:
    transcript = {
        "language": "en", "engine": "whisper", "model": "base", "duration": 6.0,
        "heard": [[0.0, 6.0]], "sampled": False,
        "segments": [{"start": 0.0, "end": 6.0, "text": "Postponed to Monday."}],
    }  # fmt: skip
    return {
        "band": "no_evidence_either_way", "band_label": "No evidence either way",
        "summary": "It says something false about voting.", "findings": [],
        "protected_people": [{"person_id": person_id, "name": "Jane Doe", "role": "candidate"}],
        "transcript": transcript, "claims": list(claims), "robocall": True,
    }  # fmt: skip


def _case(db_session: Session, assessment: dict[str, Any], **fields: Any) -> Case:
    case = Case(
        reference=f"C-ADD{len(assessment)}", due_at=utc_now(), assessment=assessment,
        band=assessment.get("band", ""), **fields,
    )  # fmt: skip
    db_session.add(case)
    db_session.flush()
    return case


def test_a_case_from_words_alone_adopts_the_file_a_later_notice_brings(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    runtime = runtime_of(client)
    reported = _claim("notice", "postponed to Monday")
    case = _case(db_session, {"claims": [reported], "robocall": False})
    prioritise(db_session, runtime.settings, case, new=True, trusted_flagger=False)
    assert case.priority < URGENT
    spoken = _claim("speech", "Postponed to Monday", 0.0)
    content = Content(
        media_sha256=SHA256,
        media_kind="audio",
        assessment=_file_assessment(staff.jane.id, spoken, reported),
        signals={"sha256": SHA256},
    )
    add_claims(db_session, runtime.indexes, case, content)
    assert (case.band, case.media_kind, case.media_sha256) == (
        "no_evidence_either_way", "audio", SHA256,
    )  # fmt: skip
    assert case.person_id == staff.jane.id
    assert case.watch_entry_id is not None  # later notices with the file match it
    assessment = case.assessment
    assert assessment["transcript"]["segments"]
    assert assessment["robocall"] is True
    assert assessment["claims"] == [spoken, reported]  # the notice's claim once
    prioritise(db_session, runtime.settings, case, new=False, trusted_flagger=False)
    assert case.priority >= URGENT
    assert "a protected person's voice or face says it (+30)" in case.priority_reasons


def test_a_case_with_a_file_keeps_its_assessment_and_gains_new_claims(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    runtime = runtime_of(client)
    spoken = _claim("speech", "Postponed to Monday", 0.0)
    first = _file_assessment(staff.jane.id, spoken) | {"robocall": False}
    case = _case(db_session, first, media_sha256=SHA256, media_kind="audio")
    before = dict(case.assessment)
    # The same file posted elsewhere with a caption that lies another way.
    caption = _claim("caption", "vote by SMS")
    again = first | {"band": "likely_ai_generated", "claims": [spoken, caption]}
    add_claims(db_session, runtime.indexes, case, Content(SHA256, "audio", again))
    assert case.band == "no_evidence_either_way"  # the first triage's
    assert case.assessment == before | {"claims": [spoken, caption], "robocall": False}
    # A notice without a file whose words say nothing new changes nothing.
    add_claims(db_session, runtime.indexes, case, Content(None, "", {}))
    add_claims(
        db_session,
        runtime.indexes,
        case,
        Content(None, "", {"claims": [caption], "robocall": False}),
    )
    assert case.assessment["claims"] == [spoken, caption]
    assert case.watch_entry_id is None  # not adopted: nothing entered in the cases bank
