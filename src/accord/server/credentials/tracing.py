"""Verify a file, and when its credentials are missing or broken, find its original.

Platforms strip Content Credentials and re-encode uploads. Every file signed here has its
signals in the ``REGISTRY`` bank, so a copy without valid credentials is looked up there:
"this looks like X, signed by Y on Z, but this copy carries no credentials".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.provenance.verification import CredentialState, Verification, verify_file
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.service import REGISTRY_BANK
from accord.server.issuers.models import Issuer
from accord.server.issuers.service import trust_anchors
from accord.server.matching.lookup import match_file
from accord.server.matching.service import MatchOptions
from accord.server.services import Services

#: States whose credentials stand on their own: no need to look for an original.
_INTACT = (CredentialState.TRUSTED, CredentialState.VALID)


@dataclass(frozen=True, slots=True)
class Original:
    """A file signed here that the checked file looks like."""

    record_id: str
    title: str
    issuer: str
    signed_at: str
    signal_type: str
    distance: float

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "title": self.title,
            "issuer": self.issuer,
            "signed_at": self.signed_at,
            "signal_type": self.signal_type,
            "distance": self.distance,
        }


@dataclass(frozen=True, slots=True)
class Traced:
    verification: Verification
    originals: tuple[Original, ...]

    @property
    def headline(self) -> str:
        if not self.originals:
            return self.verification.headline
        best = self.originals[0]
        copy = {
            CredentialState.NONE: "this copy carries no credentials",
            CredentialState.REMOTE: "this copy's credentials were not checked",
            CredentialState.INVALID: "this copy's credentials are broken",
        }.get(self.verification.state, "this copy differs")
        return (
            f"{self.verification.headline} It looks like “{best.title}”, signed by {best.issuer} "
            f"on {best.signed_at[:10]} (record {best.record_id}), but {copy}."
        )

    def to_json(self) -> dict[str, Any]:
        return {
            **self.verification.to_json(),
            "headline": self.headline,
            "originals": [original.to_json() for original in self.originals],
        }


def verify_and_trace(services: Services, session: Session, path: Path) -> Traced:
    """Verify the file's credentials; unless they are intact, look for its original."""
    settings = services.settings
    verification = verify_file(
        path, anchors=trust_anchors(services, session), limits=settings.media_limits
    )
    if verification.state in _INTACT:
        return Traced(verification, ())
    _, report = match_file(services, session, path, MatchOptions(banks=[REGISTRY_BANK]))
    references = {
        match.entry.case_reference: match for match in report.matches if match.entry.case_reference
    }
    if not references:
        return Traced(verification, ())
    rows = session.execute(
        select(ProvenanceRecord, Issuer.organization)
        .join(Issuer, ProvenanceRecord.issuer_id == Issuer.id)
        .where(ProvenanceRecord.id.in_(list(references)))
        .where(ProvenanceRecord.revoked_at.is_(None))
    )
    originals = [
        Original(
            record_id=record.id,
            title=record.title,
            issuer=organization,
            signed_at=record.created_at.isoformat(),
            signal_type=references[record.id].signal_type,
            distance=references[record.id].distance,
        )
        for record, organization in rows
    ]
    originals.sort(key=lambda original: original.distance)
    return Traced(verification, tuple(originals))
