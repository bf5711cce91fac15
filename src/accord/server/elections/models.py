"""Elections, so a case knows how close the vote it could sway is."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from accord.server.db.base import Base, UtcDateTime, utc_now
from accord.server.statements.schemas import TERRITORIAL_SCOPE


class Election(Base):
    __tablename__ = "elections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    #: As protected people name it in their ``election`` field.
    name: Mapped[str] = mapped_column(String(200), unique=True)
    polling_date: Mapped[date] = mapped_column(Date)
    #: ISO 3166-1 alpha-2 codes of the countries where the vote is held, any country.
    #: (The column keeps its first name: it held EEA codes only, which are still valid.)
    countries: Mapped[list[str]] = mapped_column("territories", JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime(), default=utc_now)

    @property
    def territories(self) -> list[str]:
        """The EU/EEA ones among ``countries``: all a statement of reasons may name as its
        ``territorial_scope`` (the Transparency Database refuses others). Statements for an
        election held elsewhere fall back on the instance's ``statement_territories``."""
        return [code for code in self.countries if code in TERRITORIAL_SCOPE]
