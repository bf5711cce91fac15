"""Sign-in lockout, counted per email address whether or not an account has it.

Counting only accounts' wrong passwords would answer "locked" for an account and "wrong"
for an address without one, which tells a guesser who has an account. So every wrong
sign-in counts against the address's SHA-256, in the database (shared by every process
and kept over restarts), and ``MAX_FAILED_LOGINS`` in a row lock the address for
``LOCKOUT``. A row lives only while it can still lock: each failure deletes the rows
whose last failure is over ``LOCKOUT`` old, so the table stays as small as the sign-in
rate limit per client address lets it grow.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from accord.errors import AccountLocked
from accord.server.accounts.models import LoginFailures

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


def check_not_locked(session: Session, email: str, now: datetime) -> None:
    """Raise ``AccountLocked`` while ``email`` waits out a lockout."""
    row = session.get(LoginFailures, email_digest(email), populate_existing=True)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise AccountLocked(
            "too many wrong passwords or codes: the account is locked for a while",
            (row.locked_until - now).total_seconds(),
        )


def record_failure(session: Session, email: str, now: datetime) -> None:
    """Count a wrong sign-in for ``email``; the last allowed one starts a lockout."""
    session.execute(delete(LoginFailures).where(LoginFailures.last_failed_at < now - LOCKOUT))
    key = email_digest(email)
    # One atomic statement, so two processes counting at once both count.
    session.execute(
        _insert(session)
        .values(email_sha256=key, failures=1, last_failed_at=now)
        .on_conflict_do_update(
            index_elements=[LoginFailures.email_sha256],
            set_={"failures": LoginFailures.failures + 1, "last_failed_at": now},
        )
    )
    row = session.get(LoginFailures, key, populate_existing=True)
    if row is not None and row.failures >= MAX_FAILED_LOGINS:
        row.failures, row.locked_until = 0, now + LOCKOUT
    session.flush()


def forget_failures(session: Session, email: str) -> None:
    """A right password ends the run of wrong ones."""
    session.execute(delete(LoginFailures).where(LoginFailures.email_sha256 == email_digest(email)))


def email_digest(email: str) -> str:
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()


def _insert(session: Session) -> postgresql.Insert | sqlite.Insert:
    """An upsert-capable INSERT: both backends accord runs on spell ON CONFLICT alike."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(LoginFailures)
    return sqlite.insert(LoginFailures)
