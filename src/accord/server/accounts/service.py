"""Accounts: organizations, invitations, passwords (argon2id), lockout and login sessions.

- A wrong email and a wrong password get the same answer, after the same work (a dummy
  hash is checked for an unknown email), so logins do not reveal who has an account.
- ``MAX_FAILED_LOGINS`` wrong sign-ins in a row lock the email address for ``LOCKOUT``,
  whether or not an account has it (``lockout``); while locked, even the right password
  is refused.
- Session and invitation tokens are random, shown once, and stored only as SHA-256.
- A session's CSRF token is an HMAC of its session token: nothing more to store, and a
  form posted without it, or with another session's, is refused (``check_csrf``).
- Every password set goes through ``passwords.check_password`` (NIST SP 800-63B rules).
- A right password opens a session at the stage the account needs (``SignInStage``): an
  account with a second factor waits for its code (``protection``); one whose role needs
  a second factor and has none may only set one up; only a ``SIGNED_IN`` session is
  anybody's (``session_user``). Wrong codes count in the lockout like wrong passwords, so
  a run of wrong passwords is forgotten only once the whole sign-in succeeded.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections.abc import Collection
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, CsrfRefused, NotFound, WrongCredentials
from accord.server.accounts import lockout, second_factor
from accord.server.accounts.alerts import Sender, factor_changed
from accord.server.accounts.models import (
    Invitation,
    LoginSession,
    Organization,
    OrganizationKind,
    SignInStage,
    User,
)
from accord.server.accounts.passwords import check_password
from accord.server.auth.roles import SECOND_FACTOR_REQUIRED, Role
from accord.server.db.base import utc_now
from accord.server.settings import Settings

SESSION_LIFETIME = timedelta(hours=12)
#: How long a half-finished sign-in lasts: waiting for a code, or for the authenticator
#: app to be set up.
PENDING_LIFETIME = {
    SignInStage.CODE: timedelta(minutes=10),
    SignInStage.ENROL: timedelta(minutes=30),
}
INVITATION_LIFETIME = timedelta(days=7)
_TOKEN_BYTES = 32
_WRONG = "the email or the password is wrong"

_hasher = PasswordHasher()  # argon2id with the library's current parameters


def create_organization(session: Session, name: str, kind: str) -> Organization:
    if kind not in OrganizationKind.__members__.values():
        raise BadRequest(f"an organization kind is one of {', '.join(OrganizationKind)}")
    if session.scalar(select(Organization.id).where(Organization.name == name)) is not None:
        raise Conflict(f"an organization named {name!r} exists already")
    organization = Organization(name=name.strip(), kind=kind)
    session.add(organization)
    session.flush()
    return organization


def find_organization(session: Session, name: str) -> Organization:
    found = session.scalar(select(Organization).where(Organization.name == name))
    if found is None:
        raise NotFound(f"no organization is named {name!r}")
    return found


def find_user(session: Session, email: str) -> User:
    found = session.scalar(select(User).where(User.email == email.strip().lower()))
    if found is None:
        raise NotFound(f"no user has the email {email.strip().lower()!r}")
    return found


def create_user(
    session: Session,
    organization: Organization,
    email: str,
    role: str,
    password: str,
    *,
    display_name: str = "",
) -> User:
    """A user who can log in at once (the first admin, made on the command line)."""
    address = _checked_email(session, email)
    _check_role(role)
    check_password(password, email=address, display_name=display_name)
    user = User(
        email=address,
        display_name=display_name.strip(),
        organization_id=organization.id,
        role=role,
        password_hash=_hasher.hash(password),
    )
    session.add(user)
    session.flush()
    return user


def invite(
    session: Session,
    organization: Organization,
    email: str,
    role: str,
    *,
    invited_by: int | None = None,
) -> str:
    """A single-use invitation token for ``email`` to join in ``role``."""
    address = _checked_email(session, email)
    _check_role(role)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    session.add(
        Invitation(
            token_sha256=_digest(token),
            organization_id=organization.id,
            email=address,
            role=role,
            invited_by=invited_by,
            expires_at=utc_now() + INVITATION_LIFETIME,
        )
    )
    session.flush()
    return token


def invitation_link(token: str, public_url: str | None) -> str:
    """Where the invitee chooses their password: an address under ``public_url`` (the
    ``ACCORD_PUBLIC_URL`` setting, or the request's), or only the path without one."""
    return f"{(public_url or '').rstrip('/')}/invitations/{token}"


def open_invitation(session: Session, token: str) -> Invitation:
    """The invitation ``token`` stands for, while it can still be accepted."""
    invitation = session.get(Invitation, _digest(token))
    if (
        invitation is None
        or invitation.accepted_at is not None
        or invitation.expires_at < utc_now()
    ):
        raise NotFound("the invitation is unknown, used or expired: ask for a new one")
    return invitation


def accept_invitation(
    session: Session, token: str, password: str, *, display_name: str = ""
) -> User:
    invitation = open_invitation(session, token)
    organization = session.get(Organization, invitation.organization_id)
    if organization is None:
        raise NotFound("the invitation's organization no longer exists")
    user = create_user(
        session, organization, invitation.email, invitation.role, password,
        display_name=display_name,
    )  # fmt: skip
    # Used only once the account exists: a refused password leaves the link working (the
    # invitation page commits the request that shows the refusal).
    invitation.accepted_at = utc_now()
    return user


def log_in(
    session: Session,
    email: str,
    password: str,
    *,
    now: datetime | None = None,
    sender: Sender | None = None,
) -> str:
    """A new session token for the right email and password, at the stage the account
    needs (``stage_of``); raise otherwise. ``sender`` mails the sign-in alert."""
    now = now or utc_now()
    user = check_credentials(session, email, password, now=now)
    return after_password(session, user, now=now, sender=sender)


def after_password(
    session: Session, user: User, *, now: datetime, sender: Sender | None = None
) -> str:
    """The session a right password opens: waiting for the code of the user's second
    factor, or only to set one up (their role needs one), or signed in."""
    if second_factor.confirmed(session, user) is not None:
        return open_session(session, user, SignInStage.CODE, now=now)
    if needs_second_factor(user):
        lockout.forget_failures(session, user.email)  # this session may only set one up
        return open_session(session, user, SignInStage.ENROL, now=now)
    return signed_in(session, user, now=now, sender=sender)


def check_credentials(session: Session, email: str, password: str, *, now: datetime) -> User:
    """The active user with this email and password; raise (and count the failure in the
    lockout) otherwise. The run of failures goes on until the whole sign-in succeeds."""
    lockout.check_not_locked(session, email, now)
    user = session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active:
        _verify(_dummy_hash(), password)  # as long as a wrong password takes
        user = None
    if user is None or not _verify(user.password_hash, password):
        lockout.record_failure(session, email, now)
        raise WrongCredentials(_WRONG)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def password_matches(user: User, password: str) -> bool:
    """Whether ``password`` is ``user``'s (to confirm a change to their account)."""
    return _verify(user.password_hash, password)


def needs_second_factor(user: User) -> bool:
    """Whether the user's role requires a second factor."""
    return user.role in SECOND_FACTOR_REQUIRED


def signed_in(session: Session, user: User, *, now: datetime, sender: Sender | None = None) -> str:
    """Finish a sign-in: the failures are forgotten, a ``SIGNED_IN`` session opens, and a
    new device is told to the user (``sender``)."""
    lockout.forget_failures(session, user.email)
    user.last_login_at = now
    token = open_session(session, user, SignInStage.SIGNED_IN, now=now)
    if sender is not None:
        sender.signed_in(session, user, now=now)
    return token


def open_session(session: Session, user: User, stage: SignInStage, *, now: datetime) -> str:
    """A new session token for ``user`` at ``stage``."""
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    lifetime = PENDING_LIFETIME.get(stage, SESSION_LIFETIME)
    session.add(
        LoginSession(
            token_sha256=_digest(token), user_id=user.id, stage=stage, created_at=now,
            expires_at=now + lifetime,
        )
    )  # fmt: skip
    session.flush()
    return token


def session_user(session: Session, token: str, *, now: datetime | None = None) -> User | None:
    """The user a session token belongs to, while it lasts, the sign-in is complete
    (``SIGNED_IN``) and the user is active."""
    found = _live_session(session, token, now or utc_now())
    if found is None or found[0].stage != SignInStage.SIGNED_IN:
        return None
    return found[1]


def stage_of(
    session: Session, token: str, *, now: datetime | None = None
) -> tuple[SignInStage, User] | None:
    """How far the sign-in of a live session token has come, and whose it is."""
    found = _live_session(session, token, now or utc_now())
    if found is None:
        return None
    return SignInStage(found[0].stage), found[1]


def _live_session(session: Session, token: str, now: datetime) -> tuple[LoginSession, User] | None:
    login = session.get(LoginSession, _digest(token))
    if login is None or login.expires_at <= now:
        return None
    user = session.get(User, login.user_id)
    return (login, user) if user is not None and user.active else None


def end_sessions(session: Session, user: User, *, keep: str | None = None) -> None:
    """Sign ``user`` out everywhere (but for the session of token ``keep``)."""
    ending = delete(LoginSession).where(LoginSession.user_id == user.id)
    if keep is not None:
        ending = ending.where(LoginSession.token_sha256 != _digest(keep))
    session.execute(ending)


def set_active(session: Session, user: User, *, active: bool) -> None:
    """Let a user in again, or keep them out: a deactivated user's sessions end at once."""
    user.active = active
    if not active:
        session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    session.flush()


def unlock(session: Session, email: str) -> None:
    """End a sign-in lockout now: anyone can lock an address by typing wrong passwords
    for it, so an admin can let its owner back in."""
    lockout.forget_failures(session, email)


def works_for_election_authority(session: Session, user: User) -> bool:
    """Whether ``user``'s organization is an election authority."""
    organization = session.get(Organization, user.organization_id)
    return organization is not None and organization.kind == OrganizationKind.ELECTION_AUTHORITY


def log_out(session: Session, token: str) -> None:
    session.execute(delete(LoginSession).where(LoginSession.token_sha256 == _digest(token)))


def csrf_token(session_token: str) -> str:
    """The token forms of this session must carry."""
    return hmac.new(session_token.encode(), b"accord csrf", hashlib.sha256).hexdigest()


def check_csrf(session_token: str, presented: str | None) -> None:
    if presented is None or not hmac.compare_digest(csrf_token(session_token), presented):
        raise CsrfRefused("the form's CSRF token is missing or belongs to another session")


@functools.cache
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(_TOKEN_BYTES))


def _verify(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _checked_email(session: Session, email: str) -> str:
    address = email.strip().lower()
    local, _, domain = address.partition("@")
    if not local or "." not in domain or " " in address:
        raise BadRequest(f"{email!r} is not an email address")
    if session.scalar(select(User.id).where(User.email == address)) is not None:
        raise Conflict(f"{address} has an account already")
    return address


def _check_role(role: str) -> None:
    if role not in Role.__members__.values():
        raise BadRequest(f"a role is one of {', '.join(Role)}")


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def list_users(session: Session) -> list[tuple[User, Organization]]:
    """Every user with their organization, by organization then email."""
    query = (
        select(User, Organization)
        .join(Organization, User.organization_id == Organization.id)
        .order_by(Organization.name, User.email)
    )
    return [(user, organization) for user, organization in session.execute(query)]


def count_organizations(session: Session) -> int:
    return int(session.scalar(select(func.count(Organization.id))) or 0)


def count_active_users(session: Session) -> int:
    """Users who may sign in (not deactivated)."""
    return int(session.scalar(select(func.count(User.id)).where(User.active.is_(True))) or 0)


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def users_by_id(session: Session, user_ids: Collection[int]) -> dict[int, User]:
    """The users with these ids (a missing id is left out), by id."""
    return {user.id: user for user in session.scalars(select(User).where(User.id.in_(user_ids)))}


def active_users_in(session: Session, role: str) -> list[User]:
    """The users in ``role`` who may sign in, by email: those an admin may choose from."""
    chosen = select(User).where(User.role == role, User.active.is_(True)).order_by(User.email)
    return list(session.scalars(chosen))


def reset_from_console(session: Session, settings: Settings, user: User, *, now: datetime) -> None:
    """An admin's reset of a lost second factor (``protection.reset``), by an operator at
    the server's console (``accord user reset-second-factor``): for the only admin, who
    lost both phone and recovery codes."""
    second_factor.remove(session, user, reason="second factor reset from the console")
    end_sessions(session, user)
    factor_changed(
        session, settings, user, "the second factor was reset from the server's console", now=now
    )
