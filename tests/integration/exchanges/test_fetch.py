"""Fetching an exchange: incremental from the checkpoint, a page per transaction,
idempotent, resumable after a failure between pages, and revocations applied."""

from __future__ import annotations

import logging
from dataclasses import replace

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update
from sqlalchemy.orm import Session

from accord.server.banks import service as banks
from accord.server.exchanges import service as exchanges
from accord.server.exchanges.models import Exchange
from accord.server.exchanges.schemas import FetchReport
from accord.sharing import stix
from tests.integration.exchanges.conftest import LIMITS, Subscriber
from tests.integration.exchanges.taxii_peer import (
    OWNER,
    Reply,
    identity,
    indicator,
    later,
    pdq,
)
from tests.integration.notice_action import runtime_of


def _match(client: TestClient, value: str) -> list[int]:
    runtime_of(client).indexes.dirty = True  # as the server's index syncer would find
    response = client.post("/v1/match", json={"signals": {"pdq": value}})
    assert response.status_code == 200, response.text
    return [match["entry_id"] for match in response.json()["matches"]]


def test_a_first_fetch_takes_every_page_and_keeps_where_each_entry_came_from(
    subscriber: Subscriber,
    db_session: Session,
) -> None:
    bodies = [indicator({"pdq": pdq(n)}, labels=("fake",), note=f"n{n}") for n in range(5)]
    subscriber.publish(*bodies)
    subscriber.subscribe()
    report = subscriber.fetch()
    assert (report.added, report.updated, report.withdrawn, report.pages) == (5, 0, 0, 3)
    assert report.error is None
    assert subscriber.fetched() == {body["id"]: {"pdq": pdq(n)} for n, body in enumerate(bodies)}
    # Only indicators and identities are asked for, 2 at a time, the first time from the start.
    # [0] and [1] were the add's looks at the collection's first indicator and identities.
    assert subscriber.peer.object_requests[:2] == [
        {"match[type]": "indicator", "limit": "1"},
        {"match[type]": "identity", "limit": "10"},
    ]
    first = subscriber.peer.object_requests[2]
    assert first == {"match[type]": "indicator,identity", "limit": "2"}
    assert subscriber.peer.object_requests[3]["next"] == "2"
    local = banks.get_bank(db_session, "EC_DEEPFAKES")
    entry = banks.list_entries(db_session, local)[0]
    assert entry.origin == {
        "exchange": "FROM_EC",
        "owner": OWNER,
        "marking": "TLP:AMBER",
        "case_reference": None,
        "modified": bodies[0]["modified"],
    }
    assert (entry.labels, entry.note, entry.source) == (["fake"], "n0", "exchange:FROM_EC")
    assert banks.entry_origins(db_session, [entry.id]) == {
        entry.id: entry.origin | {"remote_id": bodies[0]["id"]}
    }
    row = subscriber.row()
    assert row.added_after == stix.parse_time(
        stix.stix_time(subscriber.peer.objects[subscriber.collection][-1][0])
    )
    assert (row.objects_fetched, row.last_error) == (6, "")  # the identity counts
    assert row.last_success_at is not None


def test_the_next_fetch_asks_only_for_what_was_added_since(
    subscriber: Subscriber,
) -> None:
    kept, changed, withdrawn = (indicator({"pdq": pdq(n)}) for n in range(3))
    subscriber.publish(kept, changed, withdrawn)
    subscriber.subscribe()
    subscriber.fetch()
    checkpoint = subscriber.row().added_after
    assert checkpoint is not None
    quiet = subscriber.fetch()
    assert (quiet.added, quiet.updated, quiet.withdrawn, quiet.pages) == (0, 0, 0, 1)
    assert subscriber.peer.object_requests[-1]["added_after"] == stix.stix_time(checkpoint)

    fresh = indicator({"pdq": pdq(7)})
    subscriber.publish(
        later(changed, pattern=stix.pattern_of({"pdq": pdq(8)}), labels=["again"]),
        later(withdrawn, revoked=True),
        fresh,
    )
    served_before = len(subscriber.peer.object_requests)
    report = subscriber.fetch()
    assert (report.added, report.updated, report.withdrawn) == (1, 1, 1)
    assert (
        report.pages == len(subscriber.peer.object_requests) - served_before == 2
    )  # 3 objects, 2 a page
    assert subscriber.fetched() == {
        kept["id"]: {"pdq": pdq(0)},
        changed["id"]: {"pdq": pdq(8)},
        fresh["id"]: {"pdq": pdq(7)},
    }


def test_a_repeated_fetch_from_scratch_duplicates_nothing(
    subscriber: Subscriber,
    db_session: Session,
) -> None:
    subscriber.publish(*(indicator({"pdq": pdq(n)}) for n in range(3)))
    subscriber.subscribe()
    subscriber.fetch()
    db_session.execute(update(Exchange).values(added_after=None))  # the checkpoint lost
    db_session.commit()
    again = subscriber.fetch()
    assert (again.added, again.updated, again.error) == (0, 0, None)
    assert len(subscriber.fetched()) == 3


def test_a_fetch_cut_short_keeps_its_pages_and_the_next_one_resumes(
    subscriber: Subscriber,
    caplog: pytest.LogCaptureFixture,
) -> None:
    bodies = [indicator({"pdq": pdq(n)}) for n in range(7)]  # the identity and 7: 4 pages
    subscriber.publish(*bodies)
    subscriber.subscribe()
    start = len(subscriber.peer.object_requests)

    def crash_on_page_3(number: int, _params: object) -> Reply | None:
        return Reply(status=500, body=b"boom") if number == start + 3 else None

    subscriber.peer.hostile = crash_on_page_3
    with caplog.at_level(logging.WARNING, logger="accord.exchanges"):
        cut = subscriber.fetch()
    assert (cut.added, cut.pages) == (3, 2)  # the identity and 3 indicators in 2 pages
    assert cut.error is not None
    assert "page 3" in cut.error
    assert "answered HTTP 500" in cut.error
    assert "exchange FROM_EC: fetch stopped: page 3" in caplog.text
    row = subscriber.row()
    assert row.last_error == cut.error
    checkpoint = row.added_after
    assert checkpoint == stix.parse_time(
        stix.stix_time(subscriber.peer.objects[subscriber.collection][3][0])
    )
    assert set(subscriber.fetched()) == {body["id"] for body in bodies[:3]}

    subscriber.peer.hostile = None
    resumed = subscriber.fetch()
    assert (resumed.added, resumed.error) == (4, None)
    assert subscriber.peer.object_requests[-2]["added_after"] == stix.stix_time(checkpoint)
    assert set(subscriber.fetched()) == {body["id"] for body in bodies}
    assert subscriber.row().last_error == ""


def test_a_withdrawn_entry_stops_matching_after_the_next_fetch(
    subscriber: Subscriber,
    client: TestClient,
    db_session: Session,
) -> None:
    body = indicator({"pdq": pdq(1)})
    subscriber.publish(body)
    subscriber.subscribe()
    subscriber.fetch()
    [entry_id] = _match(client, pdq(1))
    assert banks.entry_origins(db_session, [entry_id])[entry_id]["remote_id"] == body["id"]
    subscriber.publish(later(body, revoked=True))
    assert subscriber.fetch().withdrawn == 1
    assert _match(client, pdq(1)) == []
    assert subscriber.fetched() == {}
    # An older version arriving late changes nothing.
    subscriber.publish(body)
    assert subscriber.fetch().added == 1  # not revoked: it is new again
    subscriber.publish(later(body, revoked=True))
    subscriber.fetch()
    assert _match(client, pdq(1)) == []


def test_owners_named_in_an_earlier_fetch_are_asked_for(
    subscriber: Subscriber,
    db_session: Session,
) -> None:
    subscriber.subscribe()
    subscriber.fetch()  # takes the identity
    subscriber.publish(identity("Other Org"))
    subscriber.fetch()  # and this one
    subscriber.publish(indicator({"pdq": pdq(1)}, owner="Other Org"))
    subscriber.publish(indicator({"pdq": pdq(2)}, owner="Nobody Known"))
    subscriber.fetch()
    local = banks.get_bank(db_session, "EC_DEEPFAKES")
    owners = sorted(
        (entry.origin or {})["owner"] for entry in banks.list_entries(db_session, local)
    )
    # The unknown owner falls back to the bank's (the collection's publisher).
    assert owners == [OWNER, "Other Org"]


def test_a_fetch_while_another_runs_applies_nothing_twice(
    subscriber: Subscriber,
) -> None:
    subscriber.publish(*(indicator({"pdq": pdq(n)}) for n in range(5)))
    subscriber.subscribe()
    start = len(subscriber.peer.object_requests)
    inner: list[FetchReport] = []

    def second_fetch_meanwhile(number: int, _params: object) -> Reply | None:
        if number == start + 2 and not inner:
            inner.append(subscriber.fetch())
        return None

    subscriber.peer.hostile = second_fetch_meanwhile
    outer = subscriber.fetch()
    [second] = inner
    # PostgreSQL: the advisory lock turns the second away. SQLite: the second runs, and
    # the first finds its checkpoint moved and stops.
    assert [second.busy, outer.busy].count(True) == 1
    assert len(subscriber.fetched()) == 5


def test_a_fetch_asks_for_a_few_unknown_owners_at_most(
    subscriber: Subscriber, db_session: Session
) -> None:
    """A feed naming a new owner on every entry must not cost a request per entry."""
    bodies = [indicator({"pdq": pdq(n)}, owner=f"Org {n}") for n in range(14)]
    subscriber.publish(*bodies)
    subscriber.subscribe()
    report = subscriber.fetch()
    assert (report.added, report.error) == (14, None)
    assert len(subscriber.peer.object_lookups) == LIMITS.max_identity_lookups == 10
    assert len(set(subscriber.peer.object_lookups)) == 10  # none asked twice
    local = banks.get_bank(db_session, "EC_DEEPFAKES")
    owners = {(entry.origin or {})["owner"] for entry in banks.list_entries(db_session, local)}
    assert owners == {OWNER}  # unknown: the bank's owner, the collection's publisher


def test_a_fetch_past_its_time_stops_between_pages_and_the_next_goes_on(
    subscriber: Subscriber,
) -> None:
    bodies = [indicator({"pdq": pdq(n)}) for n in range(5)]  # the identity and 5: 3 pages
    subscriber.publish(*bodies)
    subscriber.subscribe()
    # No time at all: the first page is still read and applied, then the fetch stops.
    cut = subscriber.fetch(limits=replace(LIMITS, fetch_seconds=0))
    assert (cut.added, cut.pages) == (1, 1)
    assert cut.error == (
        "the fetch ran for over 0 s; the 1 page(s) read are applied, "
        "the rest waits for the next fetch"
    )
    row = subscriber.row()
    assert row.last_error == cut.error
    assert row.added_after == stix.parse_time(
        stix.stix_time(subscriber.peer.objects[subscriber.collection][1][0])
    )
    rest = subscriber.fetch()
    assert (rest.added, rest.error) == (4, None)
    assert set(subscriber.fetched()) == {body["id"] for body in bodies}


def test_a_fetch_from_the_start_asks_for_everything_and_duplicates_nothing(
    subscriber: Subscriber,
) -> None:
    bodies = [indicator({"pdq": pdq(n)}) for n in range(3)]
    subscriber.publish(*bodies)
    subscriber.subscribe()
    subscriber.fetch()
    assert subscriber.row().added_after is not None
    asked = len(subscriber.peer.object_requests)
    again = exchanges.fetch_exchange(
        subscriber.sessions,
        subscriber.http,
        "FROM_EC",
        master_key=subscriber.master_key,
        limits=LIMITS,
        from_start=True,
    )
    assert (again.added, again.updated, again.withdrawn, again.error) == (0, 0, 0, None)
    assert again.pages == 2
    assert "added_after" not in subscriber.peer.object_requests[asked]
    assert set(subscriber.fetched()) == {body["id"] for body in bodies}
    assert subscriber.row().added_after == stix.parse_time(
        stix.stix_time(subscriber.peer.objects[subscriber.collection][-1][0])
    )
