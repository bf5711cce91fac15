"""Partners' opinions and sightings on a shared bank's entries (received over TAXII).

Each is kept once by its STIX id (a partner posting it again gets the row kept). They stay
with the publisher: serving them to other partners would let one partner speak in
another's name (a posted object names its author itself) and tell every partner what the
others' users upload. What they change reaches everyone: an entry disabled by the
false-positive limit is revoked in the collection. A partner's latest opinion on an
entry is the one that counts, latest by arrival here (the time a partner claims is only
shown: a future-dated opinion must not outweigh the ones that come after it): the entry
is ``disputed`` when partners' latest opinions disagree, and once
``Bank.false_positive_limit`` distinct partners call it a false positive, it is disabled
here and revoked in the collection, so it stops matching everywhere.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TypedDict, TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.server.audit import service as audit
from accord.server.banks.feeds import lock_index_feeds
from accord.server.banks.models import Bank, BankEntry, EntryOpinion, EntrySighting
from accord.server.banks.sharing import indicator_entry, publish_entries
from accord.sharing.stix import RemoteOpinion, RemoteSighting, Verdict

#: A row kept once per STIX id: an opinion or a sighting.
_Posted = TypeVar("_Posted", EntryOpinion, EntrySighting)


class OpinionView(TypedDict):
    """One partner's opinion on an entry, as pages, exports and the API show it."""

    partner: str
    #: ``sharing.stix.Verdict``'s value: true_positive or false_positive.
    verdict: str
    note: str
    #: When the partner says it gave the opinion (shown, never used to order).
    created_at: datetime
    stix_id: str


class EntryOpinions(TypedDict):
    opinions: list[OpinionView]
    #: Partners' latest opinions disagree: some say true positive, some false positive.
    disputed: bool


def record_opinion(
    session: Session, bank: Bank, partner: str, opinion: RemoteOpinion
) -> EntryOpinion:
    """Keep ``partner``'s opinion on an indicator of ``bank``'s collection; ``NotFound``
    when the indicator is not one of its entries. Posting the same opinion id again
    returns the row already kept."""
    row, added = _keep_once(
        session,
        bank,
        EntryOpinion,
        stix_id=opinion.stix_id,
        indicator_id=opinion.indicator_id,
        make=lambda entry_id: EntryOpinion(
            entry_id=entry_id,
            stix_id=opinion.stix_id,
            verdict=opinion.verdict.value,
            partner=partner,
            note=opinion.note,
            created_at=opinion.created,
        ),
    )
    if added:
        apply_false_positive_limit(session, bank, [row.entry_id])
    return row


def record_sighting(
    session: Session, bank: Bank, partner: str, sighting: RemoteSighting
) -> EntrySighting:
    """Keep ``partner``'s sighting of an indicator of ``bank``'s collection (as above)."""
    row, _ = _keep_once(
        session,
        bank,
        EntrySighting,
        stix_id=sighting.stix_id,
        indicator_id=sighting.indicator_id,
        make=lambda entry_id: EntrySighting(
            entry_id=entry_id,
            stix_id=sighting.stix_id,
            partner=partner,
            count=sighting.count,
            first_seen=sighting.first_seen,
            last_seen=sighting.last_seen,
        ),
    )
    return row


def _keep_once(
    session: Session,
    bank: Bank,
    model: type[_Posted],
    *,
    stix_id: str,
    indicator_id: str,
    make: Callable[[int], _Posted],
) -> tuple[_Posted, bool]:
    """The row kept under ``stix_id``, or a new one ``make`` builds for the entry behind
    ``indicator_id`` (``NotFound`` when ``bank``'s collection has no such entry); and
    whether it is new."""
    kept = session.scalars(select(model).where(model.stix_id == stix_id)).one_or_none()
    if kept is not None:
        return kept, False
    entry_id = indicator_entry(session, bank, indicator_id)
    if entry_id is None:
        msg = f"the collection of bank {bank.name} has no entry with the indicator {indicator_id}"
        raise NotFound(msg)
    row = make(entry_id)
    session.add(row)
    session.flush()
    return row, True


def entry_opinions(session: Session, entry_ids: Iterable[int]) -> dict[int, EntryOpinions]:
    """Each entry's opinions in the order they arrived, and whether they disagree (its
    ``disputed`` flag); an entry without any has an empty list."""
    ids = list(entry_ids)
    found: dict[int, list[EntryOpinion]] = {entry_id: [] for entry_id in ids}
    if ids:
        rows = session.scalars(
            select(EntryOpinion).where(EntryOpinion.entry_id.in_(ids)).order_by(EntryOpinion.id)
        )
        for row in rows:
            found[row.entry_id].append(row)
    return {
        entry_id: {
            "opinions": [_view(row) for row in rows_of_entry],
            "disputed": len(set(_latest_verdicts(rows_of_entry).values())) > 1,
        }
        for entry_id, rows_of_entry in found.items()
    }


def entry_sightings(session: Session, entry_ids: Iterable[int]) -> dict[int, int]:
    """How many matches partners reported seeing on each entry (0 when none)."""
    ids = list(entry_ids)
    found = dict.fromkeys(ids, 0)
    if ids:
        rows = session.execute(
            select(EntrySighting.entry_id, func.sum(EntrySighting.count))
            .where(EntrySighting.entry_id.in_(ids))
            .group_by(EntrySighting.entry_id)
        )
        for entry_id, total in rows:
            found[entry_id] = int(total or 0)
    return found


def apply_false_positive_limit(
    session: Session, bank: Bank, entry_ids: Iterable[int] | None = None
) -> list[int]:
    """Disable the enabled entries (of ``entry_ids``, or all of ``bank``'s) that as many
    distinct partners as the bank's limit call a false positive in their latest opinion;
    their indicators are revoked. Returns the ids disabled."""
    limit = bank.false_positive_limit
    if not limit:
        return []
    # Partners posting at once must see each other's opinions: on PostgreSQL each would
    # otherwise count without the other's and the limit could be missed. The statement
    # below starts after the lock is granted, so it sees every opinion committed before.
    lock_index_feeds(session)
    query = (
        select(BankEntry, EntryOpinion)
        .join(EntryOpinion, EntryOpinion.entry_id == BankEntry.id)
        .where(BankEntry.bank_id == bank.id, BankEntry.enabled.is_(True))
        .order_by(EntryOpinion.id)
    )
    if entry_ids is not None:
        query = query.where(BankEntry.id.in_(list(entry_ids)))
    by_entry: dict[int, tuple[BankEntry, list[EntryOpinion]]] = {}
    for entry, row in session.execute(query):
        by_entry.setdefault(entry.id, (entry, []))[1].append(row)
    disabled: list[int] = []
    for entry, rows in by_entry.values():
        against = sorted(
            partner
            for partner, verdict in _latest_verdicts(rows).items()
            if verdict == Verdict.FALSE_POSITIVE.value
        )
        if len(against) >= limit:
            _disable(session, entry, against, limit)
            disabled.append(entry.id)
    publish_entries(session, bank, disabled)
    return disabled


def _disable(session: Session, entry: BankEntry, partners: list[str], limit: int) -> None:
    entry.enabled = False
    session.flush()
    # The ORM's audit entry says what changed; this one says why.
    audit.record(
        session,
        "disable",
        "bank_entries",
        str(entry.id),
        after={"reason": "false_positive_limit", "limit": limit, "partners": partners},
    )


def _latest_verdicts(rows: Iterable[EntryOpinion]) -> dict[str, str]:
    """Each partner's latest verdict, from ``rows`` in the order they arrived."""
    latest: dict[str, str] = {}
    for row in rows:
        latest[row.partner] = row.verdict
    return latest


def _view(row: EntryOpinion) -> OpinionView:
    return {
        "partner": row.partner,
        "verdict": row.verdict,
        "note": row.note,
        "created_at": row.created_at,
        "stix_id": row.stix_id,
    }
