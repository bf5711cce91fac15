"""Records revoked by their issuer, as a checked file's answer states them.

A revoked record's registry entry stops matching, but the file it signed keeps its
credentials and its watermark. This service knows it revoked it, so it says so, with the
date and the issuer's reason, rather than calling the file trusted or its mark unknown.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accord.provenance.verification import Credential
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.records import record_for_manifest


@dataclass(frozen=True, slots=True)
class Revocation:
    record_id: str
    title: str
    #: The day it was revoked (``YYYY-MM-DD``, UTC).
    revoked_on: str
    reason: str

    def words(self) -> str:
        """ "revoked by its issuer on 2026-12-06: issued in error"."""
        return f"revoked by its issuer on {self.revoked_on}: {self.reason or 'no reason given'}"

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "title": self.title,
            "revoked_on": self.revoked_on,
            "reason": self.reason,
        }


def revocation_of(record: ProvenanceRecord | None) -> Revocation | None:
    """The record's revocation, or None when it is live (or there is no record)."""
    if record is None or record.revoked_at is None:
        return None
    return Revocation(
        record_id=record.id,
        title=record.title,
        revoked_on=f"{record.revoked_at:%Y-%m-%d}",
        reason=record.revocation_reason,
    )


def credentials_revocation(session: Session, credential: Credential | None) -> Revocation | None:
    """The revocation of the record these very credentials were signed for, if any."""
    if credential is None or not credential.manifest:
        return None
    return revocation_of(record_for_manifest(session, credential.manifest))
