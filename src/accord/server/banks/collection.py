"""Reading a shared bank's TAXII collection: pages of ``shared_objects`` in the order they
were added, filtered as TAXII's ``match[...]`` parameters ask."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.banks.models import Bank, Marking, SharedObject


@dataclass(frozen=True, slots=True)
class CollectionPage:
    objects: list[SharedObject]
    #: Whether objects after the last one match too (TAXII's ``more``).
    more: bool


def shared_banks(session: Session) -> list[Bank]:
    """Every bank served as a collection; a RED bank never is, whatever its flag says."""
    return list(
        session.scalars(
            select(Bank)
            .where(Bank.shared.is_(True), Bank.marking != Marking.RED.value)
            .order_by(Bank.name)
        )
    )


def shared_bank(session: Session, collection_id: str) -> Bank | None:
    """The shared bank served as ``collection_id``, or None."""
    return session.scalars(
        select(Bank).where(
            Bank.collection_id == collection_id,
            Bank.shared.is_(True),
            Bank.marking != Marking.RED.value,
        )
    ).first()


def collection_page(
    session: Session,
    bank: Bank,
    *,
    limit: int,
    after_id: int = 0,
    added_after: datetime | None = None,
    types: Collection[str] = (),
    ids: Collection[str] = (),
    versions: Collection[datetime] = (),
) -> CollectionPage:
    """Up to ``limit`` objects after the position ``after_id`` (a row id: TAXII's
    ``next``) and added after ``added_after``, oldest first."""
    query = select(SharedObject).where(SharedObject.bank_id == bank.id)
    if after_id:
        query = query.where(SharedObject.id > after_id)
    if added_after is not None:
        query = query.where(SharedObject.date_added > added_after)
    if types:
        query = query.where(SharedObject.object_type.in_(list(types)))
    if ids:
        query = query.where(SharedObject.stix_id.in_(list(ids)))
    if versions:
        query = query.where(SharedObject.version.in_(list(versions)))
    rows = list(session.scalars(query.order_by(SharedObject.id).limit(limit + 1)))
    return CollectionPage(objects=rows[:limit], more=len(rows) > limit)


def collection_object(session: Session, bank: Bank, stix_id: str) -> SharedObject | None:
    """The latest version of the object ``stix_id`` in ``bank``'s collection."""
    return session.scalars(
        select(SharedObject).where(SharedObject.bank_id == bank.id, SharedObject.stix_id == stix_id)
    ).first()
