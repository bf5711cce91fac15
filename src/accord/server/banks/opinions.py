"""Partners' opinions and sightings on a shared bank's entries (received over TAXII).

STUB: the signatures are fixed (the TAXII domain calls them); the bodies are to be written.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from accord.server.banks.models import Bank, EntryOpinion, EntrySighting
from accord.sharing.stix import RemoteOpinion, RemoteSighting


def record_opinion(
    session: Session, bank: Bank, partner: str, opinion: RemoteOpinion, body: dict[str, Any]
) -> EntryOpinion:
    """Keep ``partner``'s opinion on an indicator of ``bank``'s collection; ``NotFound``
    when the indicator is not one of its entries. Posting the same opinion id again
    returns the row already kept."""
    raise NotImplementedError


def record_sighting(
    session: Session, bank: Bank, partner: str, sighting: RemoteSighting, body: dict[str, Any]
) -> EntrySighting:
    """Keep ``partner``'s sighting of an indicator of ``bank``'s collection (as above)."""
    raise NotImplementedError


def entry_opinions(session: Session, entry_ids: Iterable[int]) -> dict[int, Any]:
    """Each entry's opinions and whether they disagree (its ``disputed`` flag)."""
    raise NotImplementedError
