"""Provenance records: one per file signed here, with its manifest and registry entry."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now

#: SQLite only auto-increments an ``INTEGER PRIMARY KEY``; elsewhere ids are 64-bit.
BigId = BigInteger().with_variant(Integer, "sqlite")


class ProvenanceRecord(Base):
    __tablename__ = "provenance_records"

    #: A random id (32 hex digits), printed on reports.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    issuer_id: Mapped[int] = mapped_column(ForeignKey("issuers.id"), index=True)
    title: Mapped[str] = mapped_column(String(500))
    source_type: Mapped[str] = mapped_column(String(64))
    media_kind: Mapped[str] = mapped_column(String(16))
    original_sha256: Mapped[str] = mapped_column(String(64))
    signed_sha256: Mapped[str] = mapped_column(String(64), index=True)
    #: The active manifest's label (``urn:c2pa:...``), and the manifest store itself.
    manifest_label: Mapped[str] = mapped_column(String(200), index=True)
    manifest_store: Mapped[bytes] = mapped_column(LargeBinary)
    timestamped: Mapped[bool] = mapped_column(Boolean)
    #: The payload of accord's watermark in the signed picture (the id's first 16 hex
    #: digits), or None when the file carries no mark.
    watermark: Mapped[str | None] = mapped_column(String(16), index=True)
    #: Why a picture was signed without the mark (too small, transparent, the mark did
    #: not read back...); "" when it carries one, or is no picture.
    unmarked_reason: Mapped[str] = mapped_column(Text, default="")
    #: The record of the original this file was edited from, when signing found one.
    parent_id: Mapped[str | None] = mapped_column(String(32))
    #: The signed file as a c2pa ingredient archive, for edits of it to name it as parent.
    ingredient_archive: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: The file's signals in the REGISTRY bank, so stripped copies can be traced here.
    registry_entry_id: Mapped[int | None] = mapped_column(
        BigId, ForeignKey("bank_entries.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    revocation_reason: Mapped[str] = mapped_column(Text, default="")
