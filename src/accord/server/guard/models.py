"""The generation gate's records: each decision, the bans blocked prompts led to, appeals
against bans, and daily tallies of decisions past their retention."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class DecisionKind(StrEnum):
    PROMPT = "prompt"
    OUTPUT = "output"


class GuardDecision(Base):
    """One screening, kept ``guard_retention_days``: never the prompt itself, only its
    SHA-256 and a redacted excerpt."""

    __tablename__ = "guard_decisions"
    __table_args__ = (Index("ix_guard_decisions_user_created", "user", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    #: The generation service's user, as the service names them.
    user: Mapped[str] = mapped_column(String(200))
    #: The API key (the generation service) that asked; "cli" from the command line.
    client: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default=DecisionKind.PROMPT.value)
    tool: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="")
    verdict: Mapped[str] = mapped_column(String(16))
    #: The strongest reason's category; "" for an allowed prompt.
    category: Mapped[str] = mapped_column(String(40), default="")
    #: [{category, explanation, evidence, verdict, source}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    prompt_sha256: Mapped[str] = mapped_column(String(64))
    excerpt: Mapped[str] = mapped_column(String(300), default="")


class GuardBan(Base):
    """A user banned for ``guard_ban_after`` blocked prompts within the window."""

    __tablename__ = "guard_bans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user: Mapped[str] = mapped_column(String(200), index=True)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    until: Mapped[datetime] = mapped_column(UtcDateTime())
    #: How many blocked prompts within the window led to it.
    strikes: Mapped[int] = mapped_column(Integer)
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Who lifted it: an admin's e-mail, or "cli".
    lifted_by: Mapped[str] = mapped_column(String(320), default="")
    lift_reason: Mapped[str] = mapped_column(Text, default="")


class AppealStatus(StrEnum):
    PENDING = "pending"
    #: The ban was lifted.
    GRANTED = "granted"
    #: The ban stands.
    REJECTED = "rejected"


class GuardAppeal(Base):
    """A banned user's appeal, forwarded by the generation service."""

    __tablename__ = "guard_appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ban_id: Mapped[int] = mapped_column(ForeignKey("guard_bans.id", ondelete="CASCADE"), index=True)
    statement: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.PENDING.value)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    decided_by: Mapped[str] = mapped_column(String(320), default="")
    decision_reason: Mapped[str] = mapped_column(Text, default="")


class GuardTally(Base):
    """Decisions past their retention, counted per day before they are deleted, so the
    transparency figures of any period stay whole."""

    __tablename__ = "guard_tallies"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    verdict: Mapped[str] = mapped_column(String(16), primary_key=True)
    category: Mapped[str] = mapped_column(String(40), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
