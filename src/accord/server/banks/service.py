"""Create, change and delete banks and their entries; every write keeps the index feeds.

The one entry other domains and the CLI call: bulk import and export (``banks.transfer``
reads and writes the files) and the index feeds (``banks.feeds``) are reached from here.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, InvalidSignal, NotFound, SignalError
from accord.server.audit import service as audit
from accord.server.banks.collection import (
    CollectionPage,
    collection_object,
    collection_page,
    shared_bank,
    shared_banks,
)
from accord.server.banks.feeds import (
    entry_signals,
    feed_heads,
    insert_signals,
    lock_index_feeds,
    record_removals,
    removals_after,
    signals_after,
)
from accord.server.banks.models import Bank, BankEntry, BankKind, EntrySignal, Marking
from accord.server.banks.opinions import (
    EntryOpinions,
    OpinionView,
    apply_false_positive_limit,
    entry_opinions,
    entry_sightings,
    record_opinion,
    record_sighting,
)
from accord.server.banks.remote import RemoteApplied, apply_remote_indicators, entry_origins
from accord.server.banks.schemas import (
    EntryFields,
    ImportReport,
    TransferFormat,
    to_entry_read,
)
from accord.server.banks.sharing import (
    entry_indicators,
    forget_publication,
    indicator_entry,
    owner_of,
    publish_entries,
    refuse_red,
    republish_bank,
    share_bank,
    unshare_bank,
    withdraw_entries,
)
from accord.server.banks.transfer import ParsedEntry, RejectedLine, parse, serialize
from accord.server.db.base import utc_now
from accord.signals.registry import get_signal_type

#: The domain's public entries; some live in its own modules and are named from here.
__all__ = [
    "BANK_NAME",
    "ENTRY_EDITABLE",
    "CollectionPage",
    "EntryFields",
    "EntryOpinions",
    "OpinionView",
    "RemoteApplied",
    "add_entries",
    "add_entry",
    "apply_remote_indicators",
    "check_bank_name",
    "check_thresholds",
    "collection_object",
    "collection_page",
    "create_bank",
    "delete_bank",
    "delete_entry",
    "ensure_bank",
    "entries_of_signals",
    "entry_counts",
    "entry_indicators",
    "entry_opinions",
    "entry_origins",
    "entry_sightings",
    "entry_signals",
    "export_entries",
    "feed_heads",
    "find_bank",
    "find_entry",
    "get_bank",
    "get_entry",
    "import_entries",
    "indicator_entry",
    "list_banks",
    "list_entries",
    "lock_index_feeds",
    "owner_of",
    "publish_entries",
    "record_opinion",
    "record_sighting",
    "removals_after",
    "republish_bank",
    "share_bank",
    "shared_bank",
    "shared_banks",
    "signals_after",
    "unshare_bank",
    "update_bank",
    "update_entry",
    "validate_signals",
    "withdraw_entries",
]

#: HMA's rule for bank names, kept so HMA clients and data move over unchanged.
BANK_NAME = re.compile(r"[A-Z_][A-Z0-9_]{0,99}")


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
    shared: bool = False,
    false_positive_limit: int | None = None,
) -> Bank:
    """A new bank; ``shared``: served at once as a TAXII collection (never a RED one)."""
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
        false_positive_limit=_check_limit(false_positive_limit),
    )
    if shared:
        refuse_red(bank)
    session.add(bank)
    session.flush()
    if shared:
        share_bank(session, bank)
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


def _check_limit(limit: object) -> int | None:
    """A false-positive limit: a whole number of partners from 1, or None (no limit)."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        msg = (
            "false_positive_limit must be a whole number of partners, at least 1 "
            f"(or none, for no limit), not {limit!r}"
        )
        raise BadRequest(msg)
    return limit


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


#: A bank's fields its shared indicators carry: changing one publishes every entry again.
_PUBLISHED_FIELDS = ("name", "kind", "marking", "owner")


def update_bank(session: Session, bank: Bank, changes: Mapping[str, Any]) -> Bank:
    """Apply the given fields; unknown fields are a caller bug, not user input.

    ``shared`` shares or stops sharing the bank; a change a shared bank's indicators
    carry (its name, kind, marking or owner) publishes them again. TLP:RED is refused
    while the bank is shared: it never leaves this instance.
    """
    sharing = changes.get("shared")
    if "shared" in changes and not isinstance(sharing, bool):
        raise BadRequest("shared must be true or false")
    _check_red(bank, str(changes.get("marking", bank.marking)), sharing)
    before = [getattr(bank, name) for name in _PUBLISHED_FIELDS]
    limit = bank.false_positive_limit
    for name, value in changes.items():
        if name != "shared":
            _set_bank_field(session, bank, name, value)
    session.flush()
    if bank.marking == Marking.RED.value:
        forget_publication(session, bank)
    if sharing is False:
        unshare_bank(session, bank)
    elif sharing and not bank.shared:
        share_bank(session, bank)
    elif before != [getattr(bank, name) for name in _PUBLISHED_FIELDS]:
        republish_bank(session, bank)
    if bank.false_positive_limit != limit:
        apply_false_positive_limit(session, bank)
    return bank


def _set_bank_field(session: Session, bank: Bank, name: str, value: Any) -> None:
    if name == "name":
        new_name = check_bank_name(str(value))
        if new_name != bank.name and find_bank(session, new_name) is not None:
            raise Conflict(f"a bank named {new_name} already exists")
        bank.name = new_name
    elif name == "enabled_ratio":
        bank.enabled_ratio = _check_ratio(float(value))
    elif name == "thresholds":
        bank.thresholds = check_thresholds(value)
    elif name == "false_positive_limit":
        bank.false_positive_limit = _check_limit(value)
    elif name in {"kind", "marking"}:
        setattr(bank, name, str(value))
    elif name in {"owner", "description", "enabled"}:
        setattr(bank, name, value)
    else:
        msg = f"bank field {name!r} cannot be changed"
        raise BadRequest(msg)


def _check_red(bank: Bank, marking: str, sharing: bool | None) -> None:
    """Refuse a bank both shared and TLP:RED, before anything is changed."""
    if marking != Marking.RED.value:
        return
    if sharing:
        refuse_red(bank, marking)
    if bank.shared and sharing is None:
        msg = (
            f"bank {bank.name} is shared, and TLP:RED never leaves this instance; "
            f"stop sharing it first (accord bank share {bank.name} --off), then mark it TLP:RED"
        )
        raise Conflict(msg)


def delete_bank(session: Session, bank: Bank) -> None:
    """Delete a bank and its entries; a shared one is refused: its collection would go
    with it, and partners would never learn that its entries were withdrawn."""
    if bank.shared:
        msg = (
            f"bank {bank.name} is shared; stop sharing it first "
            f"(accord bank share {bank.name} --off): partners keep what they fetched"
        )
        raise Conflict(msg)
    lock_index_feeds(session)
    signal_ids = select(EntrySignal.id, EntrySignal.signal_type).where(
        EntrySignal.entry_id.in_(select(BankEntry.id).where(BankEntry.bank_id == bank.id))
    )
    record_removals(session, signal_ids)
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
    insert_signals(session, [(entry.id, checked)])
    publish_entries(session, bank, [entry.id])
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
    insert_signals(session, zip(ids, (signals for signals, _ in items), strict=True))
    publish_entries(session, bank, ids)
    audit.record(
        session,
        "import",
        "bank_entries",
        f"{ids[0]}-{ids[-1]}",
        after={"bank": bank.name, "entries": len(ids)},
    )
    return list(ids)


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


def find_entry(session: Session, bank: Bank, entry_id: int) -> BankEntry | None:
    entry = session.get(BankEntry, entry_id)
    return entry if entry is not None and entry.bank_id == bank.id else None


def entry_by_id(session: Session, entry_id: int) -> BankEntry | None:
    """The entry of that id in whichever bank holds it (for a record that names its entry
    but not its bank)."""
    return session.get(BankEntry, entry_id)


def get_entry(session: Session, bank: Bank, entry_id: int) -> BankEntry:
    entry = find_entry(session, bank, entry_id)
    if entry is None:
        raise NotFound(f"bank {bank.name} has no entry {entry_id}")
    return entry


def entries_of_signals(
    session: Session, signal_ids: Collection[int]
) -> dict[int, tuple[str, BankEntry]]:
    """``{signal_id: (signal_type, entry)}`` for those of the stored signals that still
    exist: what a lookup's index hits point at."""
    rows = session.execute(
        select(EntrySignal.id, EntrySignal.signal_type, BankEntry)
        .join(BankEntry, EntrySignal.entry_id == BankEntry.id)
        .where(EntrySignal.id.in_(signal_ids))
    )
    return {signal_id: (signal_type, entry) for signal_id, signal_type, entry in rows}


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
    """Change an entry; a shared bank publishes its new version (a revoked one when it
    is disabled, a new indicator when it is enabled again)."""
    for name, value in changes.items():
        if name not in ENTRY_EDITABLE:
            msg = f"entry field {name!r} cannot be changed"
            raise BadRequest(msg)
        setattr(entry, name, list(value) if name == "labels" else value)
    session.flush()
    publish_entries(session, _bank_of(session, entry), [entry.id])
    return entry


def _bank_of(session: Session, entry: BankEntry) -> Bank:
    bank = session.get(Bank, entry.bank_id)
    if bank is None:  # the foreign key makes this a broken database, not user input
        msg = f"entry {entry.id} has no bank"
        raise NotFound(msg)
    return bank


def delete_entry(session: Session, entry: BankEntry) -> None:
    """Delete an entry; a shared bank's collection gets its indicator revoked."""
    withdraw_entries(session, _bank_of(session, entry), [entry.id])
    lock_index_feeds(session)
    record_removals(
        session,
        select(EntrySignal.id, EntrySignal.signal_type).where(EntrySignal.entry_id == entry.id),
    )
    session.execute(delete(EntrySignal).where(EntrySignal.entry_id == entry.id))
    session.delete(entry)
    session.flush()


#: Entries written per statement batch during an import.
_IMPORT_BATCH = 1_000
#: Rejected lines reported back in detail; the count covers all of them.
_REPORTED_ERRORS = 100


def import_entries(
    session: Session,
    bank: Bank,
    lines: Iterable[str],
    file_format: TransferFormat,
    *,
    source: str,
    added_by: str,
) -> ImportReport:
    """Add the entries of a file's ``lines``; a line that is not text raises
    ``UnicodeDecodeError`` from the iteration, as the file's reader does."""
    return _import_lines(session, bank, parse(lines, file_format, source=source, added_by=added_by))


def _import_lines(
    session: Session, bank: Bank, parsed: Iterable[ParsedEntry | RejectedLine]
) -> ImportReport:
    """Add every valid entry; collect the reasons for the others."""
    added, rejected = 0, 0
    errors: list[dict[str, Any]] = []
    batch: list[tuple[dict[str, str], EntryFields]] = []

    def flush() -> None:
        nonlocal added
        added += len(add_entries(session, bank, batch))
        batch.clear()

    for item in parsed:
        if isinstance(item, RejectedLine):
            problem = item.error
        else:
            try:  # checked before any write, so a bad line costs nothing
                batch.append((validate_signals(item.signals), item.fields))
            except (BadRequest, SignalError) as error:
                problem = error.detail
            else:
                if len(batch) >= _IMPORT_BATCH:
                    flush()
                continue
        rejected += 1
        if len(errors) < _REPORTED_ERRORS:
            errors.append({"line": item.line, "error": problem})
    flush()
    return ImportReport(added=added, rejected=rejected, errors=errors)


def export_entries(session: Session, bank: Bank, file_format: TransferFormat) -> Iterator[str]:
    """Every entry of ``bank`` as text chunks of the file format, ready to write. HMA's
    format has no disabled state, so it gets only the entries that match now: one
    switched off here would match there."""
    active_only = file_format is TransferFormat.HMA
    return serialize(_iter_bank(session, bank, active_only=active_only), file_format)


def _iter_bank(
    session: Session, bank: Bank, *, active_only: bool
) -> Iterator[tuple[dict[str, Any], dict[str, str]]]:
    """Every entry of ``bank`` (or those active now) with its signals, a page at a time."""
    now = utc_now()
    after = 0
    while entries := list_entries(session, bank, after_id=after, limit=1000):
        after = entries[-1].id
        if active_only:
            entries = [entry for entry in entries if entry.active_at(now)]
        ids = [entry.id for entry in entries]
        signals = entry_signals(session, ids)
        opinions = entry_opinions(session, ids)
        sightings = entry_sightings(session, ids)
        for entry in entries:
            read = to_entry_read(
                bank, entry, signals[entry.id], opinions[entry.id], sightings[entry.id]
            )
            yield read.model_dump(mode="json", exclude={"signals"}), read.signals
