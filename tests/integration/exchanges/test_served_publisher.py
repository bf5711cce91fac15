"""Fetching from a real ``accord serve`` on loopback, with its own database: the answers
stream over a socket from uvicorn, as they do between two instances."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.auth.keys import create_key
from accord.server.banks import service as banks
from accord.server.banks.schemas import EntryFields, Marking
from accord.server.db.engine import make_engine, make_session_factory
from accord.server.db.migrate import upgrade
from accord.server.exchanges import service as exchanges
from tests.integration.exchanges.conftest import LIMITS, fetched
from tests.integration.exchanges.taxii_peer import OWNER, pdq
from tests.integration.notice_action import runtime_of
from tests.integration.serving import serve


@dataclass(frozen=True)
class Publisher:
    base: str
    key: str
    database_url: str

    def add_entry(self) -> None:
        """One more entry in the shared bank, written as another process would."""
        with self._session() as session:
            bank = banks.get_bank(session, "DEEPFAKES")
            count = len(banks.list_entries(session, bank, limit=1000))
            banks.add_entry(session, bank, {"pdq": pdq(100 + count)}, EntryFields())
            session.commit()

    def signals(self) -> list[str]:
        with self._session() as session:
            bank = banks.get_bank(session, "DEEPFAKES")
            ids = [entry.id for entry in banks.list_entries(session, bank, limit=1000)]
            return sorted(signals["pdq"] for signals in banks.entry_signals(session, ids).values())

    @contextmanager
    def _session(self) -> Iterator[Session]:
        engine = make_engine(self.database_url)
        try:
            with make_session_factory(engine)() as session:
                yield session
        finally:
            engine.dispose()


@pytest.fixture(scope="module")
def publisher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Publisher]:
    data: Path = tmp_path_factory.mktemp("publisher")
    url = f"sqlite:///{data / 'accord.db'}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        bank = banks.create_bank(session, "DEEPFAKES", owner=OWNER, marking=Marking.AMBER)
        entries = [({"pdq": pdq(n)}, EntryFields(labels=["deepfake"])) for n in range(3)]
        banks.add_entries(session, bank, entries)
        banks.share_bank(session, bank)
        row, key = create_key(session, "PLATFORM_B", ["share"])
        row.partner_of = [OWNER]
        session.commit()
    engine.dispose()
    with serve(data, exchange_poll_seconds="3600") as served:
        yield Publisher(served.base, key, url)


def test_a_served_collection_is_fetched_over_the_socket(
    publisher: Publisher, client: TestClient, db_session: Session
) -> None:
    runtime = runtime_of(client)
    master_key = runtime.settings.master_key.get_secret_value()
    with httpx.Client() as http:
        exchanges.add_exchange(
            db_session,
            http,
            name="FROM_A",
            url=f"{publisher.base}/taxii2/",
            collection="DEEPFAKES",
            bank="FROM_A",
            api_key=publisher.key,
            master_key=master_key,
            limits=LIMITS,
        )
        db_session.commit()
        assert banks.get_bank(db_session, "FROM_A").owner == OWNER
        first = exchanges.fetch_exchange(
            runtime.sessions, http, "FROM_A", master_key=master_key, limits=LIMITS
        )
        assert (first.added, first.error) == (len(publisher.signals()), None)
        publisher.add_entry()
        more = exchanges.fetch_exchange(
            runtime.sessions, http, "FROM_A", master_key=master_key, limits=LIMITS
        )
        assert (more.added, more.pages, more.error) == (1, 1, None)
    signals = sorted(item["pdq"] for item in fetched(db_session, "FROM_A").values())
    assert signals == publisher.signals()
