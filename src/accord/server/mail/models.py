"""Emails to notifiers, written in the transaction of what they announce, sent after."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now
from accord.server.outbox.models import Queued


class MailMessage(Queued, Base):
    """An email; its id, status (pending, sent, or dead: given up after ``MAX_ATTEMPTS``),
    attempts, next attempt and last error are the outbox engine's (``Queued``)."""

    __tablename__ = "mail_messages"

    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
