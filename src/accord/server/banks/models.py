"""Banks of known content, their entries, and the entries' signals.

Index processes follow two append-only feeds to stay current without rebuilding:
``entry_signals.id`` grows with every signal added, and ``signal_removals.id`` with every
signal deleted. Writers take ``lock_index_feeds`` first, so ids become visible in order.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accord.server.db.base import Base, UtcDateTime, utc_now

#: SQLite only auto-increments an ``INTEGER PRIMARY KEY``; elsewhere ids are 64-bit.
BigId = BigInteger().with_variant(Integer, "sqlite")


class BankKind(StrEnum):
    """What a match in the bank means."""

    DECEPTIVE = "deceptive"  # confirmed deceptive content: a match is a hit
    AUTHENTIC = "authentic"  # registered originals: a near match may be an altered copy
    ALLOW = "allow"  # known benign: a match here suppresses deceptive and watch matches
    WATCH = "watch"  # under investigation: matches are reported, not acted on
    #: Files an AI generator made and had stamped here: a match says AI made it, and which
    #: generator (the entry's case reference is the provenance record).
    GENERATED = "generated"


class Marking(StrEnum):
    """Traffic Light Protocol 2.0 sharing markings."""

    CLEAR = "TLP:CLEAR"
    GREEN = "TLP:GREEN"
    AMBER = "TLP:AMBER"
    AMBER_STRICT = "TLP:AMBER+STRICT"
    RED = "TLP:RED"


#: The markings whose recipients may pass on what they got beyond their organisation
#: (TLP 2.0): every ``share`` key reads such a collection, and a fetched entry is shared
#: again only when it came under one of them.
OPEN_MARKINGS = frozenset({Marking.CLEAR.value, Marking.GREEN.value})


class Bank(Base):
    __tablename__ = "banks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(16), default=BankKind.DECEPTIVE.value)
    owner: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    marking: Mapped[str] = mapped_column(String(20), default=Marking.AMBER.value)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    enabled_ratio: Mapped[float] = mapped_column(Float, default=1.0)
    #: Per signal type distance thresholds overriding the type's default.
    thresholds: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    #: Served as a TAXII collection to partners' ``share`` keys (never for TLP:RED).
    shared: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    #: The TAXII collection's id, given the first time the bank is shared and kept after.
    collection_id: Mapped[str | None] = mapped_column(String(36), unique=True, index=True)
    #: An entry stops matching once this many distinct partners called it a false
    #: positive; None: opinions never disable an entry.
    false_positive_limit: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)

    entries: Mapped[list[BankEntry]] = relationship(
        back_populates="bank", passive_deletes=True, lazy="raise"
    )


class BankEntry(Base):
    __tablename__ = "bank_entries"
    #: A fetched entry is stored once per remote indicator, however often it is fetched.
    __table_args__ = (
        Index("uq_bank_entries_bank_id_remote_id", "bank_id", "remote_id", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    source: Mapped[str] = mapped_column(String(200), default="")
    url: Mapped[str | None] = mapped_column(Text)
    platform_content_id: Mapped[str | None] = mapped_column(String(256))
    case_reference: Mapped[str | None] = mapped_column(String(128))
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str] = mapped_column(Text, default="")
    #: Free-form metadata a client attached (HMA's ``metadata.json``).
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    asset_sha256: Mapped[str | None] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(200), default="")
    added_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Disabled until then, when set; ``enabled`` False disables it indefinitely.
    disabled_until: Mapped[datetime | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, onupdate=utc_now)
    #: For an entry fetched from an exchange: the publisher's STIX indicator id.
    remote_id: Mapped[str | None] = mapped_column(String(100))
    #: Where a fetched entry came from: ``{"exchange", "owner", "marking",
    #: "case_reference", "modified"}``.
    origin: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    bank: Mapped[Bank] = relationship(back_populates="entries", lazy="raise")
    signals: Mapped[list[EntrySignal]] = relationship(
        back_populates="entry", passive_deletes=True, order_by="EntrySignal.id", lazy="raise"
    )

    def active_at(self, moment: datetime) -> bool:
        return self.enabled and (self.disabled_until is None or self.disabled_until <= moment)


class EntrySignal(Base):
    __tablename__ = "entry_signals"
    # AUTOINCREMENT on SQLite: index processes follow ``id``, so an id must never come back.
    __table_args__ = (
        UniqueConstraint("entry_id", "signal_type"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True
    )
    signal_type: Mapped[str] = mapped_column(String(32))
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    entry: Mapped[BankEntry] = relationship(back_populates="signals", lazy="raise")


class SignalRemoval(Base):
    """One deleted ``entry_signals`` row, so indices can forget it."""

    __tablename__ = "signal_removals"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    signal_id: Mapped[int] = mapped_column(BigInteger)
    signal_type: Mapped[str] = mapped_column(String(32))
    removed_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class SharedObject(Base):
    """One STIX object as a shared bank's TAXII collection serves it: the latest version.

    The objects are the owner's ``identity``, the TLP ``marking-definition`` objects the
    indicators name, and an ``indicator`` per entry (what partners post back is kept in
    ``entry_opinions`` and ``entry_sightings``, never here). ``id`` orders the collection
    by when each version was added, so a subscriber's position is a place in it; a new
    version of an object replaces the old row with a new one at the end. ``body`` is the
    object's JSON exactly as served.
    """

    __tablename__ = "shared_objects"
    __table_args__ = (
        UniqueConstraint("bank_id", "stix_id", name="uq_shared_objects_bank_id_stix_id"),
        # ``added_after`` finds its place in a collection by this index.
        Index("ix_shared_objects_bank_id_date_added", "bank_id", "date_added"),
        # Without AUTOINCREMENT SQLite gives a deleted newest row's id to the next row,
        # and a client holding ``next`` (a row id) would skip the new version.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"))
    #: The entry an indicator stands for; None once the entry is deleted, and for the
    #: other objects.
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("bank_entries.id", ondelete="SET NULL"), index=True
    )
    stix_id: Mapped[str] = mapped_column(String(100))
    object_type: Mapped[str] = mapped_column(String(32))
    #: The version: the object's ``modified`` (its ``created`` where it has none).
    version: Mapped[datetime] = mapped_column(UtcDateTime())
    #: When this version joined the collection; it grows with ``id`` within a bank, one
    #: microsecond at least, so ``added_after`` alone is a checkpoint without gaps or
    #: repeats even when a whole bank is shared at once.
    date_added: Mapped[datetime] = mapped_column(UtcDateTime())
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)


class EntryOpinion(Base):
    """A partner's opinion on a shared entry, received as a STIX opinion."""

    __tablename__ = "entry_opinions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True
    )
    stix_id: Mapped[str] = mapped_column(String(100), unique=True)
    #: ``sharing.stix.Verdict``: true_positive or false_positive.
    verdict: Mapped[str] = mapped_column(String(16))
    #: The partner: the name of the ``share`` key it came with.
    partner: Mapped[str] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class EntrySighting(Base):
    """Matches a partner saw on a shared entry, received as a STIX sighting."""

    __tablename__ = "entry_sightings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("bank_entries.id", ondelete="CASCADE"), index=True
    )
    stix_id: Mapped[str] = mapped_column(String(100), unique=True)
    partner: Mapped[str] = mapped_column(String(100))
    count: Mapped[int] = mapped_column(Integer, default=1)
    first_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    last_seen: Mapped[datetime] = mapped_column(UtcDateTime())
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
