"""The post's text (its caption) sent with a notice: kept, shown to reviewers, and screened
with the notifier's explanation for false claims about voting, even when no file came."""

from __future__ import annotations

from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.claims.statements import MAX_TEXT_CHARS
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from accord.server.notices.models import Notice
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from tests.clock import clear_of_midnight
from tests.integration.notice_action import Staff, send_notice, sign_out, triage
from tests.integration.portal.test_portal_pages import page_sign_in

LIE = "Because of the storm the election has been postponed to Monday. Stay home on Sunday!"
HONEST = "Polls are open on Sunday from eight. Go and vote!"
POST = "https://videoshare.example/v/77"


def _sunday_ahead(today: date) -> date:
    ahead = (6 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 3 else ahead + 7)


def _election(db_session: Session) -> None:
    clear_of_midnight()
    add_election(db_session, "General 2026", _sunday_ahead(utc_now().date()), ["IE"])
    db_session.commit()


def _notice(db_session: Session, tracking_number: str) -> Notice:
    notice = db_session.scalar(select(Notice).where(Notice.tracking_number == tracking_number))
    assert notice is not None
    return notice


def test_the_text_is_kept_and_shown_to_its_notifier(
    client: TestClient, db_session: Session
) -> None:
    sent = send_notice(client, url=POST, text=f"  {HONEST}  ")
    assert sent.status_code == 201, sent.text
    receipt = sent.json()
    assert _notice(db_session, receipt["tracking_number"]).text == HONEST
    status = client.get(
        f"/v1/notices/{receipt['tracking_number']}",
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    )
    assert status.json()["text"] == HONEST
    longest = send_notice(client, url=POST, text="x" * MAX_TEXT_CHARS)
    assert longest.status_code == 201, longest.text
    too_long = send_notice(client, url=POST, text="x" * (MAX_TEXT_CHARS + 1))
    assert too_long.status_code == 422
    assert too_long.headers["content-type"].startswith("application/problem+json")
    assert "body.text: String should have at most 10000" in too_long.json()["detail"]


def test_a_caption_that_lies_about_voting_flags_a_case_without_a_file(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    _election(db_session)
    honest = send_notice(client, url=POST, text=HONEST)
    assert triage(client) == 1
    case = db_session.get(Case, _notice(db_session, honest.json()["tracking_number"]).case_id)
    assert case is not None
    assert case.assessment == {}  # no file, and nothing false in its words
    before = case.priority
    # Another notice about the same post, with the caption as it reads now.
    lying = send_notice(client, url=POST, text=LIE, reason="voting_misinformation")
    assert triage(client) == 1
    assert _notice(db_session, lying.json()["tracking_number"]).case_id == case.id
    db_session.refresh(case)
    [claim] = case.assessment["claims"]
    assert (claim["category"], claim["from"], claim["start"]) == ("voting_process", "caption", None)
    assert claim["explanation"].startswith("The caption")
    assert "monday" in claim["words"].lower()
    assert case.assessment["robocall"] is False
    assert case.priority == before + 20
    assert "it says something false about voting (+20)" in case.priority_reasons

    page_sign_in(client, staff.reviewer.email)
    assert "False claim" in client.get("/review").text
    html = client.get(f"/review/cases/{case.reference}").text
    assert 'id="claims"' in html
    assert "in the caption" in html
    assert LIE in html  # the post's words, under the notice
    sign_out(client)


def test_the_explanation_alone_is_screened_too_and_an_ordinary_one_flags_nothing(
    client: TestClient, db_session: Session
) -> None:
    _election(db_session)
    sent = send_notice(
        client,
        url="https://videoshare.example/v/78",
        explanation="This account keeps posting that you can vote by SMS this year.",
        reason="voting_misinformation",
    )
    assert triage(client) == 1
    flagged = db_session.get(Case, _notice(db_session, sent.json()["tracking_number"]).case_id)
    assert flagged is not None
    assert [(c["category"], c["from"]) for c in flagged.assessment["claims"]] == [
        ("voting_process", "notice")
    ]
    plain = send_notice(client, url="https://videoshare.example/v/79")  # "A fake video ..."
    assert triage(client) == 1
    case = db_session.get(Case, _notice(db_session, plain.json()["tracking_number"]).case_id)
    assert case is not None
    assert case.assessment == {}


def test_the_report_form_takes_the_posts_text(client: TestClient, db_session: Session) -> None:
    form = client.get("/report").text
    assert 'name="text"' in form
    answer = client.post(
        "/report",
        data={
            "reason": "voting_misinformation", "explanation": "The caption lies about the date.",
            "good_faith": "yes", "url": POST, "text": LIE, "notifier_name": "A. Voter",
            "notifier_email": "voter@example.org",
        },
    )  # fmt: skip
    assert answer.status_code == 201, answer.text
    assert db_session.scalar(select(Notice.text).where(Notice.url == POST)) == LIE


def test_the_caption_and_the_explanation_are_screened_apart(
    client: TestClient, db_session: Session, staff: Staff
) -> None:
    """Each claim says where its words are: a reviewer reads the post's own words apart
    from the notifier's report of them."""
    _election(db_session)
    sent = send_notice(
        client,
        url="https://videoshare.example/v/80",
        text=LIE,
        explanation="This account keeps posting that you can vote by SMS this year.",
        reason="voting_misinformation",
    )
    assert triage(client) == 1
    case = db_session.get(Case, _notice(db_session, sent.json()["tracking_number"]).case_id)
    assert case is not None
    claims = case.assessment["claims"]
    assert [(c["from"], c["explanation"].split(",")[0]) for c in claims] == [
        ("caption", "The caption says the election is moved"),
        ("notice", "The reported content"),
    ]
    assert "monday" in claims[0]["words"].lower()
    assert "sms" in claims[1]["words"].lower()
    page_sign_in(client, staff.reviewer.email)
    html = client.get(f"/review/cases/{case.reference}").text
    assert "in the caption" in html
    assert "in the notice" in html
    sign_out(client)
