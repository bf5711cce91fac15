"""Webhooks to platforms, and the outbox of messages for them (written with the decision
that caused them, delivered after)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now
from accord.server.outbox.models import Queued


class Webhook(Base):
    __tablename__ = "webhooks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    url: Mapped[str] = mapped_column(Text)
    #: The HMAC secret, encrypted under the instance's master key (``sealing``).
    sealed_secret: Mapped[bytes] = mapped_column(LargeBinary)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The platform whose content actions it receives; "" for every platform.
    platform: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class MessageStatus(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    #: Given up after ``MAX_ATTEMPTS``, or never sendable (no webhook for its platform):
    #: an admin may replay it.
    DEAD = "dead"


class OutboxMessage(Queued, Base):
    """A message for a webhook; its id, status (a ``MessageStatus``), attempts, next attempt
    and last error are the outbox engine's (``Queued``)."""

    __tablename__ = "outbox_messages"

    #: None when no webhook was configured for its platform: it waits, dead, for one.
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), index=True
    )
    #: The platform whose content or account it is about ("" when none was known).
    platform: Mapped[str] = mapped_column(String(100), default="")
    #: What happened, e.g. ``decision.remove``.
    event: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    #: Sent with every attempt, so a receiver acts once however often it is told.
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    delivered_at: Mapped[datetime | None] = mapped_column(UtcDateTime())


class DeliveryAttempt(Base):
    """One try at delivering a message: the delivery log."""

    __tablename__ = "delivery_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    #: The receiver's HTTP status; None when no answer came.
    status_code: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str] = mapped_column(Text, default="")
    duration_ms: Mapped[int] = mapped_column(Integer)
