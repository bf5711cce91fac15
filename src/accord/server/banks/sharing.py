"""A shared bank's publication: the STIX objects its TAXII collection serves.

Every write to a shared bank's entries calls ``publish_entries`` (or ``withdraw_entries``
before a delete), which appends the entries' new versions to ``shared_objects``. Reading
the collection is then a range scan: no STIX is built while a partner fetches. Beside
the indicators the collection serves the owner's ``identity`` and the TLP
``marking-definition`` objects the indicators name.

An entry's indicator keeps its id while the entry lives and is enabled; disabling or
deleting it publishes a revoked version (STIX revocation is final), and an entry enabled
again is published under a new id. TLP:RED banks are never shared, and nothing of a
RED bank is ever written here. An entry's ``note`` is never published: reviewers' notes
are local and may name people.

Unsharing stops the updates: partners keep what they fetched, and what changes while the
bank is not shared reaches them only if it is shared again. A shared bank cannot be
deleted (``delete_bank`` refuses), since its subscribers would never learn of the
revocations.

An entry fetched from another publisher's exchange is passed on only as TLP allows a
recipient to: when it came marked TLP:CLEAR or TLP:GREEN (or unmarked), and never under a
weaker marking than it came with.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from accord.errors import Conflict
from accord.server.banks.feeds import entry_signals, lock_index_feeds
from accord.server.banks.models import OPEN_MARKINGS, Bank, BankEntry, Marking, SharedObject
from accord.server.db.base import utc_now
from accord.sharing import stix

#: Entries read and written per statement while a whole bank is published.
_PUBLISH_BATCH = 2_000
_TICK = timedelta(microseconds=1)
#: TLP 2.0's markings from the weakest to the strictest.
_TLP_ORDER = tuple(stix.TLP_MARKING_IDS)


def refuse_red(bank: Bank, marking: str | None = None) -> None:
    """TLP:RED is for the eyes of this instance only: such a bank is never shared."""
    if (marking or bank.marking) == Marking.RED.value:
        msg = (
            f"bank {bank.name} is marked TLP:RED, which never leaves this instance; "
            "mark it TLP:AMBER+STRICT, TLP:AMBER, TLP:GREEN or TLP:CLEAR to share it"
        )
        raise Conflict(msg)


def share_bank(session: Session, bank: Bank) -> Bank:
    """Serve ``bank`` as a TAXII collection, with every entry it holds now."""
    refuse_red(bank)
    if bank.shared:
        return bank
    bank.shared = True
    bank.collection_id = bank.collection_id or str(uuid.uuid4())
    session.flush()
    republish_bank(session, bank)
    return bank


def unshare_bank(session: Session, bank: Bank) -> Bank:
    """Stop serving ``bank``; what partners fetched stays theirs, and sharing again
    republishes every entry."""
    bank.shared = False
    session.flush()
    return bank


def republish_bank(session: Session, bank: Bank) -> None:
    """A new version of everything ``bank`` shares: its owner, its marking and every
    entry (after its owner, marking, kind or name changed, or when it is shared again).
    Indicators whose entry was deleted while the bank was not shared are revoked."""
    if not bank.shared:
        return
    refuse_red(bank)
    lock_index_feeds(session)
    now = utc_now()
    identity = _identity_row(bank, now)
    markings = _marking_rows(session, bank, [bank.marking])
    _replace(session, bank, [identity, *markings], now)
    # Only the current owner's identity is served; a former owner's is dropped.
    session.execute(
        delete(SharedObject).where(
            SharedObject.bank_id == bank.id,
            SharedObject.object_type == "identity",
            SharedObject.stix_id != identity["stix_id"],
        )
    )
    orphans = session.scalars(
        select(SharedObject).where(
            SharedObject.bank_id == bank.id,
            SharedObject.object_type == "indicator",
            SharedObject.entry_id.is_(None),
            SharedObject.revoked.is_(False),
        )
    ).all()
    _replace(session, bank, [_revoked_row(row, now) for row in orphans], now)
    after = 0
    while True:
        ids = session.scalars(
            select(BankEntry.id)
            .where(BankEntry.bank_id == bank.id, BankEntry.id > after)
            .order_by(BankEntry.id)
            .limit(_PUBLISH_BATCH)
        ).all()
        if not ids:
            return
        publish_entries(session, bank, ids)
        after = ids[-1]


def publish_entries(session: Session, bank: Bank, entry_ids: Sequence[int]) -> None:
    """New versions of the indicators of ``entry_ids`` (entries of ``bank``), as they
    stand now; nothing when the bank is not shared."""
    if not bank.shared or not entry_ids:
        return
    refuse_red(bank)
    lock_index_feeds(session)
    now = utc_now()
    entries = session.scalars(
        select(BankEntry).where(BankEntry.id.in_(entry_ids)).order_by(BankEntry.id)
    ).all()
    signals = entry_signals(session, [entry.id for entry in entries])
    live = _live_indicators(session, bank, [entry.id for entry in entries])
    rows: list[dict[str, Any]] = []
    markings: set[str] = set()
    for entry in entries:
        current = live.get(entry.id)
        if entry.enabled and signals.get(entry.id) and _may_pass_on(entry):
            stix_id = current.stix_id if current else stix.new_id("indicator")
            created = _created(current) if current else now
            modified = _next_version(current, now)
            marking = _marking_of(bank, entry)
            row = _indicator_row(
                bank, entry, signals[entry.id], stix_id, marking, created=created, now=modified
            )
            # A write that changes nothing a partner sees (a URL, a note, a bank's
            # thresholds) is no new version: subscribers would fetch it for nothing.
            if current is None or _differs(current.body, row["body"]):
                rows.append(row)
                markings.add(marking)
        elif current is not None:
            rows.append(_revoked_row(current, now))
    # A marking definition goes before the first indicator that names it.
    _replace(session, bank, [*_marking_rows(session, bank, markings), *rows], now)


def withdraw_entries(session: Session, bank: Bank, entry_ids: Sequence[int]) -> None:
    """Revoke the indicators of entries about to be deleted (call before deleting)."""
    if not bank.shared or not entry_ids:
        return
    lock_index_feeds(session)
    now = utc_now()
    live = _live_indicators(session, bank, entry_ids)
    _replace(session, bank, [_revoked_row(row, now) for row in live.values()], now)


def forget_publication(session: Session, bank: Bank) -> None:
    """Drop everything ``bank`` published, before it is marked TLP:RED: a RED bank keeps
    nothing ready to serve. Sharing it again (once re-marked) publishes every entry anew,
    under new indicator ids."""
    session.execute(delete(SharedObject).where(SharedObject.bank_id == bank.id))


def indicator_entry(session: Session, bank: Bank, stix_id: str) -> int | None:
    """The entry behind the indicator ``stix_id`` of ``bank``'s collection, whether the
    indicator is live or revoked; None when the collection has no such indicator or its
    entry was deleted."""
    return session.scalar(
        select(SharedObject.entry_id).where(
            SharedObject.bank_id == bank.id,
            SharedObject.stix_id == stix_id,
            SharedObject.object_type == "indicator",
        )
    )


def entry_indicators(session: Session, entry_ids: Iterable[int]) -> dict[int, str]:
    """The live indicator id of each shared entry among ``entry_ids``."""
    ids = list(entry_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(SharedObject.entry_id, SharedObject.stix_id).where(
            SharedObject.entry_id.in_(ids),
            SharedObject.object_type == "indicator",
            SharedObject.revoked.is_(False),
        )
    ).all()
    return {entry_id: stix_id for entry_id, stix_id in rows if entry_id is not None}


def _replace(session: Session, bank: Bank, rows: Sequence[dict[str, Any]], now: datetime) -> None:
    """Put ``rows`` at the end of the collection, each replacing the row of its object."""
    if not rows:
        return
    # Read before the replaced rows go: when one of them is the newest, the new versions
    # must still come after it, or a subscriber checkpointed there would never see them.
    last = session.scalar(
        select(func.max(SharedObject.date_added)).where(SharedObject.bank_id == bank.id)
    )
    session.execute(
        delete(SharedObject).where(
            SharedObject.bank_id == bank.id,
            SharedObject.stix_id.in_([row["stix_id"] for row in rows]),
        )
    )
    start = now if last is None or last < now else last + _TICK
    session.execute(
        insert(SharedObject),
        [{**row, "date_added": start + _TICK * index} for index, row in enumerate(rows)],
    )


def _live_indicators(
    session: Session, bank: Bank, entry_ids: Sequence[int]
) -> dict[int, SharedObject]:
    rows = session.scalars(
        select(SharedObject).where(
            SharedObject.bank_id == bank.id,
            SharedObject.entry_id.in_(entry_ids),
            SharedObject.object_type == "indicator",
            SharedObject.revoked.is_(False),
        )
    ).all()
    return {row.entry_id: row for row in rows if row.entry_id is not None}


def _differs(served: str, fresh: str) -> bool:
    """Whether two versions of an indicator say different things (``modified`` aside)."""
    before, after = json.loads(served), json.loads(fresh)
    before.pop("modified", None)
    after.pop("modified", None)
    return bool(before != after)


def _created(row: SharedObject) -> datetime:
    return stix.parse_time(json.loads(row.body)["created"])


def _may_pass_on(entry: BankEntry) -> bool:
    """Whether TLP lets this instance share the entry: its own, or fetched as CLEAR or
    GREEN (or unmarked)."""
    marking = (entry.origin or {}).get("marking")
    return marking is None or marking in OPEN_MARKINGS


def _marking_of(bank: Bank, entry: BankEntry) -> str:
    """The bank's marking, or the one a fetched entry came with where that is stricter."""
    came = (entry.origin or {}).get("marking")
    if came not in _TLP_ORDER:
        return bank.marking
    return max(bank.marking, str(came), key=_TLP_ORDER.index)


def owner_of(bank: Bank) -> str:
    """The owner a bank is published under (its name when it has none), as its STIX
    identity names it and partners' keys name it in ``partner_of``."""
    return bank.owner or bank.name


def _indicator_row(
    bank: Bank,
    entry: BankEntry,
    signals: dict[str, str],
    stix_id: str,
    marking: str,
    *,
    created: datetime,
    now: datetime,
) -> dict[str, Any]:
    body = stix.indicator(
        stix.SharedEntry(
            stix_id=stix_id,
            created=created,
            modified=now,
            bank=bank.name,
            entry_id=entry.id,
            kind=bank.kind,
            owner=owner_of(bank),
            marking=marking,
            signals=signals,
            labels=entry.labels,
            case_reference=entry.case_reference,
            # Reviewers' notes stay home: they are local and may name people (the
            # indicator gets the mapping's standard description instead).
            note="",
        )
    )
    return {
        "bank_id": bank.id,
        "entry_id": entry.id,
        "stix_id": stix_id,
        "object_type": "indicator",
        "version": now,
        "revoked": False,
        "body": _dump(body),
    }


def _next_version(row: SharedObject | None, now: datetime) -> datetime:
    """``now``, or just after ``row``'s version if the clock has not passed it: a new
    version's ``modified`` must be later than the one it replaces."""
    if row is None or row.version < now:
        return now
    return row.version + _TICK


def _revoked_row(row: SharedObject, now: datetime) -> dict[str, Any]:
    """The next version of ``row``'s indicator: the same, revoked."""
    now = _next_version(row, now)
    body = json.loads(row.body)
    body["modified"] = stix.stix_time(now)
    body["revoked"] = True
    return {
        "bank_id": row.bank_id,
        "entry_id": row.entry_id,
        "stix_id": row.stix_id,
        "object_type": row.object_type,
        "version": now,
        "revoked": True,
        "body": _dump(body),
    }


def _identity_row(bank: Bank, now: datetime) -> dict[str, Any]:
    body = stix.identity(owner_of(bank), now)
    return {
        "bank_id": bank.id,
        "entry_id": None,
        "stix_id": body["id"],
        "object_type": "identity",
        "version": now,
        "revoked": False,
        "body": _dump(body),
    }


def _marking_rows(session: Session, bank: Bank, markings: Iterable[str]) -> list[dict[str, Any]]:
    """The TLP marking definitions of ``markings`` that ``bank``'s collection does not
    serve yet (they never change, so one served is never published again)."""
    wanted = {stix.TLP_MARKING_IDS[marking]: marking for marking in sorted(markings)}
    if not wanted:
        return []
    served = set(
        session.scalars(
            select(SharedObject.stix_id).where(
                SharedObject.bank_id == bank.id, SharedObject.stix_id.in_(list(wanted))
            )
        )
    )
    rows = []
    for stix_id, marking in wanted.items():
        if stix_id in served:
            continue
        body = stix.marking_definition(marking)
        rows.append(
            {
                "bank_id": bank.id,
                "entry_id": None,
                "stix_id": stix_id,
                "object_type": "marking-definition",
                "version": stix.parse_time(body["created"]),
                "revoked": False,
                "body": _dump(body),
            }
        )
    return rows


def _dump(body: dict[str, Any]) -> str:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False)
