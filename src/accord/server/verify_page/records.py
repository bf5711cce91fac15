"""The provenance records the page shows pictures of: live ones only."""

from __future__ import annotations

from collections.abc import Collection

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.media.kinds import MediaKind
from accord.server.credentials.models import ProvenanceRecord


def live_record(session: Session, record_id: str) -> ProvenanceRecord | None:
    """The record, unless it is unknown or revoked."""
    record = session.get(ProvenanceRecord, record_id)
    if record is None or record.revoked_at is not None:
        return None
    return record


def pictured(session: Session, record_ids: Collection[str]) -> frozenset[str]:
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
