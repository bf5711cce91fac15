"""The columns every outbox table has, whatever its channel keeps beside them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import UtcDateTime, utc_now

#: The status of work waiting to be sent (each channel names its sent and dead states).
PENDING = "pending"


class Queued:
    """A mixin for a channel's table: its rows are claimed, sent and counted by the engine.

    ``next_attempt_at`` is both when a row is due and, while a worker holds it, when that
    worker's claim lapses: a row is claimable once it has passed.
    """

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    last_error: Mapped[str] = mapped_column(Text, default="")
