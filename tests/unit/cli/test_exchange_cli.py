"""``accord exchange``: subscribe to a TAXII peer on loopback, fetch, tell it what a match
was, and one readable line for every refusal."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.exchanges.taxii_peer import (
    PEER_KEY,
    TaxiiPeer,
    identity,
    indicator,
    pdq,
    taxii_json,
    taxii_peer,
)
from tests.integration.serving import closed_port
from tests.unit.cli.conftest import accord


@pytest.fixture
def peer(monkeypatch: pytest.MonkeyPatch) -> Iterator[TaxiiPeer]:
    monkeypatch.setenv("PEER_KEY", PEER_KEY)
    with taxii_peer() as running:
        collection = running.collection("DEEPFAKES")
        running.publish(collection, identity(), *(indicator({"pdq": pdq(n)}) for n in range(2)))
        yield running


def _add(peer: TaxiiPeer, *extra: str, name: str = "FROM_EC") -> tuple[int, str, str]:
    return accord(
        "exchange", "add", name, "--taxii", peer.discovery, "--collection", "DEEPFAKES",
        "--bank", "EC_DEEPFAKES", "--api-key-env", "PEER_KEY", *extra,
    )  # fmt: skip


def _refused(*args: str) -> str:
    code, _, err = accord(*args)
    assert code == 1
    assert err.startswith("accord: error: ")
    assert err.count("\n") == 1, err
    return err


def test_subscribe_fetch_tell_and_remove(peer: TaxiiPeer) -> None:
    code, out, err = _add(peer)
    assert code == 0, err
    assert f"exchange FROM_EC: DEEPFAKES at {peer.api_root} -> bank EC_DEEPFAKES" in out
    code, out, _ = accord("exchange", "list")
    assert out.startswith(f"FROM_EC\t{peer.api_root}\tDEEPFAKES (")
    assert "last fetch never, 0 objects\t0 pending, 0 dead messages\tok" in out

    code, out, err = accord("exchange", "fetch")
    assert (code, out, err) == (0, "FROM_EC: added 2, updated 0, withdrawn 0, pages 1\n", "")
    assert accord("exchange", "fetch", "FROM_EC")[1].startswith("FROM_EC: added 0,")
    code, out, _ = accord("bank", "list")
    assert "EC_DEEPFAKES" in out
    assert "2 entries" in out

    code, out, err = accord("exchange", "opinion", "FROM_EC", "1", "--false-positive")
    assert (code, err) == (0, "")
    assert out == "opinion on entry 1 (false positive) for FROM_EC: sent\n"
    [(envelope, authorization)] = peer.posted
    assert authorization == f"Bearer {PEER_KEY}"
    assert envelope["objects"][0]["opinion"] == "strongly-disagree"

    code, out, _ = accord("exchange", "remove", "FROM_EC")
    assert out == "removed the exchange FROM_EC; the bank EC_DEEPFAKES keeps its 2 entries\n"
    assert accord("exchange", "list")[1] == "no exchanges yet: add one with accord exchange add\n"
    assert "2 entries" in accord("bank", "list")[1]


def test_the_key_is_sealed_in_the_database(peer: TaxiiPeer, data_dir: Path) -> None:
    assert _add(peer, "--report-sightings")[0] == 0
    assert "\tEC_DEEPFAKES (sightings reported)\t" in accord("exchange", "list")[1]
    stored = b"".join(path.read_bytes() for path in data_dir.glob("accord.db*"))
    assert b"FROM_EC" in stored  # the row is there ...
    assert PEER_KEY.encode() not in stored  # ... without the key in clear


def test_add_refusals_are_one_line(peer: TaxiiPeer, monkeypatch: pytest.MonkeyPatch) -> None:
    err = _refused("exchange", "add", "X", "--taxii", peer.discovery, "--collection", "DEEPFAKES",
                   "--bank", "B", "--api-key-env", "NOT_SET_ANYWHERE")  # fmt: skip
    assert "the environment variable NOT_SET_ANYWHERE is not set" in err
    monkeypatch.setenv("EMPTY_KEY", "  ")
    err = _refused("exchange", "add", "X", "--taxii", peer.discovery, "--collection", "DEEPFAKES",
                   "--bank", "B", "--api-key-env", "EMPTY_KEY")  # fmt: skip
    assert "the environment variable EMPTY_KEY is empty" in err
    monkeypatch.setenv("PEER_KEY", "wrong")
    err = _refused(*_args(peer))
    assert f"{peer.discovery} answered HTTP 401: the API key was refused or is missing" in err
    monkeypatch.setenv("PEER_KEY", PEER_KEY)
    err = _refused(*_args(peer, collection="ELSEWHERE"))
    assert "has no collection 'ELSEWHERE' for this key; it offers: DEEPFAKES (" in err
    with closed_port() as port:
        err = _refused(*_args(peer, url=f"http://127.0.0.1:{port}/taxii2/"))
    assert f"cannot reach http://127.0.0.1:{port}/taxii2/" in err
    assert accord("exchange", "list")[1].startswith("no exchanges yet")  # nothing stored


def _args(peer: TaxiiPeer, *, collection: str = "DEEPFAKES", url: str | None = None) -> list[str]:
    taxii = url or peer.discovery
    return ["exchange", "add", "FROM_EC", "--taxii", taxii, "--collection", collection,
            "--bank", "EC_DEEPFAKES", "--api-key-env", "PEER_KEY"]  # fmt: skip


def test_a_failed_fetch_is_one_line_per_exchange_and_exit_1(peer: TaxiiPeer) -> None:
    assert _add(peer)[0] == 0
    peer.hostile = lambda _n, _params: taxii_json([])
    code, out, err = accord("exchange", "fetch")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1
    assert err.startswith("accord: error: FROM_EC: added 0, updated 0, withdrawn 0, pages 0; ")
    assert "stopped: page 1:" in err
    assert "JSON that is not an object" in err
    code, out, _ = accord("exchange", "list")
    assert "error: page 1:" in out
    err = _refused("exchange", "fetch", "NOBODY")
    assert "no exchange is named NOBODY" in err
    assert "added" not in err  # one plain line, not a fetch report


def test_opinion_refusals_are_one_line(peer: TaxiiPeer) -> None:
    assert _add(peer)[0] == 0
    accord("exchange", "fetch")
    assert "say --false-positive or --true-positive" in _refused(
        "exchange", "opinion", "FROM_EC", "1"
    )
    assert "(one of them)" in _refused(
        "exchange", "opinion", "FROM_EC", "1", "--false-positive", "--true-positive"
    )
    assert "entry 99 did not come from an exchange" in _refused(
        "exchange", "opinion", "FROM_EC", "99", "--true-positive"
    )
    assert "came from the exchange FROM_EC, not OTHER" in _refused(
        "exchange", "opinion", "OTHER", "1", "--true-positive"
    )
    peer.post_reply = taxii_json({"title": "Forbidden", "description": "not yours"}, 403)
    err = _refused("exchange", "opinion", "FROM_EC", "2", "--true-positive", "--note", "ok")
    assert "for FROM_EC: refused: " in err
    assert "answered HTTP 403" in err
    assert "not yours" in err
    assert "0 pending, 1 dead messages" in accord("exchange", "list")[1]


def test_an_unreachable_publisher_keeps_the_opinion_queued(peer: TaxiiPeer) -> None:
    assert _add(peer)[0] == 0
    accord("exchange", "fetch")
    peer.post_reply = taxii_json({"title": "busy"}, 503)
    code, out, _ = accord("exchange", "opinion", "FROM_EC", "1", "--true-positive")
    assert code == 0
    assert "(true positive) for FROM_EC: queued: " in out
    assert "it will be sent again" in out
    assert "1 pending, 0 dead messages" in accord("exchange", "list")[1]
    assert accord("exchange", "send")[1] == "0 message(s) tried\n"  # not due yet: backoff


def test_fetch_from_the_start_refetches_and_duplicates_nothing(peer: TaxiiPeer) -> None:
    assert _add(peer)[0] == 0
    assert accord("exchange", "fetch", "FROM_EC")[0] == 0
    code, out, err = accord("exchange", "fetch", "FROM_EC", "--from-start")
    assert (code, out, err) == (0, "FROM_EC: added 0, updated 0, withdrawn 0, pages 1\n", "")
    assert "added_after" not in peer.object_requests[-1]
    assert "2 entries" in accord("bank", "list")[1]
    assert "--from-start refetches one exchange: name it" in _refused(
        "exchange", "fetch", "--from-start"
    )


def test_text_no_database_takes_is_one_line_not_a_traceback(peer: TaxiiPeer) -> None:
    assert _add(peer)[0] == 0
    bad = indicator({"pdq": pdq(7)}, note="a lone \ud800 surrogate")
    headers = {"X-TAXII-Date-Added-Last": "2026-12-02T00:00:00Z"}
    peer.hostile = lambda _n, _params: taxii_json({"objects": [bad]}, headers=headers)
    code, out, err = accord("exchange", "fetch")
    assert (code, out) == (1, "")
    assert err.count("\n") == 1, err
    assert "holds text that is not valid Unicode" in err
    assert "Traceback" not in err
    assert "error: page 1:" in accord("exchange", "list")[1]


def test_http_to_another_machine_is_refused_in_one_line() -> None:
    err = _refused("exchange", "add", "X", "--taxii", "http://taxii.example.org/taxii2/",
                   "--collection", "DEEPFAKES", "--bank", "B")  # fmt: skip
    assert "use https: http:// sends the partner key in clear" in err
