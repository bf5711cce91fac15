"""Who is told when something needs an operator, and the incidents they were told about."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class AlertKind(StrEnum):
    """What went wrong; recipients subscribe to some or all of them."""

    #: An open case past its review deadline (one incident per case).
    SLA_BREACH = "sla_breach"
    #: Messages given up in an outbox (one incident per channel).
    DEAD_LETTERS = "dead_letters"
    #: A process's bank indices that stopped syncing (one incident per process).
    INDEX_STALE = "index_stale"
    #: A statement of reasons waiting over a day for the DSA Transparency Database.
    TDB_BACKLOG = "tdb_backlog"


class RecipientKind(StrEnum):
    EMAIL = "email"
    WEBHOOK = "webhook"


class AlertRecipient(Base):
    """An address told of incidents: by mail, or as a signed webhook event."""

    __tablename__ = "alert_recipients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: The email address, or the webhook's URL.
    address: Mapped[str] = mapped_column(Text)
    #: ``AlertKind`` values it hears about.
    events: Mapped[list[str]] = mapped_column(JSON)
    #: The webhook that delivers its events (signed with that webhook's secret).
    webhook_id: Mapped[int | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="SET NULL"), index=True
    )
    created_by: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    #: False once removed: kept, so the audit trail and past incidents still name it.
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Incident(Base):
    """One stretch of time a condition held: opened, told, cleared, told again."""

    __tablename__ = "alert_incidents"
    __table_args__ = (
        # One open incident per condition and subject, whatever number of processes
        # evaluate at once: the second insert fails, and that process tells nobody.
        Index(
            "uq_alert_incidents_open",
            "kind",
            "key",
            unique=True,
            sqlite_where=text("resolved_at IS NULL"),
            postgresql_where=text("resolved_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))
    #: What it is about: a case's reference, an outbox channel, a process, "tdb".
    key: Mapped[str] = mapped_column(String(200))
    #: One line saying what is wrong, without personal data.
    summary: Mapped[str] = mapped_column(Text)
    #: Where to look, a path on this instance (``/cases/C-7F3K9Q``).
    link: Mapped[str] = mapped_column(String(300))
    #: When the condition began (a case's deadline), which may be before it was seen.
    since: Mapped[datetime] = mapped_column(UtcDateTime())
    opened_at: Mapped[datetime] = mapped_column(UtcDateTime())
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), index=True)
    #: When the alerts were queued; None when nobody was subscribed.
    notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    resolved_notified_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
