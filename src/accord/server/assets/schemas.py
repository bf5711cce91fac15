"""API shapes for assets and hashing results."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from accord.server.assets.models import Asset


class SignalRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    value: str
    quality: int | None
    reliable: bool


class HashRead(BaseModel):
    """Every signal of one file, keyed by signal type name."""

    kind: str
    format: str
    mime: str
    size: int
    signals: dict[str, SignalRead]


class AssetRead(HashRead):
    sha256: str
    created_at: datetime


def to_asset_read(asset: Asset) -> AssetRead:
    return AssetRead(
        sha256=asset.sha256,
        kind=asset.kind,
        format=asset.format,
        mime=asset.mime,
        size=asset.size,
        created_at=asset.created_at,
        signals={signal.signal_type: SignalRead.model_validate(signal) for signal in asset.signals},
    )
