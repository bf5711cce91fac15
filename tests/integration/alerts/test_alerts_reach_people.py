"""Alerts reach people: an SLA breach, dead letters and a TDB backlog each open one
incident, told once by mail (to a real SMTP server) and once as a signed webhook event
(to a real HTTP receiver), and once more when they clear."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from email.message import EmailMessage
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.alerts.models import Incident
from accord.server.alerts.service import add_recipient, evaluate
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from accord.server.mail.service import send_due
from accord.server.runtime import Runtime
from accord.server.tdb.models import Submission
from accord.server.tdb.service import submit_due
from accord.server.webhooks.service import deliver_due
from tests.fake_tdb import TOKEN, fake_tdb
from tests.integration.notice_action import hire, runtime_of, send_notice, sign_in, triage
from tests.integration.notices.test_notices_api import bridge
from tests.smtp_receiver import smtp_server
from tests.webhook_receiver import receiving

OPS = "ops@example.org"
REMOVE = {
    "action": "remove",
    "ground_text": "Terms 4.2: deceptive synthetic media about elections",
    "explanation": "A fabricated picture of the candidate.",
}


def deliver(runtime: Runtime) -> None:
    """Send what the mail and webhook outboxes hold now."""
    send_due(runtime.sessions, runtime.settings)
    with httpx.Client() as http:
        deliver_due(runtime.sessions, runtime.settings.master_key.get_secret_value(), http)


def to_ops(received: list[EmailMessage]) -> list[str]:
    return [message["Subject"] for message in received if message["To"] == OPS]


def check_alert_body(received: list[EmailMessage], reference: str) -> None:
    """What, since when and where to look; nothing about the notifier."""
    (mail,) = [m for m in received if m["To"] == OPS]
    body = mail.get_content()
    assert f"/review/cases/{reference}" in body
    assert "Since: " in body
    assert "voter@example.org" not in body
    assert "A. Voter" not in body


def test_an_sla_breach_is_told_once_and_its_end_once(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    with smtp_server() as (port, received), receiving() as (receiver, url):
        client = client_with(smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
        runtime = runtime_of(client)
        settings = runtime.settings
        master_key = settings.master_key.get_secret_value()
        staff = hire(db_session, master_key)
        add_recipient(db_session, OPS, ["sla_breach"], created_by="admin", master_key=master_key)
        _, secret = add_recipient(
            db_session, url, ["sla_breach"], created_by="admin", master_key=master_key
        )
        assert secret is not None
        receiver.secret = secret.encode()
        send_notice(client, media=bridge(corpus), platform="videoshare", platform_content_id="1")
        triage(client)
        case = db_session.scalar(select(Case))
        assert case is not None
        # The clock is the caller's: a minute before the deadline, and one after.
        assert evaluate(db_session, settings, case.due_at - timedelta(minutes=1)).opened == []
        late = case.due_at + timedelta(minutes=1)
        opened = evaluate(db_session, settings, late).opened
        assert [(i.kind, i.key) for i in opened] == [("sla_breach", case.reference)]
        db_session.commit()
        deliver(runtime)

        (subject,) = to_ops(received)
        assert subject.startswith(f"[accord] ALERT: case {case.reference} is past its review")
        check_alert_body(received, case.reference)
        assert [m["event"] for _, m in receiver.deliveries] == ["alert.opened"]
        assert receiver.deliveries[0][1]["data"]["key"] == case.reference
        assert receiver.bad_signatures == 0

        # Still late: nothing new is sent.
        again = evaluate(db_session, settings, late + timedelta(minutes=5))
        assert (again.opened, again.resolved) == ([], [])
        db_session.commit()
        deliver(runtime)
        assert len(to_ops(received)) == 1
        assert len(receiver.deliveries) == 1

        headers = sign_in(client, staff.reviewer)
        decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
        assert decided.status_code == 201, decided.text
        cleared = evaluate(db_session, settings, late + timedelta(minutes=10))
        assert [i.key for i in cleared.resolved] == [case.reference]
        assert evaluate(db_session, settings, late + timedelta(minutes=11)).resolved == []
        db_session.commit()
        deliver(runtime)

    assert to_ops(received)[1].startswith(f"[accord] RESOLVED: case {case.reference}")
    assert len(to_ops(received)) == 2
    assert [m["event"] for _, m in receiver.deliveries] == ["alert.opened", "alert.resolved"]
    incident = db_session.scalar(select(Incident).where(Incident.key == case.reference))
    assert incident is not None
    assert incident.resolved_at is not None
    assert incident.notified_at is not None
    assert incident.resolved_notified_at is not None


def test_dead_letters_and_an_old_tdb_backlog_each_open_one_incident(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    with smtp_server() as (port, received), fake_tdb() as tdb:
        client = client_with(
            smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False,
            tdb_api_url=tdb.url, tdb_token=SecretStr(TOKEN),
        )  # fmt: skip
        runtime = runtime_of(client)
        settings = runtime.settings
        master_key = settings.master_key.get_secret_value()
        staff = hire(db_session, master_key)
        add_recipient(
            db_session, OPS, ["dead_letters", "tdb_backlog"], created_by="admin",
            master_key=master_key,
        )  # fmt: skip
        send_notice(client, media=bridge(corpus), platform="othersite", platform_content_id="1")
        triage(client)
        case = db_session.scalar(select(Case))
        assert case is not None
        headers = sign_in(client, staff.reviewer)
        decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
        assert decided.status_code == 201, decided.text
        # othersite has no webhook: its removal is kept dead, for an admin to send.
        statement = db_session.scalar(select(Submission))
        assert statement is not None
        now = utc_now()
        assert [i.kind for i in evaluate(db_session, settings, now).opened] == ["dead_letters"]
        a_day_on = statement.created_at + timedelta(days=1, minutes=1)
        opened = evaluate(db_session, settings, a_day_on).opened
        assert [(i.kind, i.key) for i in opened] == [("tdb_backlog", "tdb")]
        db_session.commit()
        send_due(runtime.sessions, settings)
        with httpx.Client() as http:
            assert submit_due(runtime.sessions, settings, http) == 1
        cleared = evaluate(db_session, settings, a_day_on + timedelta(minutes=1)).resolved
        assert [i.kind for i in cleared] == ["tdb_backlog"]
        db_session.commit()
        send_due(runtime.sessions, settings)

    subjects = to_ops(received)
    assert len(subjects) == 3, subjects
    assert subjects[0] == (
        "[accord] ALERT: the webhooks outbox has 1 dead letter(s): messages given up after "
        "their last try"
    )
    assert subjects[1].startswith("[accord] ALERT: 1 statement(s) of reasons wait")
    assert subjects[2].startswith("[accord] RESOLVED: 1 statement(s) of reasons wait")
