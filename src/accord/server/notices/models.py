"""Notices (DSA Art. 16): who reported what, and what they were told."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now
from accord.server.statements.schemas import Category


class NoticeReason(StrEnum):
    #: A protected person, or someone they authorised: "this is a deepfake of me".
    DEEPFAKE_OF_ME = "deepfake_of_me"
    #: Deceptive AI-made or AI-altered content about an election.
    DECEPTIVE_AI_CONTENT = "deceptive_ai_content"
    #: False information about when, where or how to vote.
    VOTING_MISINFORMATION = "voting_misinformation"


#: The reasons in words, as the report form offers them.
REASON_LABELS: dict[str, str] = {
    NoticeReason.DEEPFAKE_OF_ME: "It is a deepfake of me, or of the person I represent",
    NoticeReason.DECEPTIVE_AI_CONTENT: (
        "It is AI-made or AI-altered content that deceives people about an election"
    ),
    NoticeReason.VOTING_MISINFORMATION: (
        "It gives false information about when, where or how to vote"
    ),
}
#: The reasons in a few words, for lists and case pages.
REASON_SHORT: dict[str, str] = {
    NoticeReason.DEEPFAKE_OF_ME: "Deepfake of the notifier",
    NoticeReason.DECEPTIVE_AI_CONTENT: "Deceptive AI content",
    NoticeReason.VOTING_MISINFORMATION: "False voting information",
}

#: The DSA category each reason alleges, as the transparency report counts notices: every
#: reason accord takes is about elections.
REASON_CATEGORY: dict[str, Category] = {
    NoticeReason.DEEPFAKE_OF_ME: Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS,
    NoticeReason.DECEPTIVE_AI_CONTENT: Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS,
    NoticeReason.VOTING_MISINFORMATION: Category.NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS,
}


class NotifierKind(StrEnum):
    PROTECTED_PERSON = "protected_person"
    #: Awarded by a Digital Services Coordinator (Art. 22); an API key says so.
    TRUSTED_FLAGGER = "trusted_flagger"
    PARTNER = "partner"
    PUBLIC = "public"


NOTIFIER_KIND_LABELS: dict[str, str] = {
    NotifierKind.PROTECTED_PERSON: "protected person",
    NotifierKind.TRUSTED_FLAGGER: "trusted flagger",
    NotifierKind.PARTNER: "partner",
    NotifierKind.PUBLIC: "member of the public",
}


class NoticeStatus(StrEnum):
    #: Acknowledged; triage has not run yet.
    RECEIVED = "received"
    IN_REVIEW = "in_review"
    DECIDED = "decided"
    #: Not processed: the notifier's notices are suspended (Art. 23(2)).
    NOT_PROCESSED = "not_processed"


NOTICE_STATUS_LABELS: dict[str, str] = {
    NoticeStatus.RECEIVED: "Received",
    NoticeStatus.IN_REVIEW: "Being reviewed",
    NoticeStatus.DECIDED: "Decided",
    NoticeStatus.NOT_PROCESSED: "Not processed",
}


class Notice(Base):
    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Given to the notifier, e.g. ``N-2026-4K7Q9M2X``.
    tracking_number: Mapped[str] = mapped_column(String(24), unique=True)
    #: SHA-256 of the token that lets a notifier without an account follow the notice.
    status_token_sha256: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default=NoticeStatus.RECEIVED, index=True)
    reason: Mapped[str] = mapped_column(String(32))
    notifier_kind: Mapped[str] = mapped_column(String(20))
    notifier_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    #: The API key a partner or trusted flagger sent it with.
    notifier_key: Mapped[str] = mapped_column(String(100), default="")
    notifier_name: Mapped[str] = mapped_column(String(200), default="")
    notifier_email: Mapped[str] = mapped_column(String(320), default="")
    person_id: Mapped[str | None] = mapped_column(
        ForeignKey("protected_persons.id", ondelete="SET NULL"), index=True
    )
    explanation: Mapped[str] = mapped_column(Text)
    good_faith: Mapped[bool] = mapped_column(Boolean)
    #: The post's own text or caption, as the notifier or platform sent it: screened with
    #: the file for false claims about voting.
    text: Mapped[str] = mapped_column(Text, default="")
    url: Mapped[str] = mapped_column(Text, default="")
    platform: Mapped[str] = mapped_column(String(100), default="")
    platform_content_id: Mapped[str] = mapped_column(String(500), default="")
    uploader: Mapped[str] = mapped_column(String(500), default="")
    reach: Mapped[int] = mapped_column(Integer, default=0)
    #: The file sent with the notice, kept in the blob store.
    media_sha256: Mapped[str | None] = mapped_column(String(64))
    media_name: Mapped[str] = mapped_column(String(300), default="")
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )
    item_id: Mapped[int | None] = mapped_column(ForeignKey("case_items.id", ondelete="SET NULL"))
    triaged_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: A triager working on it until then; after, another may take it over.
    triage_lease_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Why triage could not assess the file, if it could not.
    triage_error: Mapped[str] = mapped_column(Text, default="")
