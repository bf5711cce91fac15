"""The generation gate's records: each decision, the bans blocked prompts led to, appeals
against bans, and daily tallies of decisions past their retention."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now

#: ``GuardDecision.user`` of an operator's trial: screened for no one.
TRIAL_USER = ""


class DecisionKind(StrEnum):
    PROMPT = "prompt"
    OUTPUT = "output"


class GuardDecision(Base):
    """One screening, kept ``guard_retention_days``: never the prompt itself, only its
    SHA-256 and a redacted excerpt."""

    __tablename__ = "guard_decisions"
    __table_args__ = (
        Index("ix_guard_decisions_client_user_created", "client", "user", "created_at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    #: The generation service's user, as the service names them; "" for an operator's
    #: trial on the command line (no strikes, left out of the figures).
    user: Mapped[str] = mapped_column(String(200))
    #: The API key (the generation service) that asked; "cli" from the command line.
    client: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[str] = mapped_column(String(16), default=DecisionKind.PROMPT.value)
    tool: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(8), default="")
    verdict: Mapped[str] = mapped_column(String(16))
    #: The strongest reason's category; "" for an allowed prompt.
    category: Mapped[str] = mapped_column(String(40), default="")
    #: A blocked decision's categories with a block reason, sorted, comma-separated
    #: ("" when not blocked): what the figures count a block once per category by.
    blocked_for: Mapped[str] = mapped_column(String(200), default="")
    #: [{category, explanation, evidence, verdict, source}]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    prompt_sha256: Mapped[str] = mapped_column(String(64))
    excerpt: Mapped[str] = mapped_column(String(300), default="")


class GuardBan(Base):
    """A user banned for ``guard_ban_after`` blocked prompts within the window. Kept
    without retention, as are appeals: they are the record of the measures taken."""

    __tablename__ = "guard_bans"
    __table_args__ = (Index("ix_guard_bans_client_user", "client", "user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: The generation service (its API key's name) whose user this is: two services'
    #: users of one name are two people.
    client: Mapped[str] = mapped_column(String(200))
    user: Mapped[str] = mapped_column(String(200))
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
    #: ``GuardDecision.blocked_for`` of the decisions counted.
    blocked_for: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
