"""Adding an exchange: the publisher is asked at once, the key is kept sealed, and a
refusal of any kind stores nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from accord.errors import AccordError, BadRequest, Conflict, FetchFailed, NotFound, StixError
from accord.server.banks import service as banks
from accord.server.banks.schemas import BankKind, Marking
from accord.server.exchanges import service as exchanges
from accord.server.exchanges.models import Exchange
from tests.integration.exchanges.conftest import Subscriber
from tests.integration.exchanges.taxii_peer import OWNER, PEER_KEY, identity, indicator, pdq
from tests.integration.serving import closed_port


def test_a_discovery_url_leads_to_the_default_root_and_the_collection_by_title(
    subscriber: Subscriber,
) -> None:
    exchange = subscriber.subscribe()
    assert exchange.api_root == subscriber.peer.api_root
    assert exchange.collection_id == subscriber.collection
    assert exchange.collection_title == "DEEPFAKES"
    bank = banks.get_bank(subscriber.db, "EC_DEEPFAKES")
    # Made for it: deceptive, amber, owned by the collection's publisher.
    assert (bank.kind, bank.marking, bank.owner) == (
        BankKind.DECEPTIVE.value,
        Marking.AMBER.value,
        OWNER,
    )
    assert bank.shared is False


def test_an_api_root_url_and_a_collection_id_work_too_and_an_existing_bank_is_kept(
    subscriber: Subscriber,
) -> None:
    banks.create_bank(subscriber.db, "MINE", owner="Us", marking=Marking.RED)
    root, collection = subscriber.peer.api_root, subscriber.collection
    exchange = subscriber.subscribe(url=root, collection=collection, bank="MINE")
    assert (exchange.api_root, exchange.collection_id) == (root, collection)
    mine = banks.get_bank(subscriber.db, "MINE")
    assert (mine.owner, mine.marking) == ("Us", "TLP:RED")  # a RED local bank is fine


def test_without_one_identity_the_exchange_name_owns_the_new_bank(
    subscriber: Subscriber,
) -> None:
    others = subscriber.peer.collection("OTHERS")
    subscriber.peer.publish(others, identity("One"), identity("Two"))
    subscriber.subscribe(collection="OTHERS")
    assert banks.get_bank(subscriber.db, "EC_DEEPFAKES").owner == "FROM_EC"


def test_the_key_is_stored_sealed_never_in_clear(subscriber: Subscriber) -> None:
    subscriber.subscribe()
    row = subscriber.db.execute(text("SELECT * FROM exchanges")).one()
    stored = b"".join(value if isinstance(value, bytes) else str(value).encode() for value in row)
    assert b"FROM_EC" in stored
    assert PEER_KEY.encode() not in stored
    sealed = subscriber.db.scalar(select(Exchange.sealed_api_key))
    assert sealed is not None
    assert len(sealed) > len(PEER_KEY)


def _refused(subscriber: Subscriber, **changes: object) -> AccordError:
    with pytest.raises(AccordError) as raised:
        subscriber.subscribe(**changes)
    subscriber.db.rollback()
    assert subscriber.db.scalar(select(func.count()).select_from(Exchange)) == 0
    assert banks.find_bank(subscriber.db, "EC_DEEPFAKES") is None  # nothing stored
    return raised.value


def test_refusals_are_precise_and_store_nothing(subscriber: Subscriber) -> None:
    error = _refused(subscriber, api_key="a wrong key")
    assert isinstance(error, FetchFailed)
    assert "answered HTTP 401" in error.detail
    assert "key was refused or is missing" in error.detail
    error = _refused(subscriber, collection="NOPE")
    assert isinstance(error, NotFound)
    assert f"offers: DEEPFAKES ({subscriber.collection})" in error.detail
    error = _refused(subscriber, url=f"{subscriber.peer.base}/elsewhere/")
    assert "answered HTTP 404" in error.detail
    error = _refused(subscriber, url="ftp://example.org/")
    assert isinstance(error, BadRequest)
    error = _refused(subscriber, name="no spaces please")
    assert "exchange name" in error.detail
    error = _refused(subscriber, bank="lower")
    assert "UPPER_SNAKE_CASE" in error.detail
    with closed_port() as port:
        error = _refused(subscriber, url=f"http://127.0.0.1:{port}/t/")
    assert isinstance(error, FetchFailed)
    assert error.detail.startswith(f"cannot reach http://127.0.0.1:{port}/t/")


def test_an_ambiguous_title_or_unreadable_collection_is_refused(subscriber: Subscriber) -> None:
    twin = subscriber.peer.collection("DEEPFAKES")
    error = _refused(subscriber)
    assert isinstance(error, Conflict)
    assert subscriber.collection in error.detail
    assert twin in error.detail
    subscriber.peer.collection("LOCKED", can_read=False)
    error = _refused(subscriber, collection="LOCKED")
    assert "may not be read" in error.detail


def test_several_api_roots_without_a_default_are_listed(subscriber: Subscriber) -> None:
    subscriber.peer.roots, subscriber.peer.default_root = ["/api1/", "/api2/"], None
    error = _refused(subscriber)
    assert isinstance(error, StixError)
    assert "several API roots" in error.detail
    assert "/api2/" in error.detail
    subscriber.peer.roots = ["/api1/"]  # the only one is taken
    assert subscriber.subscribe().api_root == subscriber.peer.api_root


def test_a_name_or_bank_taken_is_a_conflict(subscriber: Subscriber) -> None:
    subscriber.subscribe()
    with pytest.raises(Conflict, match="already exists"):
        subscriber.subscribe(bank="OTHER")
    with pytest.raises(Conflict, match="already filled by the exchange FROM_EC"):
        subscriber.subscribe(name="AGAIN")


def test_remove_keeps_the_bank(subscriber: Subscriber) -> None:
    subscriber.subscribe()
    assert exchanges.remove_exchange(subscriber.db, "FROM_EC") == ("EC_DEEPFAKES", 0)
    assert exchanges.list_exchanges(subscriber.db) == []
    assert banks.find_bank(subscriber.db, "EC_DEEPFAKES") is not None
    with pytest.raises(NotFound):
        exchanges.remove_exchange(subscriber.db, "FROM_EC")


def test_a_url_that_would_leak_the_key_is_refused_before_any_request(
    subscriber: Subscriber,
) -> None:
    port = subscriber.peer.base.rsplit(":", 1)[1]
    error = _refused(subscriber, url=f"http://user:secret@127.0.0.1:{port}/taxii2/")
    assert isinstance(error, BadRequest)
    assert "must not carry a user name or password (user:pass@)" in error.detail
    assert "secret" not in error.detail
    error = _refused(subscriber, url="http://taxii.example.org/taxii2/")
    assert isinstance(error, BadRequest)
    assert error.detail.startswith("use https: http:// sends the partner key in clear")
    assert "127.0.0.0/8, ::1, localhost), not taxii.example.org" in error.detail
    for bad in ("https://[not-an-address/taxii2/", "https://host:port/", "https:///x"):
        assert "a TAXII URL must read https://host/" in _refused(subscriber, url=bad).detail
    assert subscriber.peer.object_requests == []  # nothing was asked of anybody


@pytest.mark.parametrize("host", ["127.0.0.1", "[::1]", "localhost"])
def test_http_is_taken_for_this_machine(subscriber: Subscriber, host: str) -> None:
    with closed_port() as port:  # the URL is taken: only nobody answers there
        error = _refused(subscriber, url=f"http://{host}:{port}/taxii2/")
    assert isinstance(error, FetchFailed)
    assert "cannot reach" in error.detail


def test_a_discovery_pointing_to_another_origin_is_refused(subscriber: Subscriber) -> None:
    port = subscriber.peer.base.rsplit(":", 1)[1]
    elsewhere = f"http://localhost:{port}/api1/"  # this very peer, by another name
    subscriber.peer.roots, subscriber.peer.default_root = [elsewhere], elsewhere
    error = _refused(subscriber)
    assert isinstance(error, BadRequest)
    assert error.detail == (
        f"the discovery at {subscriber.peer.discovery} names the API root {elsewhere}, on "
        "another origin; pass the API root URL directly if it is the one meant"
    )
    subscriber.peer.default_root = None  # the only root: the same
    assert "another origin" in _refused(subscriber).detail
    exchange = subscriber.subscribe(url=elsewhere)  # given directly: taken
    assert exchange.api_root == elsewhere


@pytest.mark.parametrize("kind", ["allow", "authentic", "watch", "deceptive", "generated"])
def test_the_new_bank_takes_the_kind_of_the_collection_s_entries(
    subscriber: Subscriber, kind: str
) -> None:
    """A partner's allow bank must not become deceptive here."""
    subscriber.publish(indicator({"pdq": pdq(1)}, kind=kind))
    subscriber.subscribe()
    assert banks.get_bank(subscriber.db, "EC_DEEPFAKES").kind == kind
    assert subscriber.peer.object_requests[0] == {"match[type]": "indicator", "limit": "1"}
    report = subscriber.fetch()
    assert (report.added, report.error) == (1, None)


def test_an_existing_bank_of_another_kind_is_refused(subscriber: Subscriber) -> None:
    subscriber.publish(indicator({"pdq": pdq(1)}, kind="allow"))
    banks.create_bank(subscriber.db, "MINE", owner="Us")  # deceptive
    with pytest.raises(Conflict) as raised:
        subscriber.subscribe(bank="MINE")
    assert raised.value.detail == (
        "the publisher's entries are 'allow'; the local bank MINE is 'deceptive'"
    )
    subscriber.db.rollback()
    assert subscriber.db.scalar(select(func.count()).select_from(Exchange)) == 0


def test_a_collection_whose_first_indicator_is_unreadable_is_refused(
    subscriber: Subscriber,
) -> None:
    subscriber.publish({**indicator({"pdq": pdq(1)}), "pattern_type": "sigma"})
    error = _refused(subscriber)
    assert isinstance(error, StixError)
    assert error.detail.startswith("the collection's first indicator: ")
    assert "pattern_type must be 'stix'" in error.detail
