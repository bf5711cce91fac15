"""Appeals (DSA Art. 20 internal complaints) against decisions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class AppealStatus(StrEnum):
    OPEN = "open"
    UPHELD = "upheld"
    REVERSED = "reversed"
    #: Closed undecided: another appeal reversed the decision first.
    MOOT = "moot"


APPEAL_STATUS_LABELS: dict[str, str] = {
    AppealStatus.OPEN: "Waiting for a decision",
    AppealStatus.UPHELD: "Upheld: the decision stands",
    AppealStatus.REVERSED: "Reversed: the decision is undone",
    AppealStatus.MOOT: "Closed: the decision was already reversed on another appeal",
}
APPELLANT_LABELS: dict[str, str] = {"uploader": "the uploader", "notifier": "the notifier"}


class Appeal(Base):
    __tablename__ = "appeals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: Shown to the appellant, e.g. ``A-9XK2M4``.
    reference: Mapped[str] = mapped_column(String(16), unique=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    #: ``uploader`` (through the platform's appeal token) or ``notifier``.
    appellant_kind: Mapped[str] = mapped_column(String(16))
    #: The uploader's copy, or the notifier's notice.
    item_action_id: Mapped[int | None] = mapped_column(
        ForeignKey("item_actions.id", ondelete="SET NULL")
    )
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(Text)
    #: Where an uploader asked to hear the outcome (notifiers are written to at theirs).
    contact_email: Mapped[str] = mapped_column(String(320), default="")
    status: Mapped[str] = mapped_column(String(16), default=AppealStatus.OPEN, index=True)
    received_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    due_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reasons: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
