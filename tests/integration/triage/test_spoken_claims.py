"""What a reported recording says: triage transcribes it and screens the words for false
claims about voting. Said in a protected person's voice, it is a robocall: the case is
urgent, and its page shows the claim marked in the transcript.

The voices are espeak-ng's (no recordings of real people exist here): synthetic speech is
easier to recognise than a phone line's, and harder than a studio's."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.assessments.service import assessment_of, render_html
from accord.server.cases.models import Case
from accord.server.cases.queue import URGENT
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from accord.server.notices.models import Notice
from accord.server.persons import service as persons
from accord.speech.engines import load_engine
from tests.clock import clear_of_midnight
from tests.integration.notice_action import (
    Staff,
    runtime_of,
    send_notice,
    sign_in,
    sign_out,
    triage,
)
from tests.speech import SENTENCES, require_speech_engines, require_voice_model, speak

ROBOCALL = (
    "Attention voters. The election has been postponed to Monday. "
    "Do not go to the polling station on Sunday."
)
CANDIDATE_VOICE = "en+m7"


@pytest.fixture(scope="module", autouse=True)
def _whisper() -> None:
    """Whisper, loaded once for the module (the engine is the process's): in CI its
    absence fails, elsewhere it skips."""
    require_speech_engines()
    load_engine("whisper")


def _next_sunday(today: date) -> date:
    """The first Sunday at least three days ahead: close enough to count, and a "Monday"
    said about it is certainly another day."""
    ahead = (6 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 3 else ahead + 7)


@pytest.fixture
def candidate(client: TestClient, db_session: Session, staff: Staff, tmp_path: Path) -> Staff:
    """Jane Doe, candidate in a municipal election held next Sunday in Ireland, with her
    voice registered."""
    require_voice_model()
    clear_of_midnight()
    add_election(db_session, "Dublin 2026", _next_sunday(utc_now().date()), ["IE"])
    staff.jane.election = "Dublin 2026"
    reference = speak(tmp_path, "reference", CANDIDATE_VOICE, SENTENCES[0])
    persons.record_consent(db_session, staff.jane, "cli:registrar")  # Art. 9 consent
    persons.add_reference_voice(db_session, staff.jane, reference)
    db_session.commit()
    return staff


def _case_of(client: TestClient, db_session: Session, media: Path, **fields: object) -> Case:
    sign_out(client)
    sent = send_notice(client, media=media, reason="voting_misinformation", **fields)
    assert sent.status_code == 201, sent.text
    assert triage(client) == 1
    notice = db_session.scalar(
        select(Notice).where(Notice.tracking_number == sent.json()["tracking_number"])
    )
    assert notice is not None
    assert notice.triage_error == ""
    case = db_session.get(Case, notice.case_id)
    assert case is not None
    return case


def test_a_robocall_in_a_candidates_voice_is_urgent_and_its_page_marks_the_claim(
    client: TestClient, db_session: Session, candidate: Staff, tmp_path: Path
) -> None:
    call = speak(tmp_path, "robocall", CANDIDATE_VOICE, ROBOCALL)
    case = _case_of(
        client, db_session, call, explanation="A phone message in the candidate's voice."
    )
    assessment = case.assessment
    assert assessment["robocall"] is True
    assert [person["name"] for person in assessment["protected_people"]] == ["Jane Doe"]
    [claim] = [c for c in assessment["claims"] if c["from"] == "speech"]
    assert claim["category"] == "voting_process"
    assert "monday" in claim["words"].lower()
    assert claim["start"] is not None
    assert claim["end"] > claim["start"]
    transcript = assessment["transcript"]
    assert transcript["language"] == "en"
    assert "postponed" in " ".join(s["text"] for s in transcript["segments"]).lower()
    assert case.priority >= URGENT
    assert case.due_at - case.created_at == timedelta(hours=4)  # sla_hours_urgent
    assert "it says something false about voting (+20)" in case.priority_reasons
    assert "a protected person's voice or face says it (+30)" in case.priority_reasons

    sign_in(client, candidate.reviewer)
    [summary] = [
        c for c in client.get("/v1/cases").json()["cases"] if c["reference"] == case.reference
    ]
    assert (summary["robocall"], summary["false_claim"]) == (True, True)
    queue = client.get("/review").text
    assert "Robocall" in queue
    page = client.get(f"/review/cases/{case.reference}")
    assert page.status_code == 200
    html = page.text
    assert 'id="robocall"' in html
    assert "False information about voting" in html
    marked = re.findall(r"<mark>(.*?)</mark>", html)
    assert any("monday" in words.lower() for words in marked), marked
    assert claim["explanation"].split(";")[0].replace("'", "&#39;") in html


def test_an_ordinary_recording_brings_no_claim_and_no_urgency_from_one(
    client: TestClient, db_session: Session, candidate: Staff, tmp_path: Path
) -> None:
    speech = speak(tmp_path, "ordinary", "en+f2", f"{SENTENCES[0]} {SENTENCES[2]}")
    case = _case_of(client, db_session, speech)
    assert case.assessment["claims"] == []
    assert case.assessment["robocall"] is False
    assert case.assessment["transcript"]["segments"]
    assert not any("false" in reason or "says it" in reason for reason in case.priority_reasons)
    assert case.priority < URGENT
    sign_in(client, candidate.reviewer)
    html = client.get(f"/review/cases/{case.reference}").text
    assert 'id="transcript"' in html
    assert "<mark>" not in html
    assert "Robocall" not in client.get("/review").text


def test_the_report_shows_the_transcript_with_the_claim_marked(
    client: TestClient, db_session: Session, candidate: Staff, tmp_path: Path
) -> None:
    call = speak(tmp_path, "robocall", CANDIDATE_VOICE, ROBOCALL)
    assessment = assessment_of(runtime_of(client), db_session, call)
    html = render_html(assessment, call)
    assert "What it says" in html
    assert "Robocall:" in html
    marked = re.findall(r"<mark>(.*?)</mark>", html)
    assert any("monday" in words.lower() for words in marked), marked
    assert re.search(r"ttention,? voters", html), html  # the words around it, unmarked


def test_a_case_opened_without_the_file_takes_it_from_the_next_notice(
    client: TestClient, db_session: Session, candidate: Staff, tmp_path: Path
) -> None:
    """First only where it is posted and what the notifier says of it; then the file: the
    case is the recording's now (band, transcript), and the robocall makes it urgent."""
    post = "https://videoshare.example/v/robocall"
    sign_out(client)
    sent = send_notice(
        client,
        url=post,
        reason="voting_misinformation",
        explanation="A call in her voice says the election is postponed to Monday.",
    )
    assert sent.status_code == 201, sent.text
    assert triage(client) == 1
    notice = db_session.scalar(
        select(Notice).where(Notice.tracking_number == sent.json()["tracking_number"])
    )
    assert notice is not None
    first = db_session.get(Case, notice.case_id)
    assert first is not None
    assert [claim["from"] for claim in first.assessment["claims"]] == ["notice"]
    assert (first.band, first.priority < URGENT) == ("", True)

    call = speak(tmp_path, "robocall", CANDIDATE_VOICE, ROBOCALL)
    case = _case_of(client, db_session, call, url=post)
    assert case.id == first.id
    db_session.refresh(case)
    assert case.band
    assert case.media_kind == "audio"
    assert case.person_id == candidate.jane.id
    assert case.assessment["robocall"] is True
    assert case.assessment["transcript"]["segments"]
    assert sorted(claim["from"] for claim in case.assessment["claims"]) == ["notice", "speech"]
    assert case.priority >= URGENT
    sign_in(client, candidate.reviewer)
    html = client.get(f"/review/cases/{case.reference}").text
    assert "No file to assess" not in html
    assert 'id="transcript"' in html
    assert 'id="robocall"' in html
