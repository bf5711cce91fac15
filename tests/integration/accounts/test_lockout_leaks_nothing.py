"""Signing in tells nobody which email addresses have an account: wrong passwords for an
account and sign-ins for an address without one get the same answers, lockout included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.accounts import lockout
from accord.server.accounts import service as accounts
from accord.server.accounts.models import LoginFailures
from accord.server.audit.models import AuditEntry
from accord.server.auth.roles import Role
from accord.server.db.base import utc_now

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's


def _answers(client: TestClient, email: str) -> list[tuple[int, str, str, str]]:
    answers = []
    for _ in range(lockout.MAX_FAILED_LOGINS + 1):
        body: Any = client.post(
            "/v1/session", json={"email": email, "password": "wrong password!!"}
        ).json()
        answers.append((body["status"], body["code"], body["title"], body["detail"]))
    return answers


def test_an_unknown_email_is_locked_out_like_an_account(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    accounts.create_user(db_session, commission, "rev@example.org", Role.REVIEWER, PASSWORD)
    db_session.commit()
    client = client_with(login_attempts_per_minute=100)
    known, unknown = _answers(client, "rev@example.org"), _answers(client, "nobody@example.org")
    assert known == unknown
    assert [status for status, *_ in known] == [401] * lockout.MAX_FAILED_LOGINS + [429]
    assert known[0][2] == "Wrong email or password"
    assert known[-1][1] == "auth.account_locked"
    # What strangers typed is not kept in the append-only audit log.
    logged = select(func.count()).where(AuditEntry.table == "login_failures")
    assert db_session.scalar(logged) == 0


def test_failures_expire_and_a_right_password_forgets_them(db_session: Session) -> None:
    commission = accounts.create_organization(db_session, "Commission", "election_authority")
    accounts.create_user(db_session, commission, "rev@example.org", Role.REVIEWER, PASSWORD)
    long_ago = utc_now() - lockout.LOCKOUT * 2
    for email in ("a@example.org", "b@example.org"):
        lockout.record_failure(db_session, email, long_ago)
    lockout.record_failure(db_session, "Rev@Example.org ", utc_now())
    # The old rows went when the new failure came; the address is counted as one.
    assert db_session.scalar(select(func.count()).select_from(LoginFailures)) == 1
    accounts.log_in(db_session, "rev@example.org", PASSWORD)
    assert db_session.scalar(select(func.count()).select_from(LoginFailures)) == 0
