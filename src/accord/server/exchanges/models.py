"""Subscriptions to other instances' shared banks (TAXII collections), and what accord
sends back to them: opinions and sightings, through an outbox."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from accord.server.banks.models import Bank
from accord.server.db.base import Base, UtcDateTime, utc_now
from accord.server.outbox.models import Queued


class Exchange(Base):
    """A TAXII 2.1 collection accord fetches into a local bank."""

    __tablename__ = "exchanges"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    #: The API root's URL (``https://host/taxii2/accord/``), found from the URL given.
    api_root: Mapped[str] = mapped_column(Text)
    collection_id: Mapped[str] = mapped_column(String(100))
    collection_title: Mapped[str] = mapped_column(Text, default="")
    bank_id: Mapped[int] = mapped_column(ForeignKey("banks.id", ondelete="CASCADE"), index=True)
    bank: Mapped[Bank] = relationship(lazy="raise")
    #: The partner's API key, sealed under the master key (``provenance.sealing``).
    sealed_api_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: Each match on a fetched entry is reported back to the publisher as a sighting.
    report_sightings: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The checkpoint: the ``date_added`` of the last object applied; the next fetch asks
    #: for what was added after it. None: nothing fetched yet.
    added_after: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_fetch_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    last_success_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    #: Why the last fetch failed, or "" when it succeeded.
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: Objects applied over the exchange's life.
    objects_fetched: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)


class ExchangeMessageStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    #: The publisher refused it, or every retry failed: ``last_error`` says why.
    DEAD = "dead"


class ExchangeMessage(Queued, Base):
    """A STIX opinion or sighting on its way to an exchange's publisher; its id, status (an
    ``ExchangeMessageStatus``), attempts, next attempt and last error are the outbox
    engine's (``Queued``)."""

    __tablename__ = "exchange_messages"

    exchange_id: Mapped[int] = mapped_column(
        ForeignKey("exchanges.id", ondelete="CASCADE"), index=True
    )
    exchange: Mapped[Exchange] = relationship(lazy="raise")
    object_type: Mapped[str] = mapped_column(String(32))
    #: The STIX object's JSON, exactly as it is posted.
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
