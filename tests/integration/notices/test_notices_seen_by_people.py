"""What notifiers, protected people and appellants are shown (issue 18): the decision that
applies to their own notice and whether automated means took it; every report about a
protected person, without who sent it; how an appellant will hear the outcome."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.appeals.models import Appeal
from accord.server.cases.models import Case
from accord.server.decisions.models import Decision
from accord.server.notices.models import Notice
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from tests.integration.cases.test_cases_api import REMOVE
from tests.integration.notice_action import (
    PLATFORM,
    Staff,
    hire,
    messages,
    runtime_of,
    send_notice,
    sign_in,
    sign_out,
    triage,
)
from tests.integration.notices.test_notices_api import bridge, reencoded_copy

APPEAL = "It is satire, and it says so in the caption."


def sent(client: TestClient, media: Path, **fields: object) -> dict[str, Any]:
    answer = send_notice(client, media=media, platform=PLATFORM, **fields)
    assert answer.status_code == 201, answer.text
    triage(client)
    receipt: dict[str, Any] = answer.json()
    return receipt


def status_of(client: TestClient, receipt: dict[str, Any]) -> dict[str, Any]:
    answer = client.get(
        f"/v1/notices/{receipt['tracking_number']}",
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    )
    assert answer.status_code == 200, answer.text
    shown: dict[str, Any] = answer.json()
    return shown


def decide_first_case(client: TestClient, db_session: Session, staff: Staff) -> Case:
    case: Case | None = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    answer = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert answer.status_code == 201, answer.text
    sign_out(client)
    return case


def test_the_reporter_of_a_copy_decided_automatically_is_shown_that_decision(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path, tmp_path: Path
) -> None:
    first = sent(client, bridge(corpus), platform_content_id="v-1")
    decide_first_case(client, db_session, staff)
    copy = reencoded_copy(bridge(corpus), tmp_path / "copy.jpg")
    second = sent(client, copy, platform_content_id="v-99", uploader="acct-9")
    automatic = db_session.scalar(select(Decision).where(Decision.reviewer_id.is_(None)))
    assert automatic is not None
    shown = status_of(client, second)["decision"]
    assert shown["id"] == automatic.id  # what the webhook and the statement say
    assert messages(db_session, "content.remove")[-1].payload["decision"] == shown["id"]
    assert shown["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"
    assert shown["automated_detection"] is True
    assert shown["automated_means"].startswith("Automated means were used")
    by_reviewer = status_of(client, first)["decision"]
    assert by_reviewer["id"] != automatic.id
    assert by_reviewer["automated_means"].startswith("A reviewer took this decision")
    page = client.post(
        "/track",
        data={"tracking_number": second["tracking_number"], "token": second["status_token"]},
    )
    assert "Automated means were used" in page.text
    # Their appeal is against the decision that applies to them.
    filed = client.post(
        f"/v1/notices/{second['tracking_number']}/appeal",
        data={"reason": APPEAL},
        headers={NOTICE_TOKEN_HEADER: second["status_token"]},
    )
    assert filed.status_code == 201, filed.text
    appeal = db_session.scalar(select(Appeal))
    assert appeal is not None
    assert appeal.decision_id == automatic.id


def test_a_protected_person_sees_every_report_about_her_but_not_who_sent_it(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    headers = sign_in(client, staff.representative)
    hers = send_notice(
        client, media=bridge(corpus), headers=headers, reason="deepfake_of_me", person=staff.jane.id
    ).json()["tracking_number"]
    sign_out(client)
    # Someone else reports the same content: it joins the case about her.
    same = sent(client, bridge(corpus), notifier_name="Ann Other", notifier_email="ann@x.example")
    # And another picture, which triage's likeness check found shows her.
    other = sent(
        client, corpus / "pdq" / "misc-images" / "c.png", platform_content_id="v-2",
        notifier_name="Bo Third", notifier_email="bo@x.example",
    )  # fmt: skip
    notice = db_session.scalar(
        select(Notice).where(Notice.tracking_number == other["tracking_number"])
    )
    assert notice is not None
    likeness = db_session.get(Case, notice.case_id)
    assert likeness is not None
    assert likeness.person_id is None
    likeness.assessment = likeness.assessment | {
        "protected_people": [{"person_id": staff.jane.id, "name": "Jane Doe"}]
    }
    unrelated = sent(
        client, corpus / "pdq" / "misc-images" / "small.jpg", url="https://x.example/u"
    )
    db_session.commit()
    for user in (staff.candidate, staff.representative):
        sign_in(client, user)
        page = client.get("/my/notices")
        assert page.status_code == 200
        for tracking in (hers, same["tracking_number"], other["tracking_number"]):
            assert tracking in page.text
        assert unrelated["tracking_number"] not in page.text
        for personal in ("Ann Other", "ann@x.example", "Bo Third", "bo@x.example", "c.png"):
            assert personal not in page.text
        shown = client.get(f"/v1/notices/{other['tracking_number']}")
        assert shown.status_code == 200, shown.text
        assert shown.json()["file"] is None
        assert shown.json()["yours"] is False
        notice_page = client.get(f"/notices/{same['tracking_number']}")
        assert notice_page.status_code == 200
        assert "Someone else sent this report" in notice_page.text
        assert "Ann Other" not in notice_page.text
        assert client.get(f"/v1/notices/{unrelated['tracking_number']}").status_code == 403


def uploader_token(client: TestClient, db_session: Session, staff: Staff, corpus: Path) -> str:
    sent(client, bridge(corpus), platform_content_id="v-1", uploader="acct-7")
    decide_first_case(client, db_session, staff)
    token: str = messages(db_session, "content.remove")[0].payload["appeal"]["token"]
    return token


def test_an_appellant_who_gave_no_email_is_sent_back_to_the_status_page(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    token = uploader_token(client, db_session, staff, corpus)
    form = client.get("/appeal", params={"token": token}).text
    assert 'name="contact_email"' not in form  # no mail server: no address to ask for
    assert "this page shows the outcome" in form
    filed = client.post("/appeal", data={"token": token, "reason": APPEAL})
    assert filed.status_code == 201, filed.text
    assert "your platform will tell you" not in filed.text
    assert "We will not email you" in filed.text
    assert f'href="/appeal?token={token}"' in filed.text


def test_an_appellant_who_gave_an_email_is_told_the_outcome_goes_there(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    client = client_with(smtp_host="127.0.0.1", smtp_port=1, smtp_starttls=False)
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    token = uploader_token(client, db_session, staff, corpus)
    assert 'name="contact_email"' in client.get("/appeal", params={"token": token}).text
    filed = client.post(
        "/appeal", data={"token": token, "reason": APPEAL, "contact_email": "up@loader.example"}
    )
    assert filed.status_code == 201, filed.text
    assert "We will email the outcome to up@loader.example" in filed.text
    assert "your platform will tell you" not in filed.text
