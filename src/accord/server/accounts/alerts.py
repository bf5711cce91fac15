"""Security alerts by email: a sign-in from an address or browser not seen before for the
user, and every change to their second factor.

The emails go through the mail outbox in the transaction of what they announce, so a
crash loses none (and none is sent for a change that was rolled back). Devices are
remembered as an HMAC of address and user agent under the master key
(``KnownDevice``), the newest ``DEVICES_KEPT`` per user.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from starlette.requests import Request

from accord.server.accounts.models import KnownDevice, User
from accord.server.mail.service import queue_mail
from accord.server.settings import Settings

DEVICES_KEPT = 20
#: A known device's ``last_seen_at`` moves at most this often.
_SEEN_RESOLUTION = timedelta(days=1)
_MAX_USER_AGENT = 300
_REACT = (
    "If this was not you, sign in at once, replace your authenticator and change your "
    "password on the security page ({security}), and tell your administrator: they can "
    "sign the account out everywhere."
)


@dataclass(frozen=True, slots=True)
class Device:
    """Where a request came from, as far as the server can tell."""

    address: str
    user_agent: str

    @classmethod
    def of(cls, request: Request) -> Device:
        address = request.client.host if request.client else "unknown"
        agent = request.headers.get("user-agent", "")[:_MAX_USER_AGENT]
        return cls(address, agent or "unknown")


@dataclass(frozen=True, slots=True)
class Sender:
    """The alerts of one request: the instance's settings (mail, master key) and the
    device the request came from."""

    settings: Settings
    device: Device

    @classmethod
    def of(cls, request: Request, settings: Settings) -> Sender:
        return cls(settings, Device.of(request))

    @property
    def master_key(self) -> str:
        return self.settings.master_key.get_secret_value()

    def signed_in(self, session: Session, user: User, *, now: datetime) -> bool:
        return note_sign_in(session, self.settings, user, self.device, now=now)

    def factor_changed(self, session: Session, user: User, what: str, *, now: datetime) -> None:
        factor_changed(session, self.settings, user, what, now=now, device=self.device)


def note_sign_in(
    session: Session, settings: Settings, user: User, device: Device, *, now: datetime
) -> bool:
    """Remember ``device`` for ``user``; mail them if it is new. Whether it was."""
    key = _device_hmac(settings, device)
    known = session.get(KnownDevice, (user.id, key))
    if known is not None:
        if now - known.last_seen_at > _SEEN_RESOLUTION:
            known.last_seen_at = now
        return False
    session.add(KnownDevice(user_id=user.id, device_hmac=key, first_seen_at=now, last_seen_at=now))
    session.flush()
    _forget_oldest(session, user)
    _mail(
        session, settings, user, "New sign-in to your accord account",
        f"Your account {user.email} was signed in to from a device or address it was not "
        f"used from before.\n\nWhen: {_when(now)}\nAddress: {device.address}\n"
        f"Browser: {device.user_agent}\n\nIf this was you, there is nothing to do. "
        + _REACT.format(security=_security_page(settings)),
    )  # fmt: skip
    return True


def factor_changed(
    session: Session,
    settings: Settings,
    user: User,
    what: str,
    *,
    now: datetime,
    device: Device | None = None,
) -> None:
    """Mail ``user`` that their second factor changed: ``what`` says how, in words."""
    where = f"\nAddress: {device.address}\nBrowser: {device.user_agent}" if device else ""
    _mail(
        session, settings, user, f"Your accord account's second factor: {what}",
        f"On your account {user.email}: {what}.\n\nWhen: {_when(now)}{where}\n\n"
        f"If this was you, there is nothing to do. " + _REACT.format(
            security=_security_page(settings)
        ),
    )  # fmt: skip


def _mail(session: Session, settings: Settings, user: User, subject: str, body: str) -> None:
    queue_mail(session, settings, user.email, subject, body)


def _forget_oldest(session: Session, user: User) -> None:
    kept = (
        select(KnownDevice.device_hmac)
        .where(KnownDevice.user_id == user.id)
        .order_by(KnownDevice.last_seen_at.desc(), KnownDevice.device_hmac)
        .limit(DEVICES_KEPT)
    )
    session.execute(
        delete(KnownDevice).where(
            KnownDevice.user_id == user.id, KnownDevice.device_hmac.not_in(kept.scalar_subquery())
        )
    )


def _device_hmac(settings: Settings, device: Device) -> str:
    key = hashlib.sha256(b"accord known device\n" + settings.master_key.get_secret_value().encode())
    message = f"{device.address}\n{device.user_agent}".encode()
    return hmac.new(key.digest(), message, hashlib.sha256).hexdigest()[:32]


def _when(now: datetime) -> str:
    return now.strftime("%Y-%m-%d %H:%M:%S UTC")


def _security_page(settings: Settings) -> str:
    return f"{(settings.public_url or '').rstrip('/')}/account/security"
