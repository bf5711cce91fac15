"""What became of the objects a partner posted to a collection (TAXII's status resource)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class TaxiiStatus(Base):
    """One ``POST …/objects/``: every object is settled before the answer, so a status is
    always ``complete``; only the key that posted may read it."""

    __tablename__ = "taxii_statuses"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    #: The name of the ``share`` key that posted.
    posted_by: Mapped[str] = mapped_column(String(100))
    total_count: Mapped[int] = mapped_column(Integer)
    #: ``[{"id", "version"}]`` of the objects kept, ``[{"id", "version", "message"}]`` of
    #: those refused.
    successes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
