"""Cases and review: the queue's order and deadlines, claiming, deciding, and everything a
decision causes (statements of reasons, the platform's webhook, the deceptive bank,
strikes), then appeals that undo it."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.banks.models import BankEntry
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from accord.server.elections.service import add_election
from accord.server.measures.models import AccountMeasure, Strike
from accord.server.notices.models import Notice
from accord.server.notices.router import NOTICE_TOKEN_HEADER
from accord.server.statements.schemas import StatementOfReasons
from accord.server.triage.service import reprioritise_open
from tests.clock import clear_of_midnight
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

REMOVE: dict[str, Any] = {
    "action": "remove",
    "ground": "incompatible",
    "ground_text": "Community guidelines 4.2: deceptive synthetic media about elections",
    "ground_url": "https://videoshare.example/terms#4.2",
    "explanation": "The video puts words in the candidate's mouth that she never said.",
}


def reported(client: TestClient, db_session: Session, media: Path, **fields: object) -> Case:
    """Send a notice about ``media`` as the public, triage it, return its case."""
    sign_out(client)
    sent = send_notice(client, media=media, **fields)
    assert sent.status_code == 201, sent.text
    triage(client)
    notice = db_session.scalar(
        select(Notice).where(Notice.tracking_number == sent.json()["tracking_number"])
    )
    assert notice is not None
    case = db_session.get(Case, notice.case_id)
    assert case is not None
    return case


def test_the_queue_puts_a_candidate_deepfake_before_the_election_first(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    clear_of_midnight()  # the server counts the days to the vote later
    add_election(db_session, "Mayor 2026", utc_now().date() + timedelta(days=2), ["IE"])
    staff.jane.election = "Mayor 2026"
    db_session.commit()
    ordinary = reported(client, db_session, corpus / "pdq" / "misc-images" / "c.png")
    headers = sign_in(client, staff.representative)
    sent = send_notice(
        client, media=bridge(corpus), headers=headers, reason="deepfake_of_me", person=staff.jane.id
    )
    assert sent.status_code == 201
    triage(client)
    sign_in(client, staff.reviewer)
    queue = client.get("/v1/cases").json()["cases"]
    assert [case["reference"] for case in queue][-1] == ordinary.reference
    urgent = queue[0]
    assert urgent["person"]["name"] == "Jane Doe"
    assert urgent["priority"] >= 70
    assert any("protected person" in reason for reason in urgent["priority_reasons"])
    assert any("2 days away" in reason for reason in urgent["priority_reasons"])
    stored = db_session.scalar(select(Case).where(Case.reference == urgent["reference"]))
    assert stored is not None
    assert stored.due_at - stored.created_at == timedelta(hours=4)  # sla_hours_urgent
    assert urgent["sla"] == "on_time"


def test_a_reviewer_claims_and_decides_and_the_platform_is_told(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path, tmp_path: Path
) -> None:
    case = reported(
        client,
        db_session,
        bridge(corpus),
        platform=PLATFORM,
        platform_content_id="v-1",
        uploader="acct-7",
    )
    headers = sign_in(client, staff.reviewer)
    claimed = client.post(f"/v1/cases/{case.reference}/claim", headers=headers)
    assert claimed.json()["assignee"] == staff.reviewer.email
    other = sign_in(client, staff.second_reviewer)
    taken = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=other)
    assert taken.status_code == 409
    headers = sign_in(client, staff.reviewer)
    decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert decided.status_code == 201, decided.text
    (statement,) = decided.json()["statements"]
    checked = StatementOfReasons.from_json(statement)  # valid for the Transparency Database
    assert checked.decision_visibility == ("DECISION_VISIBILITY_CONTENT_REMOVED",)
    assert statement["content_type"] == ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_SYNTHETIC_MEDIA"]
    assert statement["source_type"] == "SOURCE_ARTICLE_16"
    assert statement["automated_decision"] == "AUTOMATED_DECISION_NOT_AUTOMATED"
    (removal,) = messages(db_session, "content.")
    assert removal.event == "content.remove"
    assert removal.payload["item"]["platform_content_id"] == "v-1"
    assert removal.payload["appeal"]["token"]
    assert removal.payload["statement_of_reasons"]["puid"] == statement["puid"]
    (warning,) = messages(db_session, "account.")
    assert (warning.event, warning.payload["account"]) == ("account.warning", "acct-7")
    again = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert again.status_code == 409  # decided already
    # Every copy is caught from now on.
    copy = reencoded_copy(bridge(corpus), tmp_path / "copy.jpg")
    matched = client.post(
        "/v1/match", content=copy.read_bytes(), headers={"Content-Type": "image/jpeg"}
    )
    banks = {match["bank"] for match in matched.json()["matches"]}
    assert "ACCORD_DECEPTIVE" in banks


def test_the_notifier_sees_the_decision_and_its_reasons(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    sent = send_notice(client, media=bridge(corpus), url="https://videoshare.example/v/1")
    receipt = sent.json()
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    sign_out(client)
    status = client.get(
        f"/v1/notices/{receipt['tracking_number']}",
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    ).json()
    assert status["status"] == "decided"
    assert status["decision"]["action"] == "remove"
    assert status["decision"]["ground_text"] == REMOVE["ground_text"]
    assert status["decision"]["appeal_until"] > status["decision"]["decided_at"]


def test_a_new_copy_of_decided_content_gets_the_same_decision_automatically(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path, tmp_path: Path
) -> None:
    case = reported(
        client, db_session, bridge(corpus), platform=PLATFORM, platform_content_id="v-1"
    )
    headers = sign_in(client, staff.reviewer)
    client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    copy = reencoded_copy(bridge(corpus), tmp_path / "copy.jpg")
    again = reported(
        client, db_session, copy, platform=PLATFORM, platform_content_id="v-99", uploader="acct-9"
    )
    assert again.id == case.id
    removals = messages(db_session, "content.remove")
    assert len(removals) == 2
    automatic = removals[-1].payload
    assert automatic["automated"] is True
    assert automatic["item"]["platform_content_id"] == "v-99"
    statement = automatic["statement_of_reasons"]
    assert statement["automated_detection"] == "Yes"
    assert statement["automated_decision"] == "AUTOMATED_DECISION_PARTIALLY"


def test_repeated_uploads_climb_the_strike_ladder_one_rung_at_a_time(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    """Removals weigh 3 points: the first only warns, however grave (3 points would
    suspend); the second suspends (6); the third terminates (9), after the suspension."""
    kinds = []
    for number, name in enumerate(["c.png", "small.jpg", "wee.jpg"]):
        path = corpus / "pdq" / "misc-images" / name
        case = reported(
            client, db_session, path, platform=PLATFORM, platform_content_id=f"p{number}",
            uploader="repeat-offender",
        )  # fmt: skip
        headers = sign_in(client, staff.reviewer)
        decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
        assert decided.status_code == 201, decided.text
        kinds.append([measure["measure"] for measure in decided.json()["measures"]])
    assert kinds == [["warning"], ["suspension"], ["termination"]]
    suspended = db_session.scalar(select(AccountMeasure).where(AccountMeasure.kind == "suspension"))
    assert suspended is not None
    assert suspended.until is not None
    statements = [m.payload["statement_of_reasons"] for m in messages(db_session, "content.")]
    assert "decision_account" not in statements[0]  # a warning restricts nothing
    assert statements[1]["decision_account"] == "DECISION_ACCOUNT_SUSPENDED"
    assert "end_date_account_restriction" in statements[1]
    assert statements[2]["decision_account"] == "DECISION_ACCOUNT_TERMINATED"


def test_an_uploader_appeal_reversed_by_a_senior_reviewer_undoes_everything(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path, tmp_path: Path
) -> None:
    first_day = utc_now().date().isoformat()  # the report spans the test, midnight or not
    case = reported(
        client, db_session, bridge(corpus), platform=PLATFORM, platform_content_id="v-1",
        uploader="acct-7",
    )  # fmt: skip
    headers = sign_in(client, staff.reviewer)
    client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    token = messages(db_session, "content.remove")[0].payload["appeal"]["token"]
    sign_out(client)
    assert (
        client.post("/v1/appeals", json={"token": "forged", "reason": "x" * 20}).status_code == 404
    )
    filed = client.post(
        "/v1/appeals", json={"token": token, "reason": "This is satire, clearly labelled as such."}
    )
    assert filed.status_code == 201, filed.text
    reference = filed.json()["reference"]
    twice = client.post("/v1/appeals", json={"token": token, "reason": "Again, it is satire."})
    assert twice.status_code == 409
    verdict = {"outcome": "reversed", "reasons": "The video is labelled as parody throughout."}
    headers = sign_in(client, staff.reviewer)  # the reviewer who decided cannot hear it
    assert (
        client.post(f"/v1/appeals/{reference}/decision", json=verdict, headers=headers).status_code
        == 403
    )
    headers = sign_in(client, staff.senior)
    assert client.get("/v1/appeals").json()["appeals"][0]["reference"] == reference
    decided = client.post(f"/v1/appeals/{reference}/decision", json=verdict, headers=headers)
    assert decided.status_code == 200, decided.text
    assert decided.json()["status"] == "reversed"
    events = [message.event for message in messages(db_session)]
    assert events[-3:] == ["content.restore", "account.measure_lifted", "appeal.decided"]
    assert all(strike.removed_at is not None for strike in db_session.scalars(select(Strike)))
    entry = db_session.scalar(select(BankEntry).where(BankEntry.source == "decision"))
    assert entry is not None
    assert entry.enabled is False
    copy = reencoded_copy(bridge(corpus), tmp_path / "copy.jpg")
    matched = client.post(
        "/v1/match", content=copy.read_bytes(), headers={"Content-Type": "image/jpeg"}
    )
    assert "ACCORD_DECEPTIVE" not in {match["bank"] for match in matched.json()["matches"]}
    # The transparency report counts it all.
    sign_in(client, staff.auditor)
    today = utc_now().date().isoformat()
    report = client.get("/v1/transparency", params={"from": first_day, "to": today}).json()
    assert report["period"]["reporting_period"] == f"{first_day}/{today}"
    assert report["notices_total"]["received"] == 1
    assert report["notices_total"]["time_to_action"]["count"] == 1
    assert report["notices_total"]["time_to_action"]["median_hours"] >= 0
    assert report["automation"]["decisions"] == report["automation"]["decisions_by_reviewers"] == 1
    (removed,) = report["actions"]["incompatible"].values()
    assert (removed["total"], removed["removal"], removed["solely_automated"]) == (1, 1, 0)
    assert report["statements_issued"] == report["notices_total"]["actions_terms"] == 1
    assert (report["appeals"]["received"], report["appeals"]["reversed"]) == (1, 1)
    assert report["automation"]["reviewer_reversal_rate"] == 1.0
    assert report["suspensions"]["warnings"] == 1
    refused = client.get("/v1/transparency", params={"from": today, "to": "2000-01-01"})
    assert refused.status_code == 400


def test_a_notifier_appeal_against_no_action_reopens_the_case(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    receipt = send_notice(client, media=bridge(corpus), url="https://videoshare.example/v/1").json()
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    nothing = {"action": "no_action", "explanation": "This looks like an authentic recording."}
    assert (
        client.post(
            f"/v1/cases/{case.reference}/decision", json=nothing, headers=headers
        ).status_code
        == 201
    )
    assert messages(db_session) == []  # no action, no message, no statement
    sign_out(client)
    filed = client.post(
        f"/v1/notices/{receipt['tracking_number']}/appeal",
        data={"reason": "The lip movements do not match the words at 0:12."},
        headers={NOTICE_TOKEN_HEADER: receipt["status_token"]},
    )
    assert filed.status_code == 201, filed.text
    headers = sign_in(client, staff.senior)
    verdict = {"outcome": "reversed", "reasons": "Frame analysis shows a face swap at 0:12."}
    client.post(f"/v1/appeals/{filed.json()['reference']}/decision", json=verdict, headers=headers)
    db_session.refresh(case)
    assert case.status == "open"
    assert case.assignee_id is None


def test_manifestly_unfounded_notices_lead_to_a_warning_then_a_suspension(
    client_with: Any, db_session: Session, corpus: Path
) -> None:
    client = client_with(strike_suspension_at=2)
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    pictures = ["c.png", "small.jpg", "wee.jpg"]
    for name in pictures[:2]:
        case = reported(
            client,
            db_session,
            corpus / "pdq" / "misc-images" / name,
            notifier_email="spam@example.org",
        )
        headers = sign_in(client, staff.reviewer)
        unfounded = {
            "action": "no_action",
            "explanation": "An ordinary photo, no one in it.",
            "notices_unfounded": True,
        }
        assert (
            client.post(
                f"/v1/cases/{case.reference}/decision", json=unfounded, headers=headers
            ).status_code
            == 201
        )
    sign_out(client)
    refused = send_notice(client, url="https://x.example/3", notifier_email="spam@example.org")
    assert refused.status_code == 403
    assert "Art. 23" in refused.json()["detail"]
    assert (
        send_notice(
            client, url="https://x.example/3", notifier_email="else@example.org"
        ).status_code
        == 201
    )


READERS = {"reviewer", "senior_reviewer", "admin", "auditor"}
REVIEWERS = {"reviewer", "senior_reviewer"}
EVERYONE = READERS | {"protected_person", "representative"}
ROLE_MATRIX = [
    # (method, path, roles let through). Changes are sent without a valid body: a role
    # let through gets past the check (then 4xx for the body at most), the others 403.
    ("GET", "/v1/cases", READERS),
    ("GET", "/v1/cases/{case}", READERS),
    ("GET", "/v1/cases/{case}/media", READERS),
    ("GET", "/v1/cases/{case}/statements/no-such-puid", READERS),
    ("POST", "/v1/cases/{case}/claim", REVIEWERS),
    ("POST", "/v1/cases/{case}/release", REVIEWERS),
    ("POST", "/v1/cases/{case}/assign", {"senior_reviewer", "admin"}),
    ("POST", "/v1/cases/{case}/decision", REVIEWERS),
    ("GET", "/v1/appeals", {"senior_reviewer", "admin", "auditor"}),
    ("POST", "/v1/appeals/A-NOSUCH/decision", {"senior_reviewer"}),
    ("GET", "/v1/statements", {"admin", "auditor"}),
    ("GET", "/v1/transparency?from=2026-01-01&to=2026-01-02", {"admin", "auditor"}),
    ("GET", "/v1/transparency", {"admin", "auditor"}),
    ("GET", "/v1/transparency/report.xlsx?from=2026-01-01&to=2026-01-02", {"admin", "auditor"}),
    ("GET", "/v1/transparency/report.zip", {"admin", "auditor"}),
    ("GET", "/v1/elections", EVERYONE),
    ("POST", "/v1/elections", {"admin"}),
    ("GET", "/v1/audit", {"admin", "auditor"}),
    ("GET", "/v1/audit/verify", {"admin", "auditor"}),
    # Pages send visitors to sign in rather than answering 401.
    ("GET", "/review", READERS),
    ("GET", "/review/cases/{case}", READERS),
    ("GET", "/review/appeals", {"senior_reviewer", "admin", "auditor"}),
    ("GET", "/my/notices", EVERYONE),
    ("GET", "/admin", {"admin"}),
]


def test_every_role_reaches_only_what_it_may(
    client_with: Any, db_session: Session, corpus: Path
) -> None:
    client = client_with(login_attempts_per_minute=1000)
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    case = reported(client, db_session, bridge(corpus), url="https://videoshare.example/v/1")
    users = {
        "reviewer": staff.reviewer,
        "senior_reviewer": staff.senior,
        "admin": staff.admin,
        "auditor": staff.auditor,
        "protected_person": staff.candidate,
        "representative": staff.representative,
    }
    headers_of: dict[str, dict[str, str]] = {}
    cookies_of: dict[str, dict[str, str]] = {}
    for role, user in users.items():  # each role's own session cookie and CSRF token
        headers_of[role] = sign_in(client, user)
        cookies_of[role] = dict(client.cookies)
    for method, template, allowed in ROLE_MATRIX:
        path = template.format(case=case.reference)
        body: dict[str, Any] | None = {} if method == "POST" else None
        client.cookies.clear()
        anonymous = client.request(method, path, json=body, follow_redirects=False)
        expected = 303 if not path.startswith("/v1/") else 401
        assert anonymous.status_code == expected, (path, anonymous.text)
        for role in users:
            client.cookies.clear()
            client.cookies.update(cookies_of[role])
            answer = client.request(method, path, json=body, headers=headers_of[role])
            if role in allowed:
                assert answer.status_code not in {401, 403}, (role, path, answer.text)
            else:
                assert answer.status_code == 403, (role, path, answer.text)
            if path.endswith("/claim") and answer.status_code < 400:
                client.post(f"/v1/cases/{case.reference}/release", headers=headers_of[role])


def test_statements_export_as_the_transparency_databases_csv(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    case = reported(client, db_session, bridge(corpus), url="https://videoshare.example/v/1")
    headers = sign_in(client, staff.reviewer)
    label = REMOVE | {
        "action": "label_ai_generated",
        "explanation": '=HYPERLINK("x") looks AI-made.',
    }
    client.post(f"/v1/cases/{case.reference}/decision", json=label, headers=headers)
    sign_in(client, staff.auditor)
    lines = client.get("/v1/statements").text.splitlines()
    assert len(lines) == 1
    csv = client.get("/v1/statements", params={"format": "csv", "platform_name": "Videoshare"})
    assert csv.headers["content-type"].startswith("text/csv")
    header, row = csv.text.splitlines()[:2]
    assert header.startswith("uuid,decision_visibility,")
    assert "DECISION_VISIBILITY_CONTENT_LABELLED" in row
    assert "\"'=HYPERLINK(" in row  # a spreadsheet shows the formula, never runs it


def test_open_cases_grow_more_urgent_as_their_election_nears(
    client: TestClient, db_session: Session, staff: Staff, corpus: Path
) -> None:
    clear_of_midnight()  # the server counts the days to the vote later
    election = add_election(db_session, "Mayor 2026", utc_now().date() + timedelta(days=20))
    staff.jane.election = "Mayor 2026"
    db_session.commit()
    case = reported(client, db_session, bridge(corpus), person=staff.jane.id)
    before, deadline = case.priority, case.due_at
    assert any("20 days away" in reason for reason in case.priority_reasons)
    election.polling_date = utc_now().date() + timedelta(days=1)  # three weeks later
    db_session.commit()
    assert reprioritise_open(runtime_of(client)) == 1
    db_session.refresh(case)
    assert case.priority == before + 20  # +30 a day before, not +10 three weeks before
    assert case.due_at < deadline
    assert any("1 day away" in reason for reason in case.priority_reasons)
