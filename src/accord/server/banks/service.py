"""Create, change and delete banks and their entries; every write keeps the index feeds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, literal, select, text
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, InvalidSignal, NotFound
from accord.server.audit import trail as audit
from accord.server.banks.models import (
    Bank,
    BankEntry,
    BankKind,
    EntrySignal,
    Marking,
    SignalRemoval,
)
from accord.server.db.base import UtcDateTime, utc_now
from accord.signals.registry import get_signal_type

#: HMA's rule for bank names, kept so HMA clients and data move over unchanged.
BANK_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")
#: Any 64-bit key works for the advisory lock; this one spells "accord" loosely.
_FEED_LOCK_KEY = 0xACC0D


@dataclass(frozen=True, slots=True)
class EntryFields:
    """What a caller may say about one entry besides its signals."""

    source: str = ""
    url: str | None = None
    platform_content_id: str | None = None
    case_reference: str | None = None
    labels: Sequence[str] = ()
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    asset_sha256: str | None = None
    added_by: str = ""
    enabled: bool = True
    disabled_until: datetime | None = None


def lock_index_feeds(session: Session) -> None:
    """Serialise writers of the index feeds, so feed ids commit in increasing order.

    Matchers read ``id > last_seen``; on PostgreSQL two concurrent transactions could
    otherwise commit ids out of order and a matcher would skip the lower one forever.
    SQLite already serialises writers.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _FEED_LOCK_KEY})


def check_bank_name(name: str) -> str:
    if not BANK_NAME.fullmatch(name):
        msg = (
            f"bank name {name!r} must be UPPER_SNAKE_CASE: a letter or underscore, then "
            "letters, digits or underscores, at most 100 characters"
        )
        raise BadRequest(msg)
    return name


def check_thresholds(thresholds: Mapping[str, float]) -> dict[str, float]:
    """Validated per-type thresholds: known signal types and non-negative numbers."""
    checked: dict[str, float] = {}
    for name, value in thresholds.items():
        get_signal_type(name)
        if not value >= 0:
            msg = f"threshold for {name} must be a non-negative number, not {value!r}"
            raise BadRequest(msg)
        checked[name] = float(value)
    return checked


def create_bank(
    session: Session,
    name: str,
    *,
    kind: BankKind = BankKind.DECEPTIVE,
    owner: str = "",
    description: str = "",
    marking: Marking = Marking.AMBER,
    enabled: bool = True,
    enabled_ratio: float = 1.0,
    thresholds: Mapping[str, float] | None = None,
) -> Bank:
    check_bank_name(name)
    if find_bank(session, name) is not None:
        raise Conflict(f"a bank named {name} already exists")
    bank = Bank(
        name=name,
        kind=kind.value,
        owner=owner,
        description=description,
        marking=marking.value,
        enabled=enabled,
        enabled_ratio=_check_ratio(enabled_ratio),
        thresholds=check_thresholds(thresholds or {}),
    )
    session.add(bank)
    session.flush()
    return bank


def ensure_bank(
    session: Session,
    name: str,
    *,
    kind: BankKind,
    description: str,
    marking: Marking = Marking.AMBER,
) -> Bank:
    """The bank accord keeps for itself under ``name``, made on first use."""
    bank = find_bank(session, name)
    if bank is None:
        bank = create_bank(
            session, name, kind=kind, owner="accord", description=description, marking=marking
        )
    return bank


def _check_ratio(ratio: float) -> float:
    if not 0.0 <= ratio <= 1.0:
        msg = f"enabled_ratio must be between 0 and 1, not {ratio}"
        raise BadRequest(msg)
    return ratio


def find_bank(session: Session, name: str) -> Bank | None:
    return session.scalars(select(Bank).where(Bank.name == name)).one_or_none()


def get_bank(session: Session, name: str) -> Bank:
    bank = find_bank(session, name)
    if bank is None:
        raise NotFound(f"no bank named {name}")
    return bank


def list_banks(session: Session) -> list[Bank]:
    return list(session.scalars(select(Bank).order_by(Bank.name)))


def entry_counts(session: Session) -> dict[int, int]:
    """Entries per bank id, in one query."""
    rows = session.execute(select(BankEntry.bank_id, func.count()).group_by(BankEntry.bank_id))
    return dict(rows.all())


def update_bank(session: Session, bank: Bank, changes: Mapping[str, Any]) -> Bank:
    """Apply the given fields; unknown fields are a caller bug, not user input."""
    for name, value in changes.items():
        if name == "name":
            new_name = check_bank_name(str(value))
            if new_name != bank.name and find_bank(session, new_name) is not None:
                raise Conflict(f"a bank named {new_name} already exists")
            bank.name = new_name
        elif name == "enabled_ratio":
            bank.enabled_ratio = _check_ratio(float(value))
        elif name == "thresholds":
            bank.thresholds = check_thresholds(value)
        elif name in {"kind", "marking"}:
            setattr(bank, name, str(value))
        elif name in {"owner", "description", "enabled"}:
            setattr(bank, name, value)
        else:
            msg = f"bank field {name!r} cannot be changed"
            raise BadRequest(msg)
    session.flush()
    return bank


def delete_bank(session: Session, bank: Bank) -> None:
    lock_index_feeds(session)
    signal_ids = select(EntrySignal.id, EntrySignal.signal_type).where(
        EntrySignal.entry_id.in_(select(BankEntry.id).where(BankEntry.bank_id == bank.id))
    )
    _record_removals(session, signal_ids)
    session.execute(
        delete(EntrySignal).where(
            EntrySignal.entry_id.in_(select(BankEntry.id).where(BankEntry.bank_id == bank.id))
        )
    )
    removed = session.scalar(select(func.count()).where(BankEntry.bank_id == bank.id))
    session.execute(delete(BankEntry).where(BankEntry.bank_id == bank.id))
    audit.record(session, "delete", "bank_entries", f"bank:{bank.id}", before={"entries": removed})
    session.delete(bank)
    session.flush()


def _record_removals(session: Session, signal_rows: Select[int, str]) -> None:
    """Log the signals ``signal_rows`` selects (id, type) as removed, in one statement."""
    rows = signal_rows.subquery()
    session.execute(
        insert(SignalRemoval).from_select(
            ["signal_id", "signal_type", "removed_at"],
            select(rows.c.id, rows.c.signal_type, literal(utc_now(), UtcDateTime())),
        )
    )


def validate_signals(signals: Mapping[str, object]) -> dict[str, str]:
    """Canonical values for a ``{signal_type: value}`` mapping; at least one is needed."""
    if not signals:
        msg = "an entry needs at least one signal"
        raise BadRequest(msg)
    checked: dict[str, str] = {}
    for name, value in signals.items():
        signal_type = get_signal_type(name)
        if not isinstance(value, str):
            msg = f"the {name} signal must be a string"
            raise InvalidSignal(msg)
        checked[signal_type.name] = signal_type.validate(value)
    return checked


def add_entry(
    session: Session, bank: Bank, signals: Mapping[str, str], fields: EntryFields
) -> BankEntry:
    """One entry with its signals; the signals join the index feed."""
    checked = validate_signals(signals)
    lock_index_feeds(session)
    entry = _new_entry(bank, fields)
    session.add(entry)
    session.flush()
    _insert_signals(session, [(entry.id, checked)])
    return entry


def add_entries(
    session: Session, bank: Bank, items: Sequence[tuple[Mapping[str, str], EntryFields]]
) -> list[int]:
    """Many entries at once (imports), as bulk statements; returns their ids in order.

    The signals must already be canonical (``validate_signals``).
    """
    if not items:
        return []
    lock_index_feeds(session)
    now = utc_now()
    ids = session.scalars(
        insert(BankEntry).returning(BankEntry.id, sort_by_parameter_order=True),
        [_entry_row(bank, fields, now) for _, fields in items],
    ).all()
    _insert_signals(session, zip(ids, (signals for signals, _ in items), strict=True))
    audit.record(
        session,
        "import",
        "bank_entries",
        f"{ids[0]}-{ids[-1]}",
        after={"bank": bank.name, "entries": len(ids)},
    )
    return list(ids)


def _insert_signals(
    session: Session, signals_by_entry: Iterable[tuple[int, Mapping[str, str]]]
) -> None:
    now = utc_now()
    rows = [
        {"entry_id": entry_id, "signal_type": name, "value": value, "created_at": now}
        for entry_id, signals in signals_by_entry
        for name, value in signals.items()
    ]
    session.execute(insert(EntrySignal), rows)


def _entry_row(bank: Bank, fields: EntryFields, now: datetime) -> dict[str, Any]:
    return {
        "bank_id": bank.id,
        "source": fields.source,
        "url": fields.url,
        "platform_content_id": fields.platform_content_id,
        "case_reference": fields.case_reference,
        "labels": list(fields.labels),
        "note": fields.note,
        "extra": dict(fields.extra),
        "asset_sha256": fields.asset_sha256,
        "added_by": fields.added_by,
        "added_at": now,
        "updated_at": now,
        "enabled": fields.enabled,
        "disabled_until": fields.disabled_until,
    }


def _new_entry(bank: Bank, fields: EntryFields) -> BankEntry:
    return BankEntry(**_entry_row(bank, fields, utc_now()))


def get_entry(session: Session, bank: Bank, entry_id: int) -> BankEntry:
    entry = session.get(BankEntry, entry_id)
    if entry is None or entry.bank_id != bank.id:
        raise NotFound(f"bank {bank.name} has no entry {entry_id}")
    return entry


def entry_signals(session: Session, entry_ids: Sequence[int]) -> dict[int, dict[str, str]]:
    """``{entry_id: {signal_type: value}}`` for the given entries."""
    found: dict[int, dict[str, str]] = {entry_id: {} for entry_id in entry_ids}
    query = select(EntrySignal.entry_id, EntrySignal.signal_type, EntrySignal.value).where(
        EntrySignal.entry_id.in_(entry_ids)
    )
    for entry_id, signal_type, value in session.execute(query):
        found[entry_id][signal_type] = value
    return found


def list_entries(
    session: Session, bank: Bank, *, after_id: int = 0, limit: int = 100
) -> list[BankEntry]:
    query = (
        select(BankEntry)
        .where(BankEntry.bank_id == bank.id, BankEntry.id > after_id)
        .order_by(BankEntry.id)
        .limit(limit)
    )
    return list(session.scalars(query))


ENTRY_EDITABLE = frozenset(
    {
        "url",
        "platform_content_id",
        "case_reference",
        "labels",
        "note",
        "extra",
        "enabled",
        "disabled_until",
    }
)


def update_entry(session: Session, entry: BankEntry, changes: Mapping[str, Any]) -> BankEntry:
    for name, value in changes.items():
        if name not in ENTRY_EDITABLE:
            msg = f"entry field {name!r} cannot be changed"
            raise BadRequest(msg)
        setattr(entry, name, list(value) if name == "labels" else value)
    session.flush()
    return entry


def delete_entry(session: Session, entry: BankEntry) -> None:
    lock_index_feeds(session)
    _record_removals(
        session,
        select(EntrySignal.id, EntrySignal.signal_type).where(EntrySignal.entry_id == entry.id),
    )
    session.execute(delete(EntrySignal).where(EntrySignal.entry_id == entry.id))
    session.delete(entry)
    session.flush()
