"""Assets: stored media, content-addressed by SHA-256, with their computed signals."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accord.server.db.base import Base, UtcDateTime, utc_now


class Asset(Base):
    __tablename__ = "assets"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[str] = mapped_column(String(16))
    format: Mapped[str] = mapped_column(String(32))
    mime: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    signals: Mapped[list[AssetSignal]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", order_by="AssetSignal.id"
    )


class AssetSignal(Base):
    __tablename__ = "asset_signals"
    __table_args__ = (UniqueConstraint("asset_sha256", "signal_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    asset_sha256: Mapped[str] = mapped_column(
        ForeignKey("assets.sha256", ondelete="CASCADE"), index=True
    )
    signal_type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    quality: Mapped[int | None] = mapped_column(Integer)
    reliable: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    asset: Mapped[Asset] = relationship(back_populates="signals")
