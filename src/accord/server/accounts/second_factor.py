"""A user's second factor: an authenticator app (TOTP) and ten single-use recovery codes.

- Enrolment is two steps: ``begin_enrolment`` makes (or shows again) a secret, sealed
  under the master key; ``confirm_enrolment`` takes the app's first code and answers the
  recovery codes, shown once.
- ``check_code`` takes a six-digit code (the step before and after the current one too,
  never a step already used) or a recovery code (each once); callers count a refusal in
  the sign-in lockout, so codes cannot be guessed one after another.
- ``remove`` forgets the factor and its codes (turning it off, replacing it, an admin's
  reset). The audit log records each of these as the rows change.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from accord.errors import Conflict, WrongCode
from accord.provenance.sealing import seal_secret, unseal_secret
from accord.server.accounts import totp
from accord.server.accounts.models import RecoveryCode, SecondFactor, User

RECOVERY_CODES = 10
#: Characters of a recovery code: 16 of base32's 32 symbols, 80 random bits.
_RECOVERY_LENGTH = 16
_BASE32 = "abcdefghijklmnopqrstuvwxyz234567"
#: The name authenticator apps list the account under.
ISSUER = "accord"
_WRONG = "the code is wrong or was used already: enter the code your authenticator app shows now, or a recovery code"  # noqa: E501


@dataclass(frozen=True, slots=True)
class CodeUse:
    """A code that was accepted: the authenticator's, or a recovery code (then how many
    recovery codes are left)."""

    recovery: bool
    recovery_codes_left: int


@dataclass(frozen=True, slots=True)
class Enrolment:
    """What an enrolment page shows: the secret as text and as the app's URI."""

    secret: str
    uri: str


def confirmed(session: Session, user: User) -> SecondFactor | None:
    """The user's second factor, once a first code has confirmed it."""
    factor = session.get(SecondFactor, user.id)
    return factor if factor is not None and factor.confirmed_at is not None else None


def users_with_factor(session: Session) -> set[int]:
    """The ids of every user with a confirmed second factor."""
    query = select(SecondFactor.user_id).where(SecondFactor.confirmed_at.is_not(None))
    return set(session.scalars(query))


def begin_enrolment(session: Session, user: User, master_key: str) -> Enrolment:
    """A secret for the user's authenticator app: the one an unfinished enrolment made
    (so that reloading the page does not change the QR code), or a new one."""
    factor = session.get(SecondFactor, user.id)
    if factor is not None and factor.confirmed_at is not None:
        raise Conflict("a second factor is set up already: replace it on the security page")
    if factor is None:
        secret = totp.new_secret()
        session.add(SecondFactor(user_id=user.id, sealed_secret=_seal(secret, master_key)))
        session.flush()
    else:
        secret = _unseal(factor, master_key)
    return Enrolment(secret, totp.provisioning_uri(secret, account=user.email, issuer=ISSUER))


def confirm_enrolment(
    session: Session, user: User, code: str, master_key: str, *, now: datetime
) -> list[str]:
    """Confirm the enrolment with the app's first code; the recovery codes, shown once."""
    factor = session.get(SecondFactor, user.id)
    if factor is None or factor.confirmed_at is not None:
        raise Conflict("no enrolment is waiting for a code: start again on the security page")
    step = totp.matching_step(
        _unseal(factor, master_key), _digits(code), now.timestamp(), after=None
    )
    if step is None:
        msg = "the code does not match: check the phone's clock and enter the code shown now"
        raise WrongCode(msg)
    factor.confirmed_at, factor.last_used_step = now, step
    session.info["reason"] = "second factor set up"
    return new_recovery_codes(session, user)


def check_code(
    session: Session, user: User, code: str, master_key: str, *, now: datetime
) -> CodeUse:
    """Accept ``code`` for the user's confirmed factor, or raise ``WrongCode``."""
    factor = confirmed(session, user)
    if factor is None:
        raise WrongCode(_WRONG)
    digits = _digits(code)
    if len(digits) == totp.DIGITS and digits.isdigit():
        secret = _unseal(factor, master_key)
        step = totp.matching_step(secret, digits, now.timestamp(), after=factor.last_used_step)
        if step is None:
            raise WrongCode(_WRONG)
        factor.last_used_step = step
        return CodeUse(recovery=False, recovery_codes_left=recovery_codes_left(session, user))
    return _use_recovery_code(session, user, code, now)


def recovery_codes_left(session: Session, user: User) -> int:
    unused = select(func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
    )
    return int(session.scalar(unused) or 0)


def new_recovery_codes(session: Session, user: User) -> list[str]:
    """Ten new recovery codes (the old ones stop working), shown once."""
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, secret_sha256=_digest(code)))
    session.flush()
    return codes


def remove(session: Session, user: User, *, reason: str) -> None:
    """Forget the user's factor and recovery codes (an unfinished enrolment too)."""
    session.info["reason"] = reason
    factor = session.get(SecondFactor, user.id)
    if factor is not None:
        session.delete(factor)
    for code in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(code)
    session.flush()


def _use_recovery_code(session: Session, user: User, code: str, now: datetime) -> CodeUse:
    digest = _digest(code)
    unused = session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    ).all()
    # Compare every one in constant time: the timing tells nothing about which matched.
    matched = [row for row in unused if hmac.compare_digest(row.secret_sha256, digest)]
    if not matched:
        raise WrongCode(_WRONG)
    matched[0].used_at = now
    session.info["reason"] = "a recovery code was used"
    session.flush()
    return CodeUse(recovery=True, recovery_codes_left=len(unused) - 1)


def _new_recovery_code() -> str:
    raw = "".join(secrets.choice(_BASE32) for _ in range(_RECOVERY_LENGTH))
    return "-".join(raw[index : index + 4] for index in range(0, _RECOVERY_LENGTH, 4))


def _digest(code: str) -> str:
    """A recovery code's digest, whatever the case, spaces and dashes it is typed with."""
    return hashlib.sha256(_digits(code).lower().encode()).hexdigest()


def _digits(code: str) -> str:
    """A typed code without the spaces and dashes people add to read it."""
    return "".join(character for character in code if character not in " -\t")


def _seal(secret: str, master_key: str) -> bytes:
    return seal_secret(secret.encode(), master_key)


def _unseal(factor: SecondFactor, master_key: str) -> str:
    return unseal_secret(factor.sealed_secret, master_key).decode()
