"""The audit trail: one row per change, each sealed with the hash of the one before."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class AuditEntry(Base):
    __tablename__ = "audit_log"

    #: 1, 2, 3... with no gaps: a missing number is a deleted entry.
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    #: Who: ``key:<name>`` for an API key, ``cli:<user>`` for the command line, ``system``.
    actor: Mapped[str] = mapped_column(String(200))
    #: What: ``insert``, ``update`` or ``delete``.
    action: Mapped[str] = mapped_column(String(16))
    #: Of what: the table and the row's primary key.
    table: Mapped[str] = mapped_column(String(64))
    row_id: Mapped[str] = mapped_column(String(64))
    #: Why, when the caller said.
    reason: Mapped[str] = mapped_column(Text, default="")
    before: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    after: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    previous_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditHead(Base):
    """The chain's last entry, one row: locked by every append, so appends form a line."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))


class SubjectKey(Base):
    """The key that seals one person's personal data in the audit log (crypto-shredding):
    erasing them deletes this row, and every sealed value of theirs stays unreadable.

    Not audited itself (a key in an append-only log could never be destroyed).
    """

    __tablename__ = "subject_keys"

    #: Whose data: ``email:<SHA-256 of the address>``, ``person:<id>``, ``biometrics:<id>``.
    subject: Mapped[str] = mapped_column(String(100), primary_key=True)
    #: Random, and all an audit entry names: once the row is gone, an entry no longer
    #: tells whose key sealed it.
    key_id: Mapped[str] = mapped_column(String(32), unique=True)
    key: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
