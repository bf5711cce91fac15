"""Erasure requests: what was erased, at whose request, and what was kept and why."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class ErasureKind(StrEnum):
    #: Everything kept about one email address: notices' contact data, mail, appeals.
    NOTIFIER = "notifier"
    #: A protected person: their name, roles, face and voice embeddings.
    PERSON = "person"


class ErasureRequest(Base):
    """One erasure, done when it was filed. It holds no personal data itself: an erased
    address is not written down anywhere, a person only by their random id."""

    __tablename__ = "erasure_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    #: A person's id; empty for a notifier (their address is what was erased).
    about: Mapped[str] = mapped_column(String(100), default="")
    #: Who asked: an audit actor, ``user:<email>`` or ``cli:<login>``.
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now, index=True)
    #: Why, in the requester's words (e.g. "Art. 17 request of 3 May"), without the name.
    note: Mapped[str] = mapped_column(Text, default="")
    #: How many records of each kind were erased, e.g. ``{"notices": 2, "mail": 3}``.
    erased: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: What was kept and why, one sentence each.
    kept: Mapped[list[str]] = mapped_column(JSON, default=list)
