"""Cases: one piece of content, however many notices name it and wherever it was posted."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class CaseStatus(StrEnum):
    OPEN = "open"
    DECIDED = "decided"


CASE_STATUS_LABELS: dict[str, str] = {CaseStatus.OPEN: "Open", CaseStatus.DECIDED: "Decided"}


class Case(Base):
    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Shown to people, e.g. ``C-7F3K9Q``.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.OPEN, index=True)
    #: Higher first; see ``cases.queue.priority``.
    priority: Mapped[int] = mapped_column(Integer, default=0)
    #: Why the priority is what it is, for the reviewer.
    priority_reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Set when the first reminder that the deadline passed went out.
    breach_warned_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    assignee_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    person_id: Mapped[str | None] = mapped_column(
        ForeignKey("protected_persons.id", ondelete="SET NULL"), index=True
    )
    #: The file the notices sent (SHA-256 in the blob store), if any did.
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    #: image, video, audio, or "" when only a location was given.
    media_kind: Mapped[str] = mapped_column(String(16), default="")
    #: The first triage's assessment (band, summary, findings) and bank matches.
    assessment: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    band: Mapped[str] = mapped_column(String(32), default="")
    #: The entry in the internal bank that groups later notices about the same content.
    watch_entry_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class CaseItem(Base):
    """One place the content was posted: a URL and/or a platform's content id."""

    __tablename__ = "case_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(100), default="")
    platform_content_id: Mapped[str] = mapped_column(String(500), default="")
    #: The account that posted it on the platform, when a notifier knows it.
    uploader: Mapped[str] = mapped_column(String(500), default="")
    #: Views or shares a notifier reported, the largest seen.
    reach: Mapped[int] = mapped_column(Integer, default=0)
    first_seen_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    note: Mapped[str] = mapped_column(Text, default="")
