"""Statements of reasons queued for the DSA Transparency Database, and what it answered."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accord.server.db.base import Base, UtcDateTime, utc_now
from accord.server.decisions.models import ItemAction
from accord.server.outbox.models import Queued


class SubmissionStatus(StrEnum):
    PENDING = "pending"
    #: Stored by the TDB: ``uuid`` and ``published_at`` are its answer.
    SUBMITTED = "submitted"
    #: The TDB refused it (422): ``last_error`` says why; it is not sent again.
    REFUSED = "refused"


class Submission(Queued, Base):
    """A statement on its way to the TDB; its id, status (a ``SubmissionStatus``), attempts,
    next attempt and last error are the outbox engine's (``Queued``)."""

    __tablename__ = "tdb_submissions"

    item_action_id: Mapped[int] = mapped_column(
        ForeignKey("item_actions.id", ondelete="CASCADE"), unique=True
    )
    #: The copy's action, whose statement of reasons is what is sent.
    item_action: Mapped[ItemAction] = relationship(lazy="raise")
    puid: Mapped[str] = mapped_column(String(500))
    uuid: Mapped[str | None] = mapped_column(String(64))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
