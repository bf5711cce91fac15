"""Opinions and sightings go back to the publisher through the outbox: sent, refused for
good with the publisher's reason, or retried."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

from accord.errors import BadRequest
from accord.server.banks import service as banks
from accord.server.banks.schemas import EntryFields
from accord.server.exchanges import service as exchanges
from accord.server.exchanges.models import ExchangeMessage
from accord.server.exchanges.schemas import Posted
from accord.sharing import stix
from tests.integration.exchanges.conftest import Subscriber
from tests.integration.exchanges.taxii_peer import PEER_KEY, TaxiiPeer, indicator, pdq, taxii_json
from tests.integration.serving import closed_port


@pytest.fixture
def published(subscriber: Subscriber) -> dict[str, int]:
    """Two entries fetched from the peer: ``{remote id: local entry id}``."""
    subscriber.publish(*(indicator({"pdq": pdq(n)}) for n in range(2)))
    subscriber.subscribe()
    subscriber.fetch()
    bank = banks.get_bank(subscriber.db, "EC_DEEPFAKES")
    return {str(entry.remote_id): entry.id for entry in banks.list_entries(subscriber.db, bank)}


def _opinion(subscriber: Subscriber, entry_id: int, note: str = "", **options: Any) -> int:
    message = exchanges.queue_opinion(
        subscriber.db, entry_id, stix.Verdict.TRUE_POSITIVE, note, **options
    )
    subscriber.db.commit()
    return message.id


def _send_now(subscriber: Subscriber, message_id: int) -> Posted:
    return exchanges.send_now(
        subscriber.sessions, message_id, master_key=subscriber.master_key, http=subscriber.http
    )


def _deliver(subscriber: Subscriber) -> int:
    return exchanges.deliver_due(
        subscriber.sessions, master_key=subscriber.master_key, http=subscriber.http
    )


def _message(subscriber: Subscriber, message_id: int) -> ExchangeMessage:
    subscriber.db.expire_all()
    message = subscriber.db.get(ExchangeMessage, message_id)
    assert message is not None
    return message


def _posted_objects(peer: TaxiiPeer) -> list[dict[str, Any]]:
    return [item for envelope, _ in peer.posted for item in envelope["objects"]]


def test_an_opinion_reaches_the_publisher_with_the_partner_key(
    subscriber: Subscriber, published: dict[str, int]
) -> None:
    remote_id, entry_id = next(iter(published.items()))
    message = exchanges.queue_opinion(
        subscriber.db, entry_id, stix.Verdict.FALSE_POSITIVE, "a mural", author="Platform B"
    )
    subscriber.db.commit()
    posted = _send_now(subscriber, message.id)
    assert (posted.status, posted.line) == ("sent", "sent")
    [(envelope, authorization)] = subscriber.peer.posted
    assert authorization == f"Bearer {PEER_KEY}"
    [body] = envelope["objects"]
    assert body == json.loads(_message(subscriber, message.id).body)  # as stored
    opinion = stix.read_opinion(body)
    assert (opinion.indicator_id, opinion.verdict, opinion.note) == (
        remote_id,
        stix.Verdict.FALSE_POSITIVE,
        "a mural",
    )
    assert body["authors"] == ["Platform B"]
    assert _message(subscriber, message.id).sent_at is not None
    assert _deliver(subscriber) == 0  # nothing is sent twice


def test_opinions_only_on_fetched_entries(
    subscriber: Subscriber, published: dict[str, int]
) -> None:
    bank = banks.get_bank(subscriber.db, "EC_DEEPFAKES")
    local = banks.add_entry(subscriber.db, bank, {"pdq": pdq(50)}, EntryFields())
    with pytest.raises(BadRequest, match=f"entry {local.id} did not come from an exchange"):
        _opinion(subscriber, local.id)
    entry_id = next(iter(published.values()))
    with pytest.raises(BadRequest, match="came from the exchange FROM_EC, not OTHER"):
        _opinion(subscriber, entry_id, exchange="OTHER")
    with pytest.raises(BadRequest, match="at most 10000 characters"):
        _opinion(subscriber, entry_id, "x" * 10_001)


@pytest.mark.parametrize(
    ("status", "state", "words"),
    [
        (403, "dead", "answered HTTP 403: the API key may not read this; not yours"),
        (400, "dead", "answered HTTP 400: not yours"),
        (429, "pending", "answered HTTP 429"),
        (503, "pending", "answered HTTP 503"),
    ],
)
def test_a_refusal_is_final_and_a_failure_is_retried(
    status: int, state: str, words: str, subscriber: Subscriber, published: dict[str, int]
) -> None:
    message_id = _opinion(subscriber, next(iter(published.values())))
    subscriber.peer.post_reply = taxii_json({"title": "not yours"}, status)
    posted = _send_now(subscriber, message_id)
    assert posted.status == state
    assert words in posted.reason
    row = _message(subscriber, message_id)
    assert (row.status, row.attempts) == (state, 1)
    assert words in row.last_error
    assert posted.line.startswith("refused: " if state == "dead" else "queued: ")


def test_a_status_that_lists_the_object_as_failed_is_a_refusal(
    subscriber: Subscriber, published: dict[str, int]
) -> None:
    message_id = _opinion(subscriber, next(iter(published.values())))
    failed = {
        "id": "s",
        "status": "complete",
        "failure_count": 1,
        "failures": [{"id": "x", "message": "no such indicator here"}],
    }
    subscriber.peer.post_reply = taxii_json(failed, 202)
    posted = _send_now(subscriber, message_id)
    assert (posted.status, posted.reason) == (
        "dead",
        "the publisher refused it: no such indicator here",
    )


def test_an_unreachable_publisher_leaves_the_message_to_retry(
    subscriber: Subscriber, published: dict[str, int]
) -> None:
    message_id = _opinion(subscriber, next(iter(published.values())))
    with closed_port() as port:  # the publisher moved away
        exchange = exchanges.get_exchange(subscriber.db, "FROM_EC")
        assert exchange is not None
        exchange.api_root = f"http://127.0.0.1:{port}/api1/"
        subscriber.db.commit()
        posted = _send_now(subscriber, message_id)
    assert posted.status == "pending"
    assert "cannot reach" in posted.reason
    [summary] = exchanges.list_exchanges(subscriber.db)
    assert (summary.pending, summary.dead) == (1, 0)


def test_sightings_go_only_to_exchanges_that_report_them(
    subscriber: Subscriber, published: dict[str, int]
) -> None:
    bank = banks.get_bank(subscriber.db, "EC_DEEPFAKES")
    local = banks.add_entry(subscriber.db, bank, {"pdq": pdq(50)}, EntryFields())
    ids = [*published.values(), local.id]
    assert exchanges.queue_sightings(subscriber.db, ids) == 0  # report_sightings is off
    assert exchanges.queue_sightings(subscriber.db, []) == 0
    exchange = exchanges.get_exchange(subscriber.db, "FROM_EC")
    assert exchange is not None
    exchange.report_sightings = True
    assert exchanges.queue_sightings(subscriber.db, ids, author="Platform B") == 2
    subscriber.db.commit()
    assert _deliver(subscriber) == 2
    sightings = [stix.read_sighting(body) for body in _posted_objects(subscriber.peer)]
    assert {sighting.indicator_id for sighting in sightings} == set(published)
    assert {sighting.count for sighting in sightings} == {1}
    states = subscriber.db.scalars(select(ExchangeMessage.status)).all()
    assert states == ["sent", "sent"]
