"""Organizations, their users and roles, login sessions, invitations, and the second
factor that protects staff accounts (an authenticator app's secret, recovery codes, and
the devices a user signed in from)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class OrganizationKind(StrEnum):
    ELECTION_AUTHORITY = "election_authority"
    PLATFORM = "platform"
    CAMPAIGN = "campaign"
    FACT_CHECKER = "fact_checker"
    PARTNER = "partner"


class Organization(Base):
    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Lower-cased; the login name.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200), default="")
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    #: An ``auth.roles.Role`` value.
    role: Mapped[str] = mapped_column(String(32))
    #: argon2id, in PHC string form; never the password.
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_login_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class LoginFailures(Base):
    """Wrong sign-ins in a row for one email address, whether or not it has an account:
    counting only accounts' failures would tell which addresses have one. Keyed by the
    address's SHA-256; a row lives only while it can still lock (``accounts.lockout``)."""

    __tablename__ = "login_failures"

    email_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer)
    last_failed_at: Mapped[datetime] = mapped_column(UtcDateTime(), index=True)
    locked_until: Mapped[datetime | None] = mapped_column(UtcDateTime())


class SignInStage(StrEnum):
    """How far a login session has come: only ``SIGNED_IN`` may do anything but finish."""

    SIGNED_IN = "signed_in"
    #: The password was right; the second factor's code is awaited.
    CODE = "code"
    #: The password was right, but the role needs a second factor and the user has none
    #: yet: setting one up is all this session may do.
    ENROL = "enrol"


class LoginSession(Base):
    """A signed-in browser (or one half-way through signing in, ``stage``). Only the
    token's SHA-256 is stored."""

    __tablename__ = "login_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    #: A ``SignInStage`` value.
    stage: Mapped[str] = mapped_column(
        String(16), default=SignInStage.SIGNED_IN, server_default=SignInStage.SIGNED_IN
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SecondFactor(Base):
    """A user's authenticator app (TOTP, RFC 6238). The shared secret is sealed under the
    instance's master key (``provenance.sealing``); until a first code confirms it the row
    is only an enrolment in progress."""

    __tablename__ = "second_factors"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: The base32 secret, sealed (the audit log leaves ``sealed_secret`` columns out).
    sealed_secret: Mapped[bytes] = mapped_column(LargeBinary)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: The last time step whose code was accepted: that code, and older ones, never again.
    last_used_step: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class RecoveryCode(Base):
    """A single-use code that stands in for the authenticator once. Only its SHA-256 is
    stored: it carries 80 random bits, so (as for API keys) a fast hash is enough."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class KnownDevice(Base):
    """An address and browser a user signed in from, so that a new one can be told to
    them. Kept as an HMAC under the master key: the table (and the audit log) hold no
    address or user agent."""

    __tablename__ = "known_devices"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    #: 128 bits of HMAC-SHA256 (short enough for the audit log's row id).
    device_hmac: Mapped[str] = mapped_column(String(32), primary_key=True)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Brought forward at most daily (``alerts``), so that not every sign-in writes.
    last_seen_at: Mapped[datetime] = mapped_column(UtcDateTime())


class Invitation(Base):
    """A single-use link to join an organization in a role. Only the token's SHA-256 is
    stored."""

    __tablename__ = "invitations"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    organization_id: Mapped[int] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(320))
    role: Mapped[str] = mapped_column(String(32))
    #: Who invited (a user id), or None for the command line.
    invited_by: Mapped[int | None] = mapped_column(Integer)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
