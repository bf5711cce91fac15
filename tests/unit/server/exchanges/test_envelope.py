"""Reading a publisher's answers trusts nothing: media type, JSON, the envelope's shape,
object sizes and the date header are each checked, and each refusal says what."""

from __future__ import annotations

import json
from typing import Any

import pytest

from accord.errors import StixError
from accord.server.exchanges.envelope import (
    check_media_type,
    one_line,
    read_envelope,
    resource,
)
from accord.server.exchanges.schemas import ExchangeMessageStatus, FetchReport, Posted
from accord.sharing import stix

URL = "http://peer/objects/"
LAST = "2026-12-02T00:00:00.5Z"


def _read(body: object, last: str | None = LAST, bound: int = 1024) -> Any:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return read_envelope(raw, last, URL, max_object_bytes=bound)


def test_a_page_is_read_with_its_checkpoint() -> None:
    envelope = _read({"more": True, "next": "t2", "objects": [{"type": "indicator"}]})
    assert (envelope.more, envelope.next, envelope.objects) == (True, "t2", [{"type": "indicator"}])
    assert envelope.last_added == stix.parse_time(LAST)
    empty = _read({}, last=None)
    assert (empty.objects, empty.more, empty.next, empty.last_added) == ([], False, None, None)


@pytest.mark.parametrize(
    ("body", "words"),
    [
        (b"\xff\xfe", "not JSON"),
        (b"[" * 100_000, "not JSON"),
        ([], "JSON that is not an object"),
        ({"objects": "all"}, "objects must be a list"),
        ({"objects": [], "more": 1}, "more must be true or false"),
        ({"objects": [], "next": ""}, "next must be a string of 1 to 2000"),
        ({"objects": [], "next": "x" * 2001}, "next must be a string"),
        ({"objects": [{}, "two"]}, "object 2 of the envelope is not a JSON object"),
        ({"objects": [{"id": "big", "x": "y" * 2000}]}, "big is 20"),
    ],
)
def test_a_bad_envelope_is_refused_saying_what(body: object, words: str) -> None:
    with pytest.raises(StixError) as raised:
        _read(body)
    assert words in raised.value.detail
    assert raised.value.detail.startswith(URL)


def test_objects_need_the_date_header_unless_no_checkpoint_is_taken() -> None:
    with pytest.raises(StixError, match="without its X-TAXII-Date-Added-Last header"):
        _read({"objects": [{}]}, last=None)
    with pytest.raises(StixError, match="must be an RFC 3339"):
        _read({"objects": [{}]}, last="soon")
    raw = json.dumps({"objects": [{}]}).encode()
    assert read_envelope(raw, None, URL, max_object_bytes=10, checkpointed=False).objects == [{}]


@pytest.mark.parametrize(
    "content_type",
    [
        "application/taxii+json;version=2.1",
        "application/taxii+json; version=2.1",
        "Application/TAXII+json",
    ],
)
def test_taxii_media_types_are_taken(content_type: str) -> None:
    check_media_type(content_type, URL)


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "text/html; charset=utf-8", "application/taxii+json;version=2.0"],
)
def test_other_media_types_are_refused(content_type: str | None) -> None:
    with pytest.raises(StixError, match=r"not application/taxii\+json;version=2\.1"):
        check_media_type(content_type, URL)


def test_a_peer_s_words_fit_one_line() -> None:
    assert one_line("two\nlines\x1b[31m") == "two lines [31m"
    # Fit for a database too: a lone surrogate cannot be stored anywhere.
    assert one_line("a \ud800 b\x00c") == "a ? b c"
    assert one_line("x" * 500, 10) == "x" * 9 + "…"
    assert resource(b'{"a": 1}', URL) == {"a": 1}


def test_reports_read_as_one_line() -> None:
    done = FetchReport("EC", added=2, updated=1, withdrawn=0, pages=3)
    assert done.line == "EC: added 2, updated 1, withdrawn 0, pages 3"
    stopped = FetchReport("EC", added=1, pages=1, error="page 2: boom")
    assert stopped.line.endswith("pages 1; stopped: page 2: boom")
    assert FetchReport("EC", busy=True).line == "EC: skipped, another fetch of it is running"
    assert Posted(1, ExchangeMessageStatus.SENT, "").line == "sent"
    assert Posted(1, ExchangeMessageStatus.DEAD, "no").line == "refused: no"
    assert Posted(1, ExchangeMessageStatus.PENDING, "HTTP 503").line == (
        "queued: HTTP 503; it will be sent again"
    )
