"""Verify a file, and when its credentials are missing or broken, find its original.

Platforms strip Content Credentials and re-encode uploads. Every picture signed here
carries accord's watermark naming its record, and every signed file has its signals in
the ``REGISTRY`` bank (``GENERATED`` for files made by AI), so a copy without valid
credentials is traced by both: "this looks like X, signed by Y on Z, but this copy carries
no credentials", and for a generator's output, that Y's AI made it. A watermark whose
picture no longer matches its original's fingerprint says more: the copy was altered.
The watermark is read on intact files too, so the answer says what it names beside what
the credentials declare (``marks``).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import MediaError
from accord.media.file import open_media
from accord.provenance.verification import CredentialState, Verification, verify_file
from accord.provenance.watermarking import read_file_watermark
from accord.server.credentials.marks import Agreement, MarkFinding, find_mark
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.records import SIGNED_BANKS, is_generated
from accord.server.credentials.revocations import Revocation, credentials_revocation
from accord.server.issuers.service import organizations, trust_anchors
from accord.server.matching.service import Match, MatchOptions, match_file
from accord.server.runtime import Runtime

#: States whose credentials stand on their own: no need to look for an original.
_INTACT = (CredentialState.TRUSTED, CredentialState.VALID)
#: How an original found only by its watermark is listed.
WATERMARK = "watermark"
#: The state of intact credentials whose record its issuer revoked here.
REVOKED = "revoked"


@dataclass(frozen=True, slots=True)
class Original:
    """A file signed here that the checked file looks like."""

    record_id: str
    title: str
    issuer: str
    signed_at: str
    signal_type: str
    distance: float
    #: Its credentials declare it made by AI: ``issuer`` is the generator that made it.
    generated: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "record_id": self.record_id,
            "title": self.title,
            "issuer": self.issuer,
            "signed_at": self.signed_at,
            "signal_type": self.signal_type,
            "distance": self.distance,
            "generated": self.generated,
        }


@dataclass(frozen=True, slots=True)
class Traced:
    verification: Verification
    originals: tuple[Original, ...]
    #: accord's watermark read from the picture, the live record it names, and whether
    #: the credentials agree; None when there is no mark, found or declared.
    mark: MarkFinding | None = None
    #: The revocation of the record these credentials were signed for here, if revoked.
    revoked: Revocation | None = None

    @property
    def state(self) -> str:
        """The credentials' state, but ``revoked`` for intact credentials whose record was
        revoked here: the issuer withdrew them, so they must not read as trusted."""
        if self.revoked is not None and self.verification.state in _INTACT:
            return REVOKED
        return str(self.verification.state)

    @property
    def headline(self) -> str:
        if self.state == REVOKED and self.revoked is not None:
            return (
                f"These Content Credentials (record {self.revoked.record_id}, "
                f"“{self.revoked.title}”) were {self.revoked.words()}. The issuer no longer "
                "stands behind them: do not treat this file as trusted."
            )
        return self._traced_headline() + self._revoked_mark()

    def _revoked_mark(self) -> str:
        """A stripped copy still names its revoked record by its watermark: say so."""
        revoked = self.mark.revoked if self.mark is not None else None
        if revoked is None or self.revoked is not None:
            return ""
        return f" Its invisible watermark names record {revoked.record_id}, {revoked.words()}."

    def _traced_headline(self) -> str:
        if self.mark is not None and self.mark.agreement is Agreement.DIFFERS:
            return (
                f"{self.verification.headline} But its invisible accord watermark is not the "
                "one its credentials declare: they do not belong together."
            )
        if not self.originals:
            return self.verification.headline
        best = self.originals[0]
        signed = f"“{best.title}”, signed by {best.issuer} on {best.signed_at[:10]}"
        signed += f" (record {best.record_id})"
        made = (
            f" That file was made by AI: {best.issuer} signed it as its generator."
            if best.generated
            else ""
        )
        if best.signal_type == WATERMARK:
            return (
                f"{self.verification.headline} It carries the watermark of {signed}, but its "
                f"picture differs from that original's (cropped, framed or edited).{made}"
            )
        copy = {
            CredentialState.NONE: "this copy carries no credentials",
            CredentialState.REMOTE: "this copy's credentials were not checked",
            CredentialState.INVALID: "this copy's credentials are broken",
        }.get(self.verification.state, "this copy differs")
        return f"{self.verification.headline} It looks like {signed}, but {copy}.{made}"

    def to_json(self) -> dict[str, Any]:
        return {
            **self.verification.to_json(),
            "state": self.state,
            "headline": self.headline,
            "revoked": None if self.revoked is None else self.revoked.to_json(),
            "originals": [original.to_json() for original in self.originals],
            "watermark": None if self.mark is None else self.mark.to_json(),
        }


def verify_and_trace(runtime: Runtime, session: Session, path: Path) -> Traced:
    """Verify the file's credentials and read its watermark; unless the credentials are
    intact, look for its original too. Decoding is admitted as a lookup's is, in the
    lane of the file's kind (``Runtime.decoding``)."""
    settings = runtime.settings
    verification = verify_file(
        path,
        anchors=trust_anchors(session, runtime.trust_anchors),
        limits=settings.media_limits,
    )
    intact = verification.state in _INTACT
    revoked = credentials_revocation(session, verification.credential)
    try:
        media = open_media(path, settings.media_limits)
        with runtime.decoding(media):
            reading = read_file_watermark(media)
            options = MatchOptions(banks=SIGNED_BANKS)
            matches = [] if intact else match_file(runtime, session, path, options)[1].matches
    except MediaError:
        if verification.state is CredentialState.NONE:
            raise  # nothing was learnt: the file is simply unreadable
        # c2pa read credentials, but accord cannot decode the media to trace it: what
        # the credentials say still stands.
        return Traced(verification, (), None, revoked)
    mark = find_mark(session, reading, verification.credential)
    originals = () if intact else _originals(session, matches, mark)
    return Traced(verification, originals, mark, revoked)


def _originals(
    session: Session, matches: list[Match], mark: MarkFinding | None
) -> tuple[Original, ...]:
    """Records whose registry entry matched, nearest first; then the watermark's record,
    unless its fingerprint matched too."""
    references = {
        match.entry.case_reference: match for match in matches if match.entry.case_reference
    }
    marked = mark.record_id if mark else None
    wanted = [*references, *([marked] if marked else [])]
    if not wanted:
        return ()
    records = list(
        session.scalars(
            select(ProvenanceRecord)
            .where(ProvenanceRecord.id.in_(wanted))
            .where(ProvenanceRecord.revoked_at.is_(None))
        )
    )
    issuers = organizations(session, {record.issuer_id for record in records})
    rows = [
        (record, issuers[record.issuer_id]) for record in records if record.issuer_id in issuers
    ]
    originals = [
        Original(
            record_id=record.id,
            title=record.title,
            issuer=organization,
            signed_at=record.created_at.isoformat(),
            signal_type=references[record.id].signal_type if record.id in references else WATERMARK,
            distance=references[record.id].distance if record.id in references else 0.0,
            generated=is_generated(record.source_type),
        )
        for record, organization in rows
    ]
    # Fingerprint matches first: a watermark alone means the picture changed.
    originals.sort(key=lambda original: (original.signal_type == WATERMARK, original.distance))
    return tuple(originals)
