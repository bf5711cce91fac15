"""Imports every ORM model, so metadata is complete for Alembic and tests."""

from __future__ import annotations

from accord.server.assets.models import Asset, AssetSignal
from accord.server.db.base import Base

__all__ = ["Asset", "AssetSignal", "Base"]
