"""A feed that sends garbage is refused with a clear error, kept in ``last_error`` and
logged; the page is not applied and the checkpoint stays where it was."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

import pytest

from accord.server.exchanges.schemas import FetchLimits
from accord.sharing import stix
from tests.integration.exchanges.conftest import LIMITS, Subscriber
from tests.integration.exchanges.taxii_peer import (
    Reply,
    identity,
    indicator,
    pdq,
    taxii_json,
)

LAST = "2026-12-02T00:00:00.000000Z"


def page(*objects: Any, more: bool = False, token: str | None = None, last: str = LAST) -> Reply:
    envelope: dict[str, Any] = {"more": more, "objects": list(objects)}
    if token is not None:
        envelope["next"] = token
    return taxii_json(envelope, headers={"X-TAXII-Date-Added-Last": last})


def _with(body: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return {**body, **changes}


GOOD = indicator({"pdq": pdq(1)})
CASE = stix.CASE_SOURCE

#: (the answer to the fetch's first request, words its error must contain, the limits).
CASES: dict[str, tuple[Reply, str, FetchLimits]] = {
    "a web page": (
        Reply(body=b"<html>hi</html>", content_type="text/html"),
        "Content-Type text/html, not application/taxii+json;version=2.1",
        LIMITS,
    ),
    "another TAXII version": (
        Reply(body=b"{}", content_type="application/taxii+json;version=2.0"),
        "not application/taxii+json;version=2.1",
        LIMITS,
    ),
    "invalid JSON": (Reply(body=b'{"objects": ['), "text that is not JSON", LIMITS),
    "JSON nested past any reason": (Reply(body=b"[" * 200_000), "not JSON", LIMITS),
    "an envelope that is a list": (taxii_json([GOOD]), "JSON that is not an object", LIMITS),
    "objects that are not a list": (
        taxii_json({"objects": {"a": GOOD}}),
        "objects must be a list",
        LIMITS,
    ),
    "more that is not a boolean": (
        taxii_json({"objects": [], "more": "yes"}),
        "more must be true or false",
        LIMITS,
    ),
    "next that is not a string": (
        page(GOOD, more=True, token=5),  # type: ignore[arg-type]
        "next must be a string",
        LIMITS,
    ),
    "an object that is not an object": (page(1), "object 1 of the envelope is not", LIMITS),
    "an object without a type": (page({"id": "x"}), "must have a type", LIMITS),
    "a type not asked for": (
        page(_with(GOOD, type="malware", id=stix.new_id("malware"))),
        "a STIX malware came though only indicator and identity were asked for",
        LIMITS,
    ),
    "an indicator STIX refuses": (
        page(_with(GOOD, pattern="[url:value = 'http://x']")),
        f"{GOOD['id']}: pattern must OR comparisons of file hashes",
        LIMITS,
    ),
    "an indicator with a wrong spec version": (
        page(_with(GOOD, spec_version="2.0")),
        "spec_version must be '2.1'",
        LIMITS,
    ),
    "an indicator marked TLP:RED": (
        page(indicator({"pdq": pdq(2)}, marking="TLP:RED")),
        "is marked TLP:RED, which a publisher must never send",
        LIMITS,
    ),
    "a signal accord cannot read": (
        page(_with(GOOD, pattern="[file:hashes.x_accord_pdq = 'zz']")),
        "a PDQ hash is 64 hexadecimal characters",
        LIMITS,
    ),
    "an identity without a name": (
        page({"type": "identity", "id": stix.identity_id("x"), "name": 5}),
        "name must be 1 to 200 characters",
        LIMITS,
    ),
    "a 2 MB object": (
        page(_with(GOOD, description="x" * 2_000_000)),
        f"{GOOD['id']} is 2",
        LIMITS,
    ),
    "a page over the size bound": (
        page(*(indicator({"pdq": pdq(n)}) for n in range(40))),
        "sent more than 8192 bytes in one answer",
        replace(LIMITS, max_page_bytes=8192),
    ),
    "objects without their date header": (
        taxii_json({"objects": [GOOD]}),
        "without its X-TAXII-Date-Added-Last header",
        LIMITS,
    ),
    "a date header that is not a date": (
        page(GOOD, last="yesterday"),
        "X-TAXII-Date-Added-Last must be an RFC 3339 UTC timestamp",
        LIMITS,
    ),
    "an empty page that says more": (
        page(more=True, token="again"),
        "an empty page says more: true",
        LIMITS,
    ),
    "a refusal": (
        taxii_json({"title": "go away"}, 403),
        "answered HTTP 403: the API key may not read this; go away",
        LIMITS,
    ),
    "a peer too slow to answer": (
        Reply(body=b"{}", delay_seconds=1.5),
        "did not answer within 0.2 s",
        replace(LIMITS, timeout_seconds=0.2),
    ),
    # Text no database takes (PostgreSQL refuses NUL, nothing encodes a lone surrogate).
    "a NUL in a description": (
        page(_with(GOOD, description="a\x00b")),
        f"{GOOD['id']} holds text that is not valid Unicode (a NUL or a lone surrogate)",
        LIMITS,
    ),
    "a lone surrogate in a label": (
        page(_with(GOOD, labels=["ok", "\ud800"])),
        "holds text that is not valid Unicode",
        LIMITS,
    ),
    "a NUL in a case reference": (
        page(_with(GOOD, external_references=[{"source_name": CASE, "external_id": "C\x00"}])),
        "holds text that is not valid Unicode",
        LIMITS,
    ),
    "a lone surrogate in an identity's name": (
        page(_with(identity(), name="Electoral \udc80"), GOOD),
        "name holds text that is not valid Unicode",
        LIMITS,
    ),
    "more objects than asked for": (
        page(GOOD, *(indicator({"pdq": pdq(n)}) for n in (2, 3))),
        "the page holds 3 objects, over the 2 asked for",
        LIMITS,
    ),
    "a checkpoint in the future": (
        page(GOOD, last="2099-01-01T00:00:00Z"),
        "X-TAXII-Date-Added-Last 2099-01-01T00:00:00.000000Z is in the future",
        LIMITS,
    ),
    "entries of another kind than the local bank's": (
        page(indicator({"pdq": pdq(2)}, kind="allow")),
        "the publisher's entries are 'allow'; the local bank EC_DEEPFAKES is 'deceptive'",
        LIMITS,
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_hostile_first_page_is_refused_and_nothing_changes(
    subscriber: Subscriber,
    case: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    reply, words, limits = CASES[case]
    subscriber.publish(GOOD)
    subscriber.subscribe()
    subscriber.peer.hostile = _on_request(len(subscriber.peer.object_requests) + 1, reply)
    with caplog.at_level(logging.WARNING, logger="accord.exchanges"):
        report = subscriber.fetch(limits=limits)
    assert report.error is not None
    assert words in report.error
    assert report.error.startswith("page 1: ")
    assert report.error.endswith("; the page was not applied")
    assert "\n" not in report.error
    assert (report.added, report.pages) == (0, 0)
    assert subscriber.fetched() == {}
    row = subscriber.row()
    assert (row.added_after, row.objects_fetched, row.last_error) == (None, 0, report.error)
    assert row.last_success_at is None
    assert row.last_fetch_at is not None
    assert report.error in caplog.text
    # The feed mended, the next fetch takes what it should have.
    subscriber.peer.hostile = None
    assert subscriber.fetch().added == 1
    assert subscriber.row().last_error == ""


def _on_request(number: int, reply: Reply) -> Callable[[int, Mapping[str, str]], Reply | None]:
    return lambda seen, _params: reply if seen == number else None


def test_a_bad_page_after_good_ones_keeps_the_good_ones_and_their_checkpoint(
    subscriber: Subscriber,
) -> None:
    bodies = [indicator({"pdq": pdq(n)}) for n in range(5)]
    subscriber.publish(*bodies)
    subscriber.subscribe()
    red = page(indicator({"pdq": pdq(9)}, marking="TLP:RED"))
    subscriber.peer.hostile = _on_request(len(subscriber.peer.object_requests) + 2, red)
    report = subscriber.fetch()
    assert report.error is not None
    assert report.error.startswith("page 2: ")
    assert "TLP:RED" in report.error
    assert set(subscriber.fetched()) == {bodies[0]["id"]}  # page 1: the identity and one
    checkpoint = subscriber.row().added_after
    assert checkpoint == stix.parse_time(
        stix.stix_time(subscriber.peer.objects[subscriber.collection][1][0])
    )


def test_a_page_dated_before_the_checkpoint_is_refused(
    subscriber: Subscriber,
) -> None:
    subscriber.publish(GOOD)
    subscriber.subscribe()
    subscriber.fetch()
    checkpoint = subscriber.row().added_after
    assert checkpoint is not None
    stale = page(indicator({"pdq": pdq(3)}), last="2020-01-01T00:00:00Z")
    subscriber.peer.hostile = lambda _n, _params: stale
    report = subscriber.fetch()
    assert report.error is not None
    assert "is not after the checkpoint" in report.error
    assert "never moves back" in report.error
    assert subscriber.row().added_after == checkpoint
    assert len(subscriber.fetched()) == 1


def test_a_page_at_the_checkpoint_is_taken_unless_it_says_more(subscriber: Subscriber) -> None:
    """A server keeping finer times than microseconds may send its last object again."""
    subscriber.publish(GOOD)
    subscriber.subscribe()
    subscriber.fetch()
    checkpoint = subscriber.row().added_after
    assert checkpoint is not None
    at = stix.stix_time(checkpoint)
    subscriber.peer.hostile = lambda _n, _params: page(GOOD, last=at)
    again = subscriber.fetch()
    assert (again.error, again.added, again.updated) == (None, 0, 0)
    subscriber.peer.hostile = lambda _n, _params: page(GOOD, more=True, token="t", last=at)
    report = subscriber.fetch()
    assert report.error is not None
    assert "never moves back" in report.error


def _endless(token: Callable[[int], str]) -> Callable[[int, Mapping[str, str]], Reply]:
    """A peer that always has more: a new indicator per page, dated later each time."""

    def answer(number: int, _params: Mapping[str, str]) -> Reply:
        last = f"2026-12-02T00:00:{number:02d}.000000Z"
        return page(
            indicator({"pdq": pdq(100 + number)}), more=True, token=token(number), last=last
        )

    return answer


def test_a_next_token_that_repeats_ends_the_fetch(
    subscriber: Subscriber,
) -> None:
    subscriber.subscribe()
    subscriber.peer.hostile = _endless(lambda _number: "the same")
    report = subscriber.fetch()
    assert report.error is not None
    assert "the next token repeats an earlier one" in report.error
    assert (report.pages, report.added) == (2, 2)


def test_a_more_that_never_ends_stops_at_the_page_bound(
    subscriber: Subscriber,
) -> None:
    subscriber.subscribe()
    subscriber.peer.hostile = _endless(str)
    report = subscriber.fetch(limits=replace(LIMITS, max_pages=4))
    assert report.error == (
        "the publisher still had more after 4 pages; the rest waits for the next fetch"
    )
    assert (report.pages, report.added) == (4, 4)
    assert subscriber.row().last_error == report.error


def test_without_a_next_token_pages_follow_the_checkpoint(
    subscriber: Subscriber,
) -> None:
    """TAXII lets a server page by date alone: ask again after the last one."""
    subscriber.publish(*(indicator({"pdq": pdq(n)}) for n in range(3)))
    subscriber.subscribe()

    def without_next(_number: int, params: Mapping[str, str]) -> Reply:
        answer = subscriber.peer.page(subscriber.collection, params)
        envelope = json.loads(answer.body)
        envelope.pop("next", None)
        return replace(answer, body=json.dumps(envelope).encode())

    subscriber.peer.hostile = without_next
    report = subscriber.fetch()
    assert (report.added, report.pages, report.error) == (3, 2, None)
    assert "next" not in subscriber.peer.object_requests[-1]
    assert "added_after" in subscriber.peer.object_requests[-1]
