"""Issue, check and revoke API keys.

A key reads ``acc_<prefix>_<secret>``: the prefix finds the row and is safe to show; only
the SHA-256 of the whole key is stored. Keys carry ~190 random bits, so a fast hash is
the right tool here (as for GitHub's tokens); a slow password hash would only add latency.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, NotFound
from accord.server.auth.models import ApiKey
from accord.server.db.base import utc_now

_KEY_PREFIX = "acc"


class Scope(StrEnum):
    HASH = "hash"
    MATCH = "match"
    CURATE = "curate"
    #: Send notices as a partner organisation.
    NOTIFY = "notify"
    #: The key's notices come from a trusted flagger (DSA Art. 22): set only for an
    #: organisation a Digital Services Coordinator awarded that status.
    TRUSTED_FLAGGER = "trusted_flagger"
    #: Act for a platform (the key's ``platform``): fetch the appeal codes of its
    #: restricted content.
    PLATFORM = "platform"
    #: Read shared banks' TAXII collections (TLP:AMBER ones only as a partner of their
    #: owner, ``ApiKey.partner_of``) and post opinions and sightings to them.
    SHARE = "share"
    #: A generation service: screen prompts and stamp what it made (``/v1/guard``).
    GUARD = "guard"
    #: Scrape ``/metrics`` (Prometheus) from another machine.
    METRICS = "metrics"


def parse_scopes(names: Iterable[str]) -> list[str]:
    scopes: list[str] = []
    for raw in names:
        name = raw.strip().lower()
        if not name:
            continue
        try:
            scopes.append(Scope(name).value)
        except ValueError:
            known = ", ".join(scope.value for scope in Scope)
            raise BadRequest(f"unknown scope {name!r}; known: {known}") from None
    if not scopes:
        raise BadRequest("an API key needs at least one scope")
    return sorted(set(scopes))


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session,
    name: str,
    scopes: Iterable[str],
    rate_limit_per_minute: int | None = None,
    *,
    platform: str | None = None,
    partner_of: Iterable[str] = (),
) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is shown once and never stored.

    ``partner_of``: for a ``share`` key, the owners (banks' ``owner``) whose TLP:AMBER
    collections it may read as their partner.
    """
    if session.scalars(select(ApiKey).where(ApiKey.name == name)).first() is not None:
        raise Conflict(f"an API key named {name!r} already exists")
    if rate_limit_per_minute is not None and rate_limit_per_minute < 1:
        raise BadRequest("a rate limit must be at least 1 request per minute")
    chosen = parse_scopes(scopes)
    platform = _key_platform(chosen, platform)
    partners = _key_partners(chosen, partner_of)
    prefix = secrets.token_hex(6)
    key = f"{_KEY_PREFIX}_{prefix}_{secrets.token_urlsafe(24)}"
    row = ApiKey(
        name=name,
        prefix=prefix,
        secret_sha256=_digest(key),
        scopes=chosen,
        rate_limit_per_minute=rate_limit_per_minute,
        platform=platform,
        partner_of=partners,
    )
    session.add(row)
    session.flush()
    return row, key


def _key_platform(scopes: list[str], platform: str | None) -> str | None:
    """The platform a key acts for, named the way webhooks name it; only for that scope."""
    named = (platform or "").strip().lower()
    if Scope.PLATFORM.value in scopes and not named:
        raise BadRequest("a key with the 'platform' scope must name its platform")
    if named and Scope.PLATFORM.value not in scopes:
        raise BadRequest("only a key with the 'platform' scope acts for a platform")
    return named or None


#: The longest owner name a bank holds (``Bank.owner``).
_MAX_OWNER = 200


def _key_partners(scopes: list[str], owners: Iterable[str]) -> list[str]:
    """The owners a ``share`` key is a partner of, as banks name them; only for that scope."""
    named: list[str] = []
    for owner in owners:
        text = owner.strip()
        if not text or len(text) > _MAX_OWNER:
            msg = f"a partner's owner name must be 1 to {_MAX_OWNER} characters, not {owner!r}"
            raise BadRequest(msg)
        if text not in named:
            named.append(text)
    if named and Scope.SHARE.value not in scopes:
        raise BadRequest("only a key with the 'share' scope is a partner of an owner")
    return named


def partner_of(session: Session, key_name: str) -> frozenset[str]:
    """The owners whose TLP:AMBER collections the key named ``key_name`` may read (read
    on each request, so a change applies at once)."""
    owners = session.scalar(select(ApiKey.partner_of).where(ApiKey.name == key_name))
    return frozenset(owners or ())


def find_key(session: Session, presented: str) -> ApiKey | None:
    """The live key row for a presented key, or None; compares digests in constant time."""
    parts = presented.split("_", 2)
    if len(parts) != 3 or parts[0] != _KEY_PREFIX:  # noqa: PLR2004 - acc, prefix, secret
        return None
    row = session.scalars(select(ApiKey).where(ApiKey.prefix == parts[1])).first()
    if row is None or row.revoked_at is not None:
        return None
    return row if hmac.compare_digest(row.secret_sha256, _digest(presented)) else None


def list_keys(session: Session) -> list[ApiKey]:
    return list(session.scalars(select(ApiKey).order_by(ApiKey.name)))


def revoke_key(session: Session, name: str) -> ApiKey:
    row = session.scalars(select(ApiKey).where(ApiKey.name == name)).first()
    if row is None:
        raise NotFound(f"no API key named {name!r}")
    row.revoked_at = row.revoked_at or utc_now()
    session.flush()
    return row
