"""Store media and its signals; look stored media up."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from accord.server.assets.models import Asset, AssetSignal
from accord.server.storage.store import BlobStore
from accord.signals.cryptographic import file_digest
from accord.signals.hashing import HashResult


def record_asset(session: Session, blobs: BlobStore, source: Path, result: HashResult) -> Asset:
    """Keep ``source``'s bytes and signals; an asset stored before is returned as it is."""
    digest = result.signal("sha256")
    sha256 = digest.value if digest is not None else file_digest(source, "sha256")
    existing = get_asset(session, sha256)
    if existing is not None:
        return existing
    blobs.put_file(source)
    asset = Asset(
        sha256=sha256,
        size=result.size,
        kind=str(result.format.kind),
        format=result.format.name,
        mime=result.format.mime,
        signals=[
            AssetSignal(
                signal_type=signal.type,
                value=signal.value,
                quality=signal.quality,
                reliable=signal.reliable,
            )
            for signal in result.signals
        ],
    )
    session.add(asset)
    session.flush()
    return asset


def get_asset(session: Session, sha256: str) -> Asset | None:
    query = select(Asset).where(Asset.sha256 == sha256).options(selectinload(Asset.signals))
    return session.scalars(query).one_or_none()
