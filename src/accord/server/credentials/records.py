"""Reading provenance records: by the watermark a picture carries, by its manifest, and
the live ones the Verify page may show a picture of."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.media.kinds import MediaKind
from accord.server.credentials.models import ProvenanceRecord

#: The authentic bank holding the signals of every file signed here.
REGISTRY_BANK = "REGISTRY"


def record_for_watermark(
    session: Session, payload: int, *, revoked: bool = False
) -> ProvenanceRecord | None:
    """The live record whose signed picture carries the watermark ``payload``; with
    ``revoked``, the revoked one instead."""
    query = select(ProvenanceRecord).where(ProvenanceRecord.watermark == f"{payload:016x}")
    if revoked:
        query = query.where(ProvenanceRecord.revoked_at.is_not(None))
    else:
        query = query.where(ProvenanceRecord.revoked_at.is_(None))
    return session.scalars(query.limit(1)).first()


def record_for_manifest(session: Session, label: str) -> ProvenanceRecord | None:
    """The record (live or revoked) whose signed file's active manifest is ``label``."""
    query = select(ProvenanceRecord).where(ProvenanceRecord.manifest_label == label)
    return session.scalars(query.limit(1)).first()


def live_record(session: Session, record_id: str) -> ProvenanceRecord | None:
    """The record, unless it is unknown or revoked."""
    record = session.get(ProvenanceRecord, record_id)
    if record is None or record.revoked_at is not None:
        return None
    return record


def live_pictures(session: Session, record_ids: Collection[str]) -> frozenset[str]:
    """Those of ``record_ids`` that are live pictures: only they carry a thumbnail."""
    if not record_ids:
        return frozenset()
    rows = session.scalars(
        select(ProvenanceRecord.id)
        .where(ProvenanceRecord.id.in_(list(record_ids)))
        .where(ProvenanceRecord.media_kind == MediaKind.IMAGE.value)
        .where(ProvenanceRecord.revoked_at.is_(None))
    )
    return frozenset(rows)
