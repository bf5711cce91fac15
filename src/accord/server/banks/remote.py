"""Entries fetched from an exchange into a local bank: added, updated and withdrawn by
the publisher's indicator ids, so a fetch repeated or cut short never duplicates one.

Each fetched entry keeps the publisher's indicator id (``remote_id``, unique in its bank)
and where it came from (``origin``: the exchange, the publisher's owner name, marking and
case reference, and the version applied). The entry's own ``case_reference`` stays for
cases of this instance. A page of indicators is applied as one batch of bulk
statements: new ids are added, newer versions replace an entry's signals and fields,
versions already applied are skipped, and revoked ones delete the entry, so it stops
matching. Every write keeps the index feeds, as the bank's own write paths do, and reaches
the publication log when the local bank is itself shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from accord.server.audit import service as audit
from accord.server.banks.feeds import (
    entry_signals,
    insert_signals,
    lock_index_feeds,
    record_removals,
)
from accord.server.banks.models import Bank, BankEntry, EntrySignal
from accord.server.banks.sharing import publish_entries, withdraw_entries
from accord.server.db.base import utc_now
from accord.sharing.stix import RemoteIndicator, parse_time, stix_time

#: Ids per ``IN (...)`` list: well under every database's bound on parameters.
_CHUNK = 1000


@dataclass(frozen=True, slots=True)
class RemoteApplied:
    added: int = 0
    updated: int = 0
    withdrawn: int = 0
    #: Versions already applied, and revocations of entries this bank does not hold.
    unchanged: int = 0


def apply_remote_indicators(
    session: Session,
    bank: Bank,
    exchange: str,
    indicators: Sequence[RemoteIndicator],
    *,
    owners: Mapping[str, str] | None = None,
) -> RemoteApplied:
    """Apply a page of the exchange ``exchange``'s indicators to ``bank``, in the caller's
    transaction. ``owners`` names the publisher's identities (``created_by_ref``); an owner
    it does not name is kept as the bank's owner. The signals must already be canonical
    (``validate_signals``), as for ``add_entries``."""
    latest: dict[str, RemoteIndicator] = {}
    for indicator in indicators:  # a page may carry two versions of one indicator
        kept = latest.get(indicator.stix_id)
        if kept is None or indicator.modified > kept.modified:
            latest[indicator.stix_id] = indicator
    if not latest:
        return RemoteApplied()
    lock_index_feeds(session)
    held = _held(session, bank, list(latest))
    fresh: list[RemoteIndicator] = []
    newer: list[tuple[BankEntry, RemoteIndicator]] = []
    gone: list[BankEntry] = []
    unchanged = 0
    for stix_id, indicator in latest.items():
        entry = held.get(stix_id)
        if entry is None:
            if indicator.revoked:
                unchanged += 1
            else:
                fresh.append(indicator)
        elif indicator.modified <= _applied_version(entry):
            unchanged += 1
        elif indicator.revoked:
            gone.append(entry)
        else:
            newer.append((entry, indicator))
    names = dict(owners or {})
    _withdraw(session, bank, gone)
    added = _add(session, bank, exchange, fresh, names)
    _update(session, bank, exchange, newer, names)
    publish_entries(session, bank, [*added, *(entry.id for entry, _ in newer)])
    applied = RemoteApplied(len(added), len(newer), len(gone), unchanged)
    if added or newer or gone:
        audit.record(
            session,
            "fetch",
            "bank_entries",
            f"bank:{bank.id}",
            after={
                "bank": bank.name,
                "exchange": exchange,
                "added": applied.added,
                "updated": applied.updated,
                "withdrawn": applied.withdrawn,
            },
        )
    return applied


def entry_origins(session: Session, entry_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Where each fetched entry among ``entry_ids`` came from: its ``origin`` as applied
    (``{"exchange", "owner", "marking", "case_reference", "modified"}``) with its
    ``remote_id``, as a match shows it; entries made here are left out."""
    ids = list(dict.fromkeys(entry_ids))
    found: dict[int, dict[str, Any]] = {}
    for start in range(0, len(ids), _CHUNK):
        rows = session.execute(
            select(BankEntry.id, BankEntry.remote_id, BankEntry.origin).where(
                BankEntry.id.in_(ids[start : start + _CHUNK]), BankEntry.remote_id.is_not(None)
            )
        )
        for entry_id, remote_id, origin in rows:
            found[entry_id] = {**(origin or {}), "remote_id": remote_id}
    return found


def _held(session: Session, bank: Bank, stix_ids: list[str]) -> dict[str, BankEntry]:
    held: dict[str, BankEntry] = {}
    for start in range(0, len(stix_ids), _CHUNK):
        rows = session.scalars(
            select(BankEntry).where(
                BankEntry.bank_id == bank.id,
                BankEntry.remote_id.in_(stix_ids[start : start + _CHUNK]),
            )
        )
        held.update((entry.remote_id, entry) for entry in rows if entry.remote_id)
    return held


def _applied_version(entry: BankEntry) -> datetime:
    return parse_time((entry.origin or {}).get("modified"), "the applied version")


def _origin(
    exchange: str, indicator: RemoteIndicator, owners: Mapping[str, str], bank: Bank
) -> dict[str, Any]:
    """The one place an entry's ``origin`` is made: what a match shows of it (API, CLI,
    case page), with the version applied (``modified``)."""
    owner = owners.get(indicator.owner_ref or "") or bank.owner
    return {
        "exchange": exchange,
        "owner": owner,
        "marking": indicator.marking,
        "case_reference": indicator.case_reference,
        "modified": stix_time(indicator.modified),
    }


def _add(
    session: Session,
    bank: Bank,
    exchange: str,
    indicators: list[RemoteIndicator],
    owners: Mapping[str, str],
) -> list[int]:
    if not indicators:
        return []
    now = utc_now()
    source = f"exchange:{exchange}"
    rows = [
        {
            "bank_id": bank.id,
            "source": source,
            "labels": list(indicator.labels),
            "note": indicator.note,
            "extra": {},
            "added_by": source,
            "added_at": now,
            "updated_at": now,
            "enabled": True,
            "remote_id": indicator.stix_id,
            "origin": _origin(exchange, indicator, owners, bank),
        }
        for indicator in indicators
    ]
    ids = list(
        session.scalars(
            insert(BankEntry).returning(BankEntry.id, sort_by_parameter_order=True), rows
        ).all()
    )
    insert_signals(session, zip(ids, (i.signals for i in indicators), strict=True))
    return ids


def _update(
    session: Session,
    bank: Bank,
    exchange: str,
    newer: list[tuple[BankEntry, RemoteIndicator]],
    owners: Mapping[str, str],
) -> None:
    """Newer versions: fields replaced, and signals too where they changed (the entry's
    ``enabled`` stays as this instance set it)."""
    if not newer:
        return
    signals = entry_signals(session, [entry.id for entry, _ in newer])
    changed = [(entry, ind) for entry, ind in newer if signals.get(entry.id) != ind.signals]
    _drop_signals(session, [entry.id for entry, _ in changed])
    insert_signals(session, ((entry.id, ind.signals) for entry, ind in changed))
    for entry, indicator in newer:
        entry.labels = list(indicator.labels)
        entry.note = indicator.note
        entry.origin = _origin(exchange, indicator, owners, bank)
    session.flush()


def _withdraw(session: Session, bank: Bank, entries: list[BankEntry]) -> None:
    """Delete revoked entries (their indicators revoked first where this bank is shared)."""
    if not entries:
        return
    entry_ids = [entry.id for entry in entries]
    withdraw_entries(session, bank, entry_ids)
    _drop_signals(session, entry_ids)
    for start in range(0, len(entry_ids), _CHUNK):
        session.execute(
            delete(BankEntry)
            .where(BankEntry.id.in_(entry_ids[start : start + _CHUNK]))
            .execution_options(synchronize_session=False)
        )
    for entry in entries:  # gone from the table: the session must not write them back
        session.expunge(entry)


def _drop_signals(session: Session, entry_ids: list[int]) -> None:
    """Remove the entries' signals, logging them on the removals feed."""
    for start in range(0, len(entry_ids), _CHUNK):
        chunk = entry_ids[start : start + _CHUNK]
        record_removals(
            session,
            select(EntrySignal.id, EntrySignal.signal_type).where(EntrySignal.entry_id.in_(chunk)),
        )
        session.execute(delete(EntrySignal).where(EntrySignal.entry_id.in_(chunk)))
