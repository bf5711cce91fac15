"""A decision reversed on appeal, as every reader meets it: the case page for each staff
role, the notifier's status (API and page), the other appeals on it closed as moot, and
the pages' forms and words around it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.accounts.models import User
from accord.server.appeals.models import Appeal
from accord.server.cases.models import Case
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from tests.integration.notice_action import (
    PLATFORM,
    Staff,
    messages,
    send_notice,
    sign_in,
    sign_out,
    triage,
)
from tests.integration.notices.test_notices_api import bridge, reencoded_copy
from tests.integration.portal.test_portal_pages import page_sign_in, report

LABEL: dict[str, Any] = {
    "action": "label_ai_generated",
    "ground": "incompatible",
    "ground_text": "Community guidelines 4.3: synthetic media must be labelled",
    "explanation": "The picture is generated; viewers should be told so.",
}
UPLOADER_REASON = "It is a photograph I took myself at the rally."
NOTIFIER_REASON = "A label is not enough: it should be removed."


def labelled(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> tuple[Case, dict[str, Any], str]:
    """A public notice about a copy on the platform, decided "label AI-generated": the case,
    the notifier's receipt, and the uploader's appeal code."""
    sign_out(client)
    sent = send_notice(
        client, media=bridge(corpus), platform=PLATFORM, platform_content_id="v-1",
        uploader="acct-7",
    )  # fmt: skip
    assert sent.status_code == 201, sent.text
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    decided = client.post(f"/v1/cases/{case.reference}/decision", json=LABEL, headers=headers)
    assert decided.status_code == 201, decided.text
    sign_out(client)
    token: str = messages(db_session, "content.label_ai_generated")[0].payload["appeal"]["token"]
    return case, sent.json(), token


def appeal_as_both(client: TestClient, receipt: dict[str, Any], token: str) -> tuple[str, str]:
    """The uploader's and the notifier's appeals on the one decision: their references."""
    sign_out(client)
    uploader = client.post("/v1/appeals", json={"token": token, "reason": UPLOADER_REASON})
    assert uploader.status_code == 201, uploader.text
    notifier = client.post(
        f"/v1/notices/{receipt['tracking_number']}/appeal",
        data={"reason": NOTIFIER_REASON},
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    )
    assert notifier.status_code == 201, notifier.text
    return uploader.json()["reference"], notifier.json()["reference"]


def reverse_on_page(client: TestClient, senior: User, reference: str) -> Any:
    csrf = page_sign_in(client, senior.email)
    return client.post(
        f"/review/appeals/{reference}/decision",
        data={"csrf_token": csrf, "outcome": "reversed", "reasons": "It is a real photograph."},
    )


def tracked(client: TestClient, receipt: dict[str, Any]) -> str:
    sign_out(client)
    page = client.post(
        "/track",
        data={"tracking_number": receipt["tracking_number"], "token": receipt["status_token"]},
    )
    assert page.status_code == 200, page.text
    return page.text


def test_the_case_page_shows_a_reversed_decision_to_every_role_that_reads_it(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case, receipt, token = labelled(client, db_session, staff, corpus)
    uploader, _ = appeal_as_both(client, receipt, token)
    assert reverse_on_page(client, staff.senior, uploader).status_code == 200
    for reader in (staff.reviewer, staff.senior, staff.admin, staff.auditor):
        page_sign_in(client, reader.email)
        page = client.get(f"/review/cases/{case.reference}")
        assert page.status_code == 200, (reader.role, page.text)
        assert "Reversed on appeal on" in page.text
        assert "the label is removed" in page.text
        assert token not in page.text  # a reversed decision's code is not offered
        copies = client.get(f"/v1/cases/{case.reference}").json()["decisions"][0]["copies"]
        assert [copy["appeal_code"] for copy in copies] == [None]  # same shape for all
        statement = client.get(f"/review/cases/{case.reference}/statements/{copies[0]['puid']}")
        assert 'id="statement-reversed"' in statement.text


def test_reversing_on_one_appeal_closes_the_others_as_moot_and_refuses_to_uphold(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    _, receipt, token = labelled(client, db_session, staff, corpus)
    uploader, notifier = appeal_as_both(client, receipt, token)
    assert reverse_on_page(client, staff.senior, uploader).status_code == 200
    closed = db_session.scalar(select(Appeal).where(Appeal.reference == notifier))
    assert closed is not None
    db_session.refresh(closed)
    assert closed.status == "moot"
    assert uploader in closed.reasons
    assert closed.decided_at is not None
    page = client.get(f"/review/appeals/{notifier}")
    assert "Uphold the decision" not in page.text  # nothing left to decide
    headers = sign_in(client, staff.senior)
    upheld = client.post(
        f"/v1/appeals/{notifier}/decision",
        json={"outcome": "upheld", "reasons": "The label stands, as decided."},
        headers=headers,
    )
    assert upheld.status_code == 409
    assert "reversed already" in upheld.json()["detail"]
    status = tracked(client, receipt)
    assert "upheld" not in status.lower()
    assert "already reversed on another appeal" in status


def test_the_notifier_still_sees_the_decision_and_its_reversal(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    _, receipt, token = labelled(client, db_session, staff, corpus)
    sign_out(client)
    client.post("/v1/appeals", json={"token": token, "reason": UPLOADER_REASON})
    uploader = db_session.scalar(select(Appeal))
    assert uploader is not None
    reverse_on_page(client, staff.senior, uploader.reference)
    sign_out(client)
    shown = client.get(
        f"/v1/notices/{receipt['tracking_number']}",
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    ).json()
    assert shown["decision"]["action"] == "label_ai_generated"
    assert shown["decision"]["reversed_at"] is not None
    assert shown["decision"]["reversal"]["effect"] == "the label is removed"
    page = tracked(client, receipt)
    assert "Labelled as AI-generated" in page
    assert 'id="decision-reversed"' in page
    assert "the label is removed" in page
    assert "Appeal the decision" not in page  # nothing left to appeal
    again = client.post(
        f"/v1/notices/{receipt['tracking_number']}/appeal",
        data={"reason": NOTIFIER_REASON},
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    )
    assert again.status_code == 409
    assert "reversed" in again.json()["detail"]


def test_a_statement_of_reasons_reads_as_a_page_with_every_field_in_words(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case, _, _ = labelled(client, db_session, staff, corpus)
    page_sign_in(client, staff.reviewer.email)
    case_page = client.get(f"/review/cases/{case.reference}").text
    link = re.search(rf'href="(/review/cases/{case.reference}/statements/[^"]+)"', case_page)
    assert link is not None
    assert f'href="/v1/cases/{case.reference}/statements/' not in case_page
    page = client.get(link[1])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    for words in (
        "Restriction of the content", "Labelled content", "Facts and circumstances",
        "The terms clause relied on", "Community guidelines 4.3", "Type of content",
        "Synthetic media", "Decided by automated means",
    ):  # fmt: skip
        assert words.lower() in page.text.lower(), words
    assert "DECISION_VISIBILITY" not in page.text  # codes are shown in words
    page_sign_in(client, staff.candidate.email)
    assert client.get(link[1]).status_code == 403  # for staff, as the JSON is


def test_the_appeal_page_shows_the_decision_before_asking_for_reasons(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    _, _, token = labelled(client, db_session, staff, corpus)
    sign_out(client)
    blank = client.get("/appeal").text
    shown = re.search(r'<form[^>]*id="show-decision"[^>]*>', blank)
    assert shown is not None
    assert 'method="get"' in shown[0]
    assert 'name="reason"' not in blank  # no appeal before the decision is seen
    page = client.get("/appeal", params={"token": token}).text
    assert "Labelled as AI-generated" in page
    assert 'name="reason"' in page
    assert f'type="hidden" name="token" value="{token}"' in page


def test_a_notifier_who_appeals_from_the_tracking_page_is_told_it_is_received(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    _, receipt, _ = labelled(client, db_session, staff, corpus)
    assert "Appeal the decision" in tracked(client, receipt)
    filed = client.post(
        f"/notices/{receipt['tracking_number']}/appeal",
        data={"token": receipt["status_token"], "reason": NOTIFIER_REASON},
    )
    assert filed.status_code == 201
    assert 'id="appeal-received"' in filed.text
    assert "Appeal the decision" not in filed.text  # one is waiting already
    assert receipt["status_token"] not in str(filed.url)


def test_a_signed_in_notifier_appeal_redirects_to_the_notice_with_a_confirmation(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    csrf = page_sign_in(client, staff.candidate.email)
    sent = report(
        client, bridge(corpus), csrf_token=csrf, platform=PLATFORM, platform_content_id="v-9"
    )
    assert sent.status_code == 201, sent.text
    tracking = re.search(r'id="tracking-number">([^<]+)<', sent.text)
    assert tracking is not None
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    client.post(f"/v1/cases/{case.reference}/decision", json=LABEL, headers=headers)
    csrf = page_sign_in(client, staff.candidate.email)
    appealed = client.post(
        f"/notices/{tracking[1]}/appeal",
        data={"csrf_token": csrf, "reason": NOTIFIER_REASON},
        follow_redirects=False,
    )
    assert appealed.status_code == 303
    assert appealed.headers["location"] == f"/notices/{tracking[1]}?done=appealed"
    page = client.get(appealed.headers["location"]).text
    assert 'id="appeal-received"' in page
    assert "Waiting for a decision" in page


def test_the_report_form_lists_every_problem_and_keeps_what_was_typed(
    client: TestClient, corpus: Path
) -> None:
    refused = report(
        client, bridge(corpus), explanation="short", notifier_name="", url="ftp://x",
        notifier_email="not an address",
    )  # fmt: skip
    assert refused.status_code == 400
    alert = re.search(r'id="report-error">(.*?)</div>', refused.text, re.S)
    assert alert is not None
    for problem in ("Explanation: say why", "Url: an http(s) address", "Your name is required",
                    "&#39;not an address&#39; is not an email address"):  # fmt: skip
        assert problem in alert[1], problem
    checkbox = re.search(r'<input type="checkbox" id="good_faith"[^>]*>', refused.text)
    assert checkbox is not None
    assert "checked" in checkbox[0]  # the good-faith box stays ticked
    assert 'value="ftp://x"' in refused.text
    assert 'value="not an address"' in refused.text


def test_the_decision_form_names_every_missing_field(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    report(client, bridge(corpus))
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    csrf = page_sign_in(client, staff.reviewer.email)
    missing = client.post(
        f"/review/cases/{case.reference}/decision",
        data={"csrf_token": csrf, "action": "remove", "ground": "incompatible"},
    )
    assert missing.status_code == 400
    assert "Ground_text: name the terms clause" in missing.text
    assert "Explanation: give the facts" in missing.text
    assert 'id="action-remove" name="action" value="remove" required checked' in missing.text


def test_pages_show_words_not_codes(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case, receipt, token = labelled(client, db_session, staff, corpus)
    appeal_as_both(client, receipt, token)
    page_sign_in(client, staff.senior.email)
    case_page = client.get(f"/review/cases/{case.reference}").text
    assert "Deceptive AI content" in case_page
    assert "deceptive ai content" not in case_page
    assert "recorded a decision" in case_page  # the history, in words
    assert "insert decisions" not in case_page
    assert 'id="case-status">Decided<' in case_page
    listed = client.get("/review/appeals").text
    assert "Label “AI-generated”" in listed
    assert "label ai generated" not in listed
    assert "the uploader" in listed or "The uploader" in listed


def test_a_platform_is_shown_as_the_notifier_typed_it_and_matched_in_any_case(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    sent = send_notice(
        client, media=bridge(corpus), platform="VideoShare", platform_content_id="v-1"
    )
    assert sent.status_code == 201, sent.text
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    items = client.get(f"/v1/cases/{case.reference}").json()["items"]
    assert [item["platform"] for item in items] == [PLATFORM]  # its webhook hears of it
    assert (
        client.get(f"/v1/cases/{case.reference}", headers=headers).json()[
            "platforms_without_webhook"
        ]
        == []
    )
    page = tracked(client, sent.json())
    assert "VideoShare · v-1" in page


def test_an_appeal_on_a_copy_decided_automatically_is_moot_once_its_source_is_reversed(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path, tmp_path: Path
) -> None:
    _, receipt, token = labelled(client, db_session, staff, corpus)
    copy = reencoded_copy(bridge(corpus), tmp_path / "copy.jpg")
    again = send_notice(
        client, media=copy, platform=PLATFORM, platform_content_id="v-99", uploader="acct-9"
    )
    assert again.status_code == 201, again.text
    triage(client)
    labels = messages(db_session, "content.label_ai_generated")
    assert [label.payload["automated"] for label in labels] == [False, True]
    copy_token = labels[-1].payload["appeal"]["token"]
    sign_out(client)
    on_copy = client.post("/v1/appeals", json={"token": copy_token, "reason": UPLOADER_REASON})
    assert on_copy.status_code == 201, on_copy.text
    first = client.post("/v1/appeals", json={"token": token, "reason": UPLOADER_REASON})
    assert reverse_on_page(client, staff.senior, first.json()["reference"]).status_code == 200
    sign_out(client)
    seen = client.get("/appeal", params={"token": copy_token}).text
    assert "Closed: the decision was already reversed on another appeal" in seen
    assert 'name="reason"' not in seen  # nothing left to appeal
    shown = client.get(
        f"/v1/notices/{again.json()['tracking_number']}",
        headers={NOTICE_TOKEN_HEADER: again.json()["status_token"]},
    ).json()
    assert shown["decision"]["reversal"]["effect"] == "the label is removed"
    assert receipt["tracking_number"] != again.json()["tracking_number"]
