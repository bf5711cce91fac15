"""Statements of reasons queued for the DSA Transparency Database, and what it answered."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    #: Stored by the TDB: ``uuid`` and ``published_at`` are its answer.
    SUBMITTED = "submitted"
    #: The TDB refused it (422): ``last_error`` says why; it is not sent again.
    REFUSED = "refused"


class Submission(Base):
    __tablename__ = "tdb_submissions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_action_id: Mapped[int] = mapped_column(
        ForeignKey("item_actions.id", ondelete="CASCADE"), unique=True
    )
    puid: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=SubmissionStatus.PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    last_error: Mapped[str] = mapped_column(Text, default="")
    uuid: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
