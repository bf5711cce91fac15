"""Subscribing to a real accord publisher: its TAXII 2.1 collections, served by the app
itself (the test client is the HTTP client), in the same database as the subscriber's
bank. Paging, increments, withdrawals, visibility and the write-back all go through
accord's own TAXII server."""

from __future__ import annotations

from typing import cast

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import NotFound
from accord.server.auth.keys import create_key
from accord.server.banks import service as banks
from accord.server.banks.models import Bank
from accord.server.banks.schemas import EntryFields, Marking
from accord.server.exchanges import service as exchanges
from accord.server.exchanges.schemas import FetchReport
from accord.sharing import stix
from tests.integration.exchanges.conftest import LIMITS, fetched
from tests.integration.exchanges.taxii_peer import OWNER, pdq
from tests.integration.notice_action import runtime_of

DISCOVERY = "https://testserver/taxii2/"


def _share_key(db_session: Session, name: str, partner_of: list[str]) -> str:
    row, key = create_key(db_session, name, ["share"])
    row.partner_of = partner_of
    db_session.flush()
    return key


def _publisher_bank(db_session: Session, count: int, marking: Marking = Marking.AMBER) -> Bank:
    bank = banks.create_bank(db_session, "DEEPFAKES", owner=OWNER, marking=marking)
    fields = EntryFields(labels=["deepfake"], case_reference="C-2026-1")
    banks.add_entries(db_session, bank, [({"pdq": pdq(n)}, fields) for n in range(count)])
    banks.share_bank(db_session, bank)
    db_session.commit()
    return bank


def _own(client: TestClient) -> tuple[sessionmaker[Session], str]:
    """The subscriber's sessions and master key: the same app's."""
    runtime = runtime_of(client)
    return runtime.sessions, runtime.settings.master_key.get_secret_value()


def _http(client: TestClient) -> httpx.Client:
    """The app's test client: an ``httpx.Client`` that calls the app in this process."""
    return cast("httpx.Client", client)


def _subscribe(db_session: Session, client: TestClient, master_key: str, key: str) -> None:
    exchanges.add_exchange(
        db_session,
        _http(client),
        name="FROM_A",
        url=DISCOVERY,
        collection="DEEPFAKES",
        bank="FROM_A",
        api_key=key,
        master_key=master_key,
        limits=LIMITS,
        report_sightings=True,
    )
    db_session.commit()


def _fetch(sessions: sessionmaker[Session], client: TestClient, master_key: str) -> FetchReport:
    return exchanges.fetch_exchange(
        sessions, _http(client), "FROM_A", master_key=master_key, limits=LIMITS
    )


def test_an_accord_collection_is_fetched_whole_then_by_increments_and_withdrawals(
    client: TestClient, db_session: Session
) -> None:
    sessions, master_key = _own(client)
    publisher = _publisher_bank(db_session, 5)
    key = _share_key(db_session, "PLATFORM_B", [OWNER])
    _subscribe(db_session, client, master_key, key)
    local = banks.get_bank(db_session, "FROM_A")
    assert local.owner == OWNER  # the collection's identity names its publisher

    first = _fetch(sessions, client, master_key)
    assert (first.added, first.error) == (5, None)
    assert first.pages == 3  # the identity and 5 indicators, 2 a page
    assert sorted(signals["pdq"] for signals in fetched(db_session, "FROM_A").values()) == sorted(
        pdq(n) for n in range(5)
    )
    entry = banks.list_entries(db_session, local)[0]
    assert entry.origin is not None
    assert (entry.origin["owner"], entry.origin["marking"]) == (OWNER, "TLP:AMBER")
    assert entry.labels == ["deepfake"]
    # The publisher's case is where the entry came from, not one of this instance's cases.
    assert entry.origin["case_reference"] == "C-2026-1"
    assert (entry.case_reference, entry.extra) == (None, {})

    again = _fetch(sessions, client, master_key)
    assert (again.added, again.updated, again.withdrawn, again.pages) == (0, 0, 0, 1)

    added = banks.add_entry(db_session, publisher, {"pdq": pdq(9)}, EntryFields())
    [gone] = banks.list_entries(db_session, publisher, limit=1)
    banks.delete_entry(db_session, gone)
    db_session.commit()
    increment = _fetch(sessions, client, master_key)
    assert (increment.added, increment.withdrawn, increment.error) == (1, 1, None)
    remote_ids = set(fetched(db_session, "FROM_A"))
    assert len(remote_ids) == 5
    assert banks.entry_indicators(db_session, [added.id])[added.id] in remote_ids


def test_opinions_and_sightings_reach_the_accord_publisher(
    client: TestClient, db_session: Session
) -> None:
    sessions, master_key = _own(client)
    publisher = _publisher_bank(db_session, 1)
    key = _share_key(db_session, "PLATFORM_B", [OWNER])
    _subscribe(db_session, client, master_key, key)
    _fetch(sessions, client, master_key)
    [entry] = banks.list_entries(db_session, banks.get_bank(db_session, "FROM_A"))
    message = exchanges.queue_opinion(
        db_session, entry.id, stix.Verdict.FALSE_POSITIVE, "a mural", author="Platform B"
    )
    assert exchanges.queue_sightings(db_session, [entry.id]) == 1
    db_session.commit()
    posted = exchanges.send_now(sessions, message.id, master_key=master_key, http=_http(client))
    assert (posted.status, posted.reason) == ("sent", "")
    assert exchanges.deliver_due(sessions, master_key=master_key, http=_http(client)) == 1
    [original] = banks.list_entries(db_session, publisher)
    [opinion] = banks.entry_opinions(db_session, [original.id])[original.id]["opinions"]
    # The publisher knows the partner by its key's name, whatever the object says.
    assert (opinion["partner"], opinion["verdict"], opinion["note"]) == (
        "PLATFORM_B",
        "false_positive",
        "a mural",
    )
    assert banks.entry_sightings(db_session, [original.id]) == {original.id: 1}


def test_an_amber_collection_is_invisible_to_a_key_that_is_not_a_partner(
    client: TestClient, db_session: Session
) -> None:
    _, master_key = _own(client)
    _publisher_bank(db_session, 1)
    stranger = _share_key(db_session, "STRANGER", [])
    with pytest.raises(NotFound, match="has no collection 'DEEPFAKES' for this key"):
        _subscribe(db_session, client, master_key, stranger)
    db_session.rollback()
    assert banks.find_bank(db_session, "FROM_A") is None
