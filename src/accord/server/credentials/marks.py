"""What accord's watermark in a checked picture names, and whether its credentials agree.

Every picture signed here carries a mark naming its provenance record, and its manifest
declares that mark as a soft binding. Reading the mark on every picture, intact
credentials included, lets a reader see both halves side by side: the record the pixels
name, and the watermark the credentials declare. When they differ, the credentials and
the picture do not belong together.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from accord.provenance.verification import Credential
from accord.provenance.watermarking import WATERMARK_ALGORITHM
from accord.server.credentials.records import record_for_watermark
from accord.server.credentials.revocations import Revocation, revocation_of
from accord.server.issuers.service import organizations
from accord.signals.watermark import WatermarkReading


class Agreement(StrEnum):
    """How the mark read from the pixels relates to the file's credentials."""

    #: The credentials declare the very watermark the picture carries.
    AGREES = "agrees"
    #: The credentials declare none, but name the marked record's file as their original:
    #: an edit keeps its original's mark.
    ORIGINAL = "original"
    #: The credentials declare another watermark than the one in the picture.
    DIFFERS = "differs"
    #: The credentials neither declare the mark nor name its file.
    UNDECLARED = "undeclared"
    #: The credentials declare a watermark that was not found in the picture.
    MISSING = "missing"
    #: No credentials to compare with.
    NO_CREDENTIALS = "no_credentials"


@dataclass(frozen=True, slots=True)
class MarkedRecord:
    """The live record a mark names."""

    record_id: str
    title: str
    issuer: str
    signed_at: str
    manifest_label: str


@dataclass(frozen=True, slots=True)
class MarkFinding:
    reading: WatermarkReading | None
    record: MarkedRecord | None
    #: The payload the credentials declare (16 hex digits), if any.
    declared: str | None
    agreement: Agreement
    #: The record the mark names, when its issuer revoked it (``record`` is then None).
    revoked: Revocation | None = None

    @property
    def record_id(self) -> str | None:
        return self.record.record_id if self.record else None

    def summary(self) -> str:
        """The finding in plain words."""
        if self.reading is None:
            return (
                f"The Content Credentials declare an accord watermark ({self.declared}), but "
                "none was found in the picture: it may have been changed past reading."
            )
        if self.revoked is not None:
            named = (
                f"An invisible accord watermark names record {self.revoked.record_id} "
                f"(“{self.revoked.title}”), {self.revoked.words()}."
            )
        elif self.record is None:
            named = (
                f"An invisible accord watermark was found ({self.reading.payload_hex}), but "
                "it names no record on this service: it may come from another accord "
                "service."
            )
        else:
            record = self.record
            named = (
                f"An invisible accord watermark names record {record.record_id}: "
                f"“{record.title}”, signed by {record.issuer} on {record.signed_at[:10]}."
            )
        return f"{named}{_AGREEMENT_WORDS[self.agreement].format(declared=self.declared)}"

    def to_json(self) -> dict[str, Any]:
        reading, record = self.reading, self.record
        return {
            "found": reading is not None,
            "payload": reading.payload_hex if reading else None,
            "record_id": self.record_id,
            "record": None
            if record is None
            else {
                "title": record.title,
                "issuer": record.issuer,
                "signed_at": record.signed_at,
                "manifest": record.manifest_label,
            },
            "declared": self.declared,
            "agreement": str(self.agreement),
            "revoked": None if self.revoked is None else self.revoked.to_json(),
            "summary": self.summary(),
            "sync_score": round(reading.sync_score, 1) if reading else None,
            "scale": round(reading.scale, 3) if reading else None,
            "rotation_degrees": round(reading.rotation_degrees, 2) if reading else None,
        }


_AGREEMENT_WORDS = {
    Agreement.AGREES: " The Content Credentials declare the same watermark.",
    Agreement.ORIGINAL: (
        " The Content Credentials name that record's file as the original this one was made from."
    ),
    Agreement.DIFFERS: (
        " But the Content Credentials declare a different watermark ({declared}): the "
        "credentials and the picture do not belong together."
    ),
    Agreement.UNDECLARED: (
        " The Content Credentials do not mention it, nor name that record's file as an ingredient."
    ),
    Agreement.MISSING: "",
    Agreement.NO_CREDENTIALS: "",
}


def find_mark(
    session: Session, reading: WatermarkReading | None, credential: Credential | None
) -> MarkFinding | None:
    """The mark read from a picture, the record it names and how the credentials relate
    to it; None when there is neither a mark nor a declared one."""
    declared = declared_watermark(credential)
    if reading is None:
        return None if declared is None else MarkFinding(None, None, declared, Agreement.MISSING)
    record = _record(session, reading.payload)
    revoked = (
        None
        if record
        else revocation_of(record_for_watermark(session, reading.payload, revoked=True))
    )
    agreement = _agreement(reading, record, credential, declared)
    return MarkFinding(reading, record, declared, agreement, revoked)


def declared_watermark(credential: Credential | None) -> str | None:
    """The payload of the accord watermark the credentials bind to, as 16 hex digits."""
    for binding in credential.soft_bindings if credential else ():
        if binding.algorithm != WATERMARK_ALGORITHM:
            continue
        try:
            return base64.b64decode(binding.value, validate=True).hex()
        except (binascii.Error, ValueError):
            continue  # a malformed value declares nothing readable
    return None


def _agreement(
    reading: WatermarkReading,
    record: MarkedRecord | None,
    credential: Credential | None,
    declared: str | None,
) -> Agreement:
    if credential is None:
        return Agreement.NO_CREDENTIALS
    if declared is not None:
        return Agreement.AGREES if declared == reading.payload_hex else Agreement.DIFFERS
    ingredients = {item.manifest for item in credential.ingredients if item.manifest}
    if record is not None and record.manifest_label in ingredients:
        return Agreement.ORIGINAL
    return Agreement.UNDECLARED


def _record(session: Session, payload: int) -> MarkedRecord | None:
    record = record_for_watermark(session, payload)
    if record is None:
        return None
    organization = organizations(session, [record.issuer_id]).get(record.issuer_id)
    return MarkedRecord(
        record_id=record.id,
        title=record.title,
        issuer=organization if organization is not None else "an unknown issuer",
        signed_at=record.created_at.isoformat(),
        manifest_label=record.manifest_label,
    )
