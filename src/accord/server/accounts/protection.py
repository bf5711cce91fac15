"""Account protection: finishing a sign-in with the second factor, setting one up,
replacing or turning it off, new recovery codes, and an admin's reset.

Every wrong code counts in the sign-in lockout (``lockout``) like a wrong password, so
codes cannot be guessed one after another. Changing the factor asks for the password and
a current code; each change is mailed to the user (``alerts``) and audited as its rows
change. A half-finished session becomes a new ``SIGNED_IN`` one (a new token: the one the
browser held before proving the second factor is worth nothing after).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from accord.errors import (
    Conflict,
    NotSignedIn,
    SecondFactorRequired,
    WrongCode,
    WrongCredentials,
)
from accord.server.accounts import lockout, second_factor
from accord.server.accounts import service as accounts
from accord.server.accounts.alerts import Sender
from accord.server.accounts.models import SignInStage, User
from accord.server.accounts.second_factor import CodeUse


def finish_with_code(
    session: Session, token: str, code: str, *, sender: Sender, now: datetime
) -> tuple[str, CodeUse]:
    """The ``SIGNED_IN`` session token once the code of a session waiting for one is
    right; raise ``WrongCode`` (counted in the lockout) otherwise."""
    user = _pending(session, token, SignInStage.CODE, now)
    use = check(session, user, code, sender=sender, now=now)
    accounts.log_out(session, token)
    return accounts.signed_in(session, user, now=now, sender=sender), use


def log_in_with_code(
    session: Session,
    email: str,
    password: str,
    code: str | None,
    *,
    sender: Sender,
    now: datetime,
) -> tuple[str, CodeUse | None]:
    """Sign in in one request (the API): the password, and the code if the account has a
    second factor (``SecondFactorRequired`` without one). The session token, at the stage
    the account needs, and how the code was used."""
    user = accounts.check_credentials(session, email, password, now=now)
    if second_factor.confirmed(session, user) is None:
        return accounts.after_password(session, user, now=now, sender=sender), None
    if code is None:
        msg = "send the code your authenticator app shows (or a recovery code) as 'code'"
        raise SecondFactorRequired(msg)
    use = check(session, user, code, sender=sender, now=now)
    return accounts.signed_in(session, user, now=now, sender=sender), use


def check(session: Session, user: User, code: str, *, sender: Sender, now: datetime) -> CodeUse:
    """Accept ``code`` for ``user``, or count the failure in the lockout and raise."""
    lockout.check_not_locked(session, user.email, now)
    try:
        use = second_factor.check_code(session, user, code, sender.master_key, now=now)
    except WrongCode:
        lockout.record_failure(session, user.email, now)
        raise
    if use.recovery:
        left = use.recovery_codes_left
        sender.factor_changed(
            session, user, f"a recovery code was used to sign in ({left} left)", now=now
        )
    return use


def finish_enrolment(
    session: Session, token: str, code: str, *, sender: Sender, now: datetime
) -> tuple[str, list[str]]:
    """Confirm the authenticator with its first code: the session token after (a new
    ``SIGNED_IN`` one if the session waited for this) and the recovery codes, shown once."""
    stage, user = _stage(session, token, now)
    codes = second_factor.confirm_enrolment(session, user, code, sender.master_key, now=now)
    sender.factor_changed(session, user, "an authenticator app was set up", now=now)
    if stage == SignInStage.ENROL:
        accounts.log_out(session, token)
        token = accounts.signed_in(session, user, now=now, sender=sender)
    return token, codes


def remove_own(
    session: Session,
    token: str,
    password: str,
    code: str,
    *,
    sender: Sender,
    now: datetime,
) -> str:
    """Turn off (or, for roles that need one, start replacing) the signed-in user's second
    factor, on their password and a current code. The session token after: for a role
    that needs a factor, the user's other sessions end and this one may only set up the
    new authenticator."""
    user = _signed_in(session, token, now)
    confirm_identity(session, user, password, code, sender=sender, now=now)
    second_factor.remove(session, user, reason="second factor removed by its user")
    if not accounts.needs_second_factor(user):
        sender.factor_changed(session, user, "the second factor was turned off", now=now)
        return token
    sender.factor_changed(
        session, user, "the authenticator app was removed, to be replaced", now=now
    )
    accounts.end_sessions(session, user)
    return accounts.open_session(session, user, SignInStage.ENROL, now=now)


def renew_recovery_codes(
    session: Session, user: User, password: str, code: str, *, sender: Sender, now: datetime
) -> list[str]:
    """New recovery codes (the old ones stop working), on the password and a code."""
    confirm_identity(session, user, password, code, sender=sender, now=now)
    codes = second_factor.new_recovery_codes(session, user)
    sender.factor_changed(session, user, "new recovery codes were made", now=now)
    return codes


def reset(session: Session, user: User, *, by: User, sender: Sender, now: datetime) -> None:
    """An admin's reset of another user's second factor (their phone is lost): the factor
    and recovery codes are forgotten and the user is signed out everywhere; their next
    sign-in sets up a new one where their role needs it."""
    if user.id == by.id:
        raise Conflict("replace your own authenticator on your security page")
    second_factor.remove(session, user, reason=f"second factor reset by {by.email}")
    accounts.end_sessions(session, user)
    sender.factor_changed(
        session, user, f"the second factor was reset by the administrator {by.email}", now=now
    )


def confirm_identity(
    session: Session, user: User, password: str, code: str, *, sender: Sender, now: datetime
) -> None:
    """The user's password and a current code, before a change to their factor; each
    wrong answer counts in the lockout."""
    lockout.check_not_locked(session, user.email, now)
    if not accounts.password_matches(user, password):
        lockout.record_failure(session, user.email, now)
        raise WrongCredentials("the password is wrong")
    check(session, user, code, sender=sender, now=now)
    lockout.forget_failures(session, user.email)


def _pending(session: Session, token: str, stage: SignInStage, now: datetime) -> User:
    found = accounts.stage_of(session, token, now=now)
    if found is None or found[0] != stage:
        raise NotSignedIn("the sign-in has ended: sign in again")
    return found[1]


def _signed_in(session: Session, token: str, now: datetime) -> User:
    return _pending(session, token, SignInStage.SIGNED_IN, now)


def _stage(session: Session, token: str, now: datetime) -> tuple[SignInStage, User]:
    found = accounts.stage_of(session, token, now=now)
    if found is None or found[0] == SignInStage.CODE:
        raise NotSignedIn("the sign-in has ended: sign in again")
    return found
