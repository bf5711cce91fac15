"""An exchange's fixtures: a TAXII peer on loopback, an HTTP client, and a subscriber
that subscribes to the peer's collection and fetches it into the test's database."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.banks import service as banks
from accord.server.exchanges import service as exchanges
from accord.server.exchanges.models import Exchange
from accord.server.exchanges.schemas import FetchLimits, FetchReport
from tests.integration.exchanges.taxii_peer import PEER_KEY, TaxiiPeer, identity, taxii_peer
from tests.integration.notice_action import runtime_of

#: Small pages, so a few objects make several.
LIMITS = FetchLimits(page_objects=2)


@pytest.fixture
def peer() -> Iterator[TaxiiPeer]:
    with taxii_peer() as running:
        yield running


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client() as client:
        yield client


@dataclass
class Subscriber:
    """This instance, subscribing to the peer's collection DEEPFAKES (its owner's
    identity published) into the bank EC_DEEPFAKES, through the exchange FROM_EC."""

    db: Session
    sessions: sessionmaker[Session]
    http: httpx.Client
    peer: TaxiiPeer
    master_key: str
    collection: str

    def subscribe(self, **changes: Any) -> Exchange:
        options: dict[str, Any] = {
            "name": "FROM_EC",
            "url": self.peer.discovery,
            "collection": "DEEPFAKES",
            "bank": "EC_DEEPFAKES",
            "api_key": PEER_KEY,
            "master_key": self.master_key,
            "limits": LIMITS,
            **changes,
        }
        exchange = exchanges.add_exchange(self.db, self.http, **options)
        self.db.commit()
        return exchange

    def fetch(self, name: str = "FROM_EC", limits: FetchLimits = LIMITS) -> FetchReport:
        return exchanges.fetch_exchange(
            self.sessions, self.http, name, master_key=self.master_key, limits=limits
        )

    def publish(self, *bodies: dict[str, Any]) -> None:
        self.peer.publish(self.collection, *bodies)

    def fetched(self, bank: str = "EC_DEEPFAKES") -> dict[str, dict[str, str]]:
        return fetched(self.db, bank)

    def row(self, name: str = "FROM_EC") -> Exchange:
        """The exchange's row as it stands now."""
        self.db.expire_all()
        return self.db.scalars(select(Exchange).where(Exchange.name == name)).one()


@pytest.fixture
def subscriber(
    client: TestClient, db_session: Session, http: httpx.Client, peer: TaxiiPeer
) -> Subscriber:
    runtime = runtime_of(client)
    collection = peer.collection("DEEPFAKES")
    peer.publish(collection, identity())
    return Subscriber(
        db=db_session,
        sessions=runtime.sessions,
        http=http,
        peer=peer,
        master_key=runtime.settings.master_key.get_secret_value(),
        collection=collection,
    )


def fetched(db_session: Session, bank: str = "EC_DEEPFAKES") -> dict[str, dict[str, str]]:
    """The bank's entries: ``{remote id: signals}``."""
    local = banks.get_bank(db_session, bank)
    entries = banks.list_entries(db_session, local, limit=10_000)
    signals = banks.entry_signals(db_session, [entry.id for entry in entries])
    return {str(entry.remote_id): signals[entry.id] for entry in entries}
