"""Notifiers are told by email, when SMTP is configured: the acknowledgement, the decision
with its reasons, the outcome of their appeal. Without SMTP nothing is queued."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.cases.models import Case
from accord.server.mail.models import MailMessage
from accord.server.mail.service import MAX_ATTEMPTS, send_due
from tests.integration.notice_action import (
    hire,
    messages,
    runtime_of,
    send_notice,
    sign_in,
    triage,
)
from tests.integration.notices.test_notices_api import bridge
from tests.integration.serving import closed_port
from tests.smtp_receiver import smtp_server


def test_without_smtp_no_mail_is_queued(client: TestClient, db_session: Session) -> None:
    assert send_notice(client, url="https://x.example/1").status_code == 201
    assert db_session.scalars(select(MailMessage)).all() == []


def test_the_notifier_is_told_of_receipt_and_decision_by_email(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    with smtp_server() as (port, received):
        client = client_with(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        runtime = runtime_of(client)
        staff = hire(db_session, runtime.settings.master_key.get_secret_value())
        sent = send_notice(client, media=bridge(corpus), notifier_email="voter@example.org")
        tracking = sent.json()["tracking_number"]
        triage(client)
        case = db_session.scalar(select(Case))
        assert case is not None
        headers = sign_in(client, staff.reviewer)
        label = {
            "action": "label_ai_generated",
            "ground_text": "Terms 4.3: synthetic media must be labelled",
            "explanation": "The picture is generated; it is labelled, not removed.",
        }
        assert (
            client.post(
                f"/v1/cases/{case.reference}/decision", json=label, headers=headers
            ).status_code
            == 201
        )
        # The notifier's two, and the reviewer's sign-in alert (a new device).
        assert send_due(runtime.sessions, runtime.settings) == 3
        to_notifier = [m for m in received if m["To"] == "voter@example.org"]
        assert [m["To"] for m in received if m not in to_notifier] == [staff.reviewer.email]
        receipt, decision = to_notifier
        assert tracking in receipt["Subject"]
        assert "A reviewer will decide" in receipt.get_content()
        text = decision.get_content()
        assert "labelled as AI-generated" in text
        assert "Terms 4.3" in text
        assert "appeal" in text
        statuses = {m.status for m in db_session.scalars(select(MailMessage))}
        assert statuses == {"sent"}


def test_an_unreachable_mail_server_is_retried_then_given_up(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    with closed_port() as port:  # held: no other process can start listening there
        client = client_with(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        runtime = runtime_of(client)
        send_notice(client, url="https://x.example/1")
        message = db_session.scalar(select(MailMessage))
        assert message is not None
        for _ in range(MAX_ATTEMPTS):
            message.next_attempt_at = message.created_at  # due again at once
            db_session.commit()
            send_due(runtime.sessions, runtime.settings)
            db_session.refresh(message)
    assert message.status == "dead"
    assert message.attempts == MAX_ATTEMPTS
    assert "Connection refused" in message.last_error or "Error" in message.last_error


def test_an_uploader_who_leaves_an_address_hears_the_appeal_outcome(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    with smtp_server() as (port, received):
        client = client_with(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        runtime = runtime_of(client)
        staff = hire(db_session, runtime.settings.master_key.get_secret_value())
        send_notice(client, media=bridge(corpus), platform="videoshare", platform_content_id="1")
        triage(client)
        case = db_session.scalar(select(Case))
        assert case is not None
        headers = sign_in(client, staff.reviewer)
        removal = {
            "action": "remove",
            "ground_text": "Terms 4.2",
            "explanation": "A fabricated picture of the candidate.",
        }
        client.post(f"/v1/cases/{case.reference}/decision", json=removal, headers=headers)
        token = messages(db_session, "content.remove")[0].payload["appeal"]["token"]
        appeal = {"token": token, "reason": "It is satire.", "contact_email": "uploader@x.org"}
        filed = client.post("/v1/appeals", json=appeal | {"contact_email": "not an address"})
        assert filed.status_code == 400
        filed = client.post("/v1/appeals", json=appeal | {"reason": "It is satire, says so."})
        assert filed.status_code == 201, filed.text
        headers = sign_in(client, staff.senior)
        verdict = {"outcome": "upheld", "reasons": "Nothing in it says it is satire."}
        client.post(
            f"/v1/appeals/{filed.json()['reference']}/decision", json=verdict, headers=headers
        )
        send_due(runtime.sessions, runtime.settings)
        outcome = [m for m in received if m["To"] == "uploader@x.org"]
        assert len(outcome) == 1
        assert "upheld" in outcome[0].get_content()
