"""Elections, so a case knows how close the vote it could sway is."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now


class Election(Base):
    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: As protected people name it in their ``election`` field.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    polling_date: Mapped[date] = mapped_column(Date)
    #: EEA ISO-2 codes where the vote is held; statements of reasons default to them.
    territories: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)
