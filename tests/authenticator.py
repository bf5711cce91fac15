"""An authenticator app for the tests: users are enrolled through the accounts service, as
the security page does, and sign in with the codes a phone would show.

A code is good once (the server remembers the last step used), so a test that signs the
same person in several times within 30 seconds gets the next step's code (the server
accepts one step ahead), then a recovery code, or (``code_for``) a new enrolment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from accord.provenance.sealing import unseal_secret
from accord.server.accounts import second_factor, totp
from accord.server.accounts import service as accounts
from accord.server.accounts.models import User
from accord.server.db.base import utc_now
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.settings import Settings


@dataclass
class Authenticator:
    """A user's authenticator app and the recovery codes they were shown."""

    secret: str
    recovery_codes: list[str]
    last_step: int
    used_recovery: list[str] = field(default_factory=list)

    def code(self) -> str:
        """A code the server takes now: the current or next step's, if not used yet; a
        recovery code once both are."""
        now = totp.step_at(time.time())
        step = max(now, self.last_step + 1)
        if step <= now + totp.SKEW_STEPS:
            self.last_step = step
            return totp.hotp(totp.secret_bytes(self.secret), step)
        recovery = self.recovery_codes.pop(0)
        self.used_recovery.append(recovery)
        return recovery

    def code_at(self, unix_time: float) -> str:
        return totp.totp(totp.secret_bytes(self.secret), unix_time)


def enrol(session: Session, user: User, master_key: str) -> Authenticator:
    """Set up ``user``'s authenticator (begin, then confirm with its first code)."""
    enrolment = second_factor.begin_enrolment(session, user, master_key)
    now = utc_now()
    first = totp.totp(totp.secret_bytes(enrolment.secret), now.timestamp())
    codes = second_factor.confirm_enrolment(session, user, first, master_key, now=now)
    return Authenticator(enrolment.secret, codes, totp.step_at(now.timestamp()))


def code_for(session: Session, user: User, master_key: str) -> str | None:
    """A code that signs ``user`` in now: from their authenticator if they have one (read
    back from the database), after enrolling them if their role needs one; None for an
    account without a second factor that needs none."""
    factor = second_factor.confirmed(session, user)
    if factor is None:
        if not accounts.needs_second_factor(user):
            return None
        return enrol(session, user, master_key).code()
    secret = unseal_secret(factor.sealed_secret, master_key).decode()
    phone = Authenticator(secret, [], factor.last_used_step or 0)
    now = totp.step_at(time.time())
    if max(now, phone.last_step + 1) > now + totp.SKEW_STEPS:
        # Both steps used: a new authenticator, as a user replacing theirs would get.
        second_factor.remove(session, user, reason="a test's new authenticator")
        return enrol(session, user, master_key).code()
    return phone.code()


def enrol_in(data: Path, *emails: str) -> dict[str, Authenticator]:
    """Set up the authenticators of ``emails`` on the instance in ``data`` (as its own
    settings read, master key included); each one by email."""
    settings = Settings(data_dir=data)
    engine = make_engine(settings.effective_database_url)
    master_key = settings.master_key.get_secret_value()
    try:
        with make_session_factory(engine)() as session:
            phones = {
                email: enrol(session, accounts.find_user(session, email), master_key)
                for email in emails
            }
            session.commit()
    finally:
        engine.dispose()
    return phones
