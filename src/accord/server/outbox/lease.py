"""Claiming rows for a while, so that two workers (threads or server processes on one
database) never work on the same row at once, and a crashed worker's claim lapses.

A claim locks the free rows it takes (skipping rows another claimer has locked), writes
when its hold ends into the lease column, and is committed by the caller: from then on the
rows are not free until that moment. A worker that dies simply never records its work, and
the rows become free again when the hold ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, or_, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from accord.server.db.base import utc_now

_Row = TypeVar("_Row")


@dataclass(frozen=True, slots=True)
class Lease:
    """A lease column (``until``: held until then; free when empty or past) and how long the
    work on one claim may take. Claim only what is worked at once (one send, one notice):
    rows claimed ahead would wait out the whole hold after a crash."""

    until: InstrumentedAttribute[datetime] | InstrumentedAttribute[datetime | None]
    length: timedelta

    def free(self, now: datetime) -> ColumnElement[bool]:
        return or_(self.until.is_(None), self.until <= now)

    def claim(self, session: Session, query: Select[_Row], *, limit: int) -> list[_Row]:
        """Up to ``limit`` free rows of ``query`` (in its order), held from now on; the
        caller commits. Rows another claimer holds are skipped, never waited for."""
        now = utc_now()
        table: Any = self.until.class_
        found: list[Any] = list(
            session.scalars(
                query.where(self.free(now)).limit(limit).with_for_update(skip_locked=True, of=table)
            )
        )
        if not found:
            return []
        held_until = now + self.length
        # Take them only if still free: where rows are not locked (SQLite), another claimer
        # may have taken some since they were read. This also holds the write lock, so
        # that claimers take their turns.
        taken = set(
            session.scalars(
                update(table)
                .where(table.id.in_([row.id for row in found]), self.free(now))
                .values({self.until.key: held_until})
                .returning(table.id)
                .execution_options(synchronize_session=False)
            )
        )
        rows = [row for row in found if row.id in taken]
        for row in rows:
            setattr(row, self.until.key, held_until)  # through the ORM too: for the audit log
        session.flush()
        return rows
