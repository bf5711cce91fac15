"""The two append-only feeds index processes follow: signals added, signals removed.

Every write to ``entry_signals`` goes through here so the feeds stay in step with the
rows; index processes read both from where they stand (``signals_after``,
``removals_after``) instead of rebuilding.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy import Result, Select, func, insert, literal, select, text
from sqlalchemy.orm import Session

from accord.server.banks.models import EntrySignal, SignalRemoval
from accord.server.db.base import UtcDateTime, utc_now

#: Any 64-bit key works for the advisory lock; this one spells "accord" loosely.
_FEED_LOCK_KEY = 0xACC0D
#: Entry ids per ``IN (...)`` list, well inside every backend's limit on parameters.
_CHUNK = 5_000


def lock_index_feeds(session: Session) -> None:
    """Serialise writers of the index feeds, so feed ids commit in increasing order.

    Matchers read ``id > last_seen``; on PostgreSQL two concurrent transactions could
    otherwise commit ids out of order and a matcher would skip the lower one forever.
    SQLite already serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FEED_LOCK_KEY})


def insert_signals(
    session: Session, signals_by_entry: Iterable[tuple[int, Mapping[str, str]]]
) -> None:
    """``{signal_type: value}`` rows for each entry id, in one statement."""
    now = utc_now()
    rows = [
        {"entry_id": entry_id, "signal_type": name, "value": value, "created_at": now}
        for entry_id, signals in signals_by_entry
        for name, value in signals.items()
    ]
    session.execute(insert(EntrySignal), rows)


def entry_signals(session: Session, entry_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """``{entry_id: {signal_type: value}}`` for the given entries (an entry without
    signals maps to an empty dict), each entry's signals in the order they were added."""
    found: dict[int, dict[str, str]] = {entry_id: {} for entry_id in entry_ids}
    ids = list(found)
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(EntrySignal.entry_id, EntrySignal.signal_type, EntrySignal.value)
            .where(EntrySignal.entry_id.in_(ids[start : start + _CHUNK]))
            .order_by(EntrySignal.id)
        )
        for entry_id, signal_type, value in rows:
            found[entry_id][signal_type] = value
    return found


def record_removals(session: Session, signal_rows: Select[int, str]) -> None:
    """Log the signals ``signal_rows`` selects (id, type) as removed, in one statement."""
    rows = signal_rows.subquery()
    session.execute(
        insert(SignalRemoval).from_select(
            ["signal_id", "signal_type", "removed_at"],
            select(rows.c.id, rows.c.signal_type, literal(utc_now(), UtcDateTime())),
        )
    )


def signals_after(session: Session, after_id: int, limit: int) -> Result[int, str, str]:
    """The next ``limit`` signals added past ``after_id``: (id, signal type, value)."""
    query = (
        select(EntrySignal.id, EntrySignal.signal_type, EntrySignal.value)
        .where(EntrySignal.id > after_id)
        .order_by(EntrySignal.id)
        .limit(limit)
    )
    return session.execute(query)


def removals_after(session: Session, after_id: int, limit: int) -> Result[int, int, str]:
    """The next ``limit`` removals past ``after_id``: (id, signal id, signal type)."""
    query = (
        select(SignalRemoval.id, SignalRemoval.signal_id, SignalRemoval.signal_type)
        .where(SignalRemoval.id > after_id)
        .order_by(SignalRemoval.id)
        .limit(limit)
    )
    return session.execute(query)


def feed_heads(session: Session) -> tuple[int, int]:
    """The last id of each feed (signals, removals); 0 for an empty one."""
    signals = session.scalar(select(func.coalesce(func.max(EntrySignal.id), 0))) or 0
    removals = session.scalar(select(func.coalesce(func.max(SignalRemoval.id), 0))) or 0
    return signals, removals
