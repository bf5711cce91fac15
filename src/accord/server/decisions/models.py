"""Decisions on cases, and what each did to every copy (the strikes they gave live in
``measures``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class Action(StrEnum):
    REMOVE = "remove"
    DISABLE = "disable"
    LABEL_AI_GENERATED = "label_ai_generated"
    LABEL_ALTERED = "label_altered"
    DEMOTE = "demote"
    NO_ACTION = "no_action"

    @property
    def restrictive(self) -> bool:
        """Restrictions need a statement of reasons (DSA Art. 17); no action does not."""
        return self is not Action.NO_ACTION


#: The actions in words, as a reviewer chooses them.
ACTION_LABELS: dict[str, str] = {
    Action.REMOVE: "Remove",
    Action.DISABLE: "Disable access",
    Action.LABEL_AI_GENERATED: "Label “AI-generated”",
    Action.LABEL_ALTERED: "Label “altered”",
    Action.DEMOTE: "Demote (show less)",
    Action.NO_ACTION: "No action",
}
#: The actions in words, as what was done to the content.
ACTION_OUTCOMES: dict[str, str] = {
    Action.REMOVE: "Removed",
    Action.DISABLE: "Access disabled",
    Action.LABEL_AI_GENERATED: "Labelled as AI-generated",
    Action.LABEL_ALTERED: "Labelled as altered",
    Action.DEMOTE: "Shown less",
    Action.NO_ACTION: "No action taken",
}
#: What reversing each action did, in words.
REVERSAL_EFFECTS: dict[str, str] = {
    Action.REMOVE: "the content is restored",
    Action.DISABLE: "access to the content is restored",
    Action.LABEL_AI_GENERATED: "the label is removed",
    Action.LABEL_ALTERED: "the label is removed",
    Action.DEMOTE: "the content is shown as before",
    Action.NO_ACTION: "the case is reviewed again",
}


class Ground(StrEnum):
    #: Against the law (the ground names it).
    ILLEGAL = "illegal"
    #: Against the terms of service (the ground names the clause).
    INCOMPATIBLE = "incompatible"


GROUND_LABELS: dict[str, str] = {
    Ground.ILLEGAL: "Illegal",
    Ground.INCOMPATIBLE: "Against the terms of service",
}


class Decision(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    #: The reviewer; None when applied automatically to a newly found copy.
    reviewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[str] = mapped_column(String(32))
    ground: Mapped[str] = mapped_column(String(16), default=Ground.INCOMPATIBLE)
    #: The law or terms clause relied on, and a link to it.
    ground_text: Mapped[str] = mapped_column(String(500), default="")
    ground_url: Mapped[str] = mapped_column(String(500), default="")
    explanation: Mapped[str] = mapped_column(Text)
    #: TDB category and keywords, content types and territories for the statements.
    category: Mapped[str] = mapped_column(String(100), default="")
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_types: Mapped[list[str]] = mapped_column(JSON, default=list)
    territories: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Whether detection / the decision itself used automated means (Art. 17(3)(c)).
    automated_detection: Mapped[bool] = mapped_column(Boolean, default=False)
    automated_decision: Mapped[str] = mapped_column(String(40), default="")
    #: The reviewer found the notices manifestly unfounded (Art. 23(2)): notifiers get a strike.
    notices_unfounded: Mapped[bool] = mapped_column(Boolean, default=False)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    #: Set when an appeal reversed it.
    reversed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: The deceptive bank entry the decision made, disabled again if it is reversed.
    bank_entry_id: Mapped[int | None] = mapped_column(Integer)


class ItemAction(Base):
    """A decision applied to one copy: what the platform was told, and the statement of
    reasons (TDB JSON) for it."""

    __tablename__ = "item_actions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("case_items.id", ondelete="CASCADE"), index=True
    )
    #: The statement's platform unique id, and the statement itself (None for no action).
    puid: Mapped[str | None] = mapped_column(String(500), unique=True)
    #: JSONB on PostgreSQL: reports read a few keys of a million statements, and ``json``
    #: would be parsed again for every key read.
    statement: Mapped[dict[str, Any] | None] = mapped_column(
        JSON().with_variant(JSONB(), "postgresql")
    )
    #: SHA-256 of the token the platform passes to the uploader, to appeal.
    appeal_token_sha256: Mapped[str | None] = mapped_column(String(64), unique=True)
    #: The token itself, sealed under the master key: the platform (with its API key) and
    #: reviewers can fetch it again when the webhook did not bring it to the uploader.
    appeal_token_sealed: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
