"""Accounts: argon2id passwords, one answer for a wrong email or password, lockout,
single-use invitations, sessions that end, and CSRF tokens bound to their session."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import AccountLocked, BadRequest, Conflict, NotFound, Unauthorized
from accord.server.accounts import lockout
from accord.server.accounts import service as accounts
from accord.server.accounts.models import Invitation, LoginSession, User
from accord.server.audit.models import AuditEntry
from accord.server.auth.roles import Role
from accord.server.db.base import utc_now

PASSWORD = "correct horse battery staple"  # noqa: S105 - a test account's


@pytest.fixture
def ada(session: Session) -> User:
    """A staff member whose role needs no second factor (those are ``test_second_factor``'s)."""
    commission = accounts.create_organization(session, "Electoral Commission", "election_authority")
    return accounts.create_user(session, commission, "Ada@Example.org", Role.AUDITOR, PASSWORD)


def test_passwords_are_stored_as_argon2id_and_log_in(session: Session, ada: User) -> None:
    assert ada.email == "ada@example.org"
    assert ada.password_hash.startswith("$argon2id$")
    assert PASSWORD not in ada.password_hash
    token = accounts.log_in(session, " ADA@example.org ", PASSWORD)
    assert accounts.session_user(session, token) is ada
    stored = session.scalars(select(LoginSession.token_sha256)).all()
    assert token not in stored  # only its hash
    session.commit()
    audited = session.scalars(select(AuditEntry).where(AuditEntry.table == "users")).all()
    assert audited
    assert all("password_hash" not in {**(e.after or {}), **(e.before or {})} for e in audited)


def test_a_wrong_email_and_a_wrong_password_get_the_same_answer(
    session: Session, ada: User
) -> None:
    with pytest.raises(Unauthorized) as wrong_password:
        accounts.log_in(session, ada.email, "not the password at all")
    with pytest.raises(Unauthorized) as wrong_email:
        accounts.log_in(session, "nobody@example.org", PASSWORD)
    assert wrong_password.value.detail == wrong_email.value.detail


def test_five_wrong_passwords_lock_the_account_for_a_while(session: Session, ada: User) -> None:
    now = utc_now()
    for _ in range(lockout.MAX_FAILED_LOGINS):
        with pytest.raises(Unauthorized):
            accounts.log_in(session, ada.email, "a wrong password!!", now=now)
    with pytest.raises(AccountLocked) as locked:
        accounts.log_in(session, ada.email, PASSWORD, now=now)  # even the right one
    assert 0 < locked.value.retry_after_seconds <= lockout.LOCKOUT.total_seconds()
    later = now + lockout.LOCKOUT + timedelta(seconds=1)
    assert accounts.log_in(session, ada.email, PASSWORD, now=later)


def test_sessions_end_on_logout_and_on_expiry(session: Session, ada: User) -> None:
    token = accounts.log_in(session, ada.email, PASSWORD)
    tomorrow = utc_now() + accounts.SESSION_LIFETIME + timedelta(minutes=1)
    assert accounts.session_user(session, token, now=tomorrow) is None
    accounts.log_out(session, token)
    assert accounts.session_user(session, token) is None
    assert accounts.session_user(session, "a made-up token") is None


def test_csrf_tokens_belong_to_one_session(session: Session, ada: User) -> None:
    first = accounts.log_in(session, ada.email, PASSWORD)
    second = accounts.log_in(session, ada.email, PASSWORD)
    accounts.check_csrf(first, accounts.csrf_token(first))
    for presented in (None, "", accounts.csrf_token(second)):
        with pytest.raises(Unauthorized, match="CSRF"):
            accounts.check_csrf(first, presented)


def test_invitations_are_single_use_and_expire(session: Session, ada: User) -> None:
    commission = accounts.find_organization(session, "Electoral Commission")
    token = accounts.invite(session, commission, "grace@example.org", Role.SENIOR_REVIEWER)
    joined = accounts.accept_invitation(session, token, PASSWORD, display_name="Grace")
    assert (joined.role, joined.organization_id) == (Role.SENIOR_REVIEWER, commission.id)
    with pytest.raises(NotFound, match="unknown, used or expired"):
        accounts.accept_invitation(session, token, PASSWORD)
    stale = accounts.invite(session, commission, "late@example.org", Role.AUDITOR)
    for invitation in session.scalars(select(Invitation)):
        invitation.expires_at = utc_now() - timedelta(seconds=1)
    with pytest.raises(NotFound):
        accounts.accept_invitation(session, stale, PASSWORD)


@pytest.mark.parametrize(
    ("email", "role", "password", "error"),
    [
        ("ada@example.org", "reviewer", PASSWORD, Conflict),  # taken
        ("not an email", "reviewer", PASSWORD, BadRequest),
        ("bob@example.org", "king", PASSWORD, BadRequest),
        ("bob@example.org", "reviewer", "short", BadRequest),
        ("bobby@example.org", "reviewer", "my name is bobby!", BadRequest),
    ],
)
def test_bad_accounts_are_refused(
    *,
    session: Session,
    ada: User,
    email: str,
    role: str,
    password: str,
    error: type[Exception],
) -> None:
    commission = accounts.find_organization(session, "Electoral Commission")
    with pytest.raises(error):
        accounts.create_user(session, commission, email, role, password)


def test_bad_organizations_are_refused(session: Session, ada: User) -> None:
    with pytest.raises(Conflict):
        accounts.create_organization(session, "Electoral Commission", "platform")
    with pytest.raises(BadRequest):
        accounts.create_organization(session, "X", "government")
