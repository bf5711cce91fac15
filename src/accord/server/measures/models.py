"""Measures against misuse (DSA Art. 23): the strikes decisions give uploaders and
notifiers, and the warnings, suspensions and terminations they lead to."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class SubjectKind(StrEnum):
    #: An account on a platform that posted the content (``platform:account``).
    UPLOADER = "uploader"
    #: Someone who sent notices (``user:<id>``, ``key:<name>`` or ``email:<address>``).
    NOTIFIER = "notifier"


class Strike(Base):
    __tablename__ = "strikes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(600), index=True)
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    #: Gravity: how much it counts towards the policy's thresholds.
    weight: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime())
    #: Set when an appeal reversed the decision that gave it.
    removed_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class MeasureKind(StrEnum):
    WARNING = "warning"
    SUSPENSION = "suspension"
    TERMINATION = "termination"


class AccountMeasure(Base):
    """A measure against misuse (DSA Art. 23) that strikes led to."""

    __tablename__ = "account_measures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[str] = mapped_column(String(600), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The decision whose strike crossed the threshold.
    decision_id: Mapped[int] = mapped_column(
        ForeignKey("decisions.id", ondelete="CASCADE"), index=True
    )
    points: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    #: End of a suspension; None for warnings and terminations.
    until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    lifted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
