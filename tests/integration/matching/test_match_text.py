"""``POST /v1/match`` with the post's text: a caption that lies about voting is flagged
(``text_flagged``), with its claim, even when the banks know nothing of the file; an honest
one is not. A classifier that fails leaves the rules to screen, and the answer says so."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.claims.classifier import PromptClassifier
from accord.claims.statements import MAX_TEXT_CHARS
from accord.claims.verdicts import Category
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from tests.clock import clear_of_midnight

LIE = "BREAKING: because of the storm the election has been postponed to Monday."
HONEST = "Polls are open on Sunday from eight. Go and vote!"


@pytest.fixture(autouse=True)
def _election(db_session: Session) -> None:
    clear_of_midnight()
    today = utc_now().date()
    add_election(db_session, "General 2026", _sunday_ahead(today), ["GB"])
    db_session.commit()


def _sunday_ahead(today: date) -> date:
    ahead = (6 - today.weekday()) % 7
    return today + timedelta(days=ahead if ahead >= 3 else ahead + 7)


def _picture(corpus: Path) -> Path:
    """A picture nothing in the banks knows."""
    return corpus / "pdq" / "misc-images" / "c.png"


def _with_file(client: TestClient, path: Path, text: str) -> Any:
    return client.post(
        "/v1/match", files={"file": (path.name, path.read_bytes())}, data={"text": text}
    )


def test_a_lying_caption_on_unknown_media_is_flagged_with_its_claim(
    client: TestClient, corpus: Path
) -> None:
    answer = _with_file(client, _picture(corpus), LIE)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["matched"], body["text_flagged"]) == (False, True)
    assert body["text_screening"] == "rules and classifier"
    assert "flagged" not in body
    [claim] = body["text_claims"]
    assert (claim["category"], claim["from"], claim["verdict"]) == (
        "voting_process", "caption", "block",
    )  # fmt: skip
    assert "monday" in claim["words"].lower()
    assert claim["explanation"].startswith("The caption")
    # Signals instead of the file: the same.
    digest = hashlib.sha256(_picture(corpus).read_bytes()).hexdigest()
    signals = client.post("/v1/match", json={"signals": {"sha256": digest}, "text": LIE})
    assert signals.status_code == 200, signals.text
    assert signals.json()["text_flagged"] is True
    assert signals.json()["text_claims"][0]["words"] == claim["words"]


def test_an_honest_caption_or_none_is_not_flagged(client: TestClient, corpus: Path) -> None:
    honest = _with_file(client, _picture(corpus), HONEST).json()
    assert (honest["text_flagged"], honest["text_claims"]) == (False, [])
    with _picture(corpus).open("rb") as handle:
        bare = client.post("/v1/match", files={"file": ("c.png", handle)}).json()
    assert (bare["text_flagged"], bare["text_claims"]) == (False, [])
    assert bare["text_screening"] == "no text"


def test_a_caption_over_the_limit_is_refused_before_any_work(
    client: TestClient, corpus: Path
) -> None:
    """422, as any form field over its length: the one limit of every API that takes it."""
    for answer in (
        _with_file(client, _picture(corpus), "a" * (MAX_TEXT_CHARS + 1)),
        client.post(
            "/v1/match", json={"signals": {"md5": "0" * 32}, "text": "a" * (MAX_TEXT_CHARS + 1)}
        ),
        client.post("/v1/notices", data=_notice("a" * (MAX_TEXT_CHARS + 1))),
        client.post(
            "/v1/assess",
            files={"file": ("c.png", _picture(corpus).read_bytes())},
            data={"text": "a" * (MAX_TEXT_CHARS + 1)},
        ),
    ):
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["code"] == "request.invalid"
        assert (
            f"text: String should have at most {MAX_TEXT_CHARS} characters"
            in (answer.json()["detail"])
        )
    at_most = _with_file(client, _picture(corpus), "a" * MAX_TEXT_CHARS)
    assert at_most.status_code == 200, at_most.text


def _notice(text: str) -> dict[str, str]:
    return {
        "reason": "voting_misinformation", "explanation": "The caption lies about the date.",
        "good_faith": "true", "url": "https://videoshare.example/v/1", "text": text,
        "notifier_name": "A. Voter", "notifier_email": "voter@example.org",
    }  # fmt: skip


def test_text_sent_as_a_file_is_refused_not_read_as_none(client: TestClient, corpus: Path) -> None:
    picture = _picture(corpus)
    for field in ("text", "options"):
        answer = client.post(
            "/v1/match",
            files={
                "file": (picture.name, picture.read_bytes()),
                field: ("caption.txt", LIE.encode()),
            },
        )
        assert answer.status_code == 400, answer.text
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert answer.json()["detail"] == f"{field}: send it as a form field, not as a file"


def test_a_failing_classifier_leaves_the_rules_to_screen_and_says_so(
    client: TestClient,
    corpus: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(self: PromptClassifier, texts: object) -> list[dict[Category, float]]:
        raise RuntimeError("the model file is damaged")

    monkeypatch.setattr(PromptClassifier, "probabilities", broken)
    # The rules catch the lie; the classifier is asked about the other paragraph and fails.
    caption = (
        f"{LIE}\n\nThe polling stations and the vote counting are run by volunteers this year."
    )
    with caplog.at_level(logging.ERROR, logger="accord.assessments"):
        answer = _with_file(client, _picture(corpus), caption)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["text_screening"] == "rules only: the classifier failed (RuntimeError)"
    assert body["text_flagged"] is True
    assert [claim["source"] for claim in body["text_claims"]] == ["rule"]
    assert "the classifier failed screening a caption" in caplog.text
