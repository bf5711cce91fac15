"""API keys for machine clients; only a hash of each secret is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The public part of the key, shown in listings and used to find the row.
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Requests per minute; None means the instance default.
    rate_limit_per_minute: Mapped[int | None] = mapped_column(Integer)
    #: The platform a ``platform``-scoped key acts for (as its webhook names it); else None.
    platform: Mapped[str | None] = mapped_column(String(100))
    #: Owners (banks' ``owner``) whose TLP:AMBER collections this ``share`` key may read.
    partner_of: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
