"""Partners post opinions and sightings; anything else, or anything malformed, is refused
precisely (a failure in the status, or a 4xx), never a 500, and costs the rest nothing."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.banks import service as banks
from accord.server.banks.models import Bank, EntryOpinion, EntrySighting
from accord.server.taxii.models import TaxiiStatus
from accord.sharing import stix
from tests.integration.taxii.publishing import (
    ROOT,
    assert_valid,
    collection_url,
    share_key,
    shared_bank,
    taxii,
)
from tests.integration.taxii.test_resources import assert_taxii_error

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
UNKNOWN_INDICATOR = "indicator--00000000-0000-4000-8000-000000000000"


def opinion(
    indicator_id: str, verdict: stix.Verdict = stix.Verdict.FALSE_POSITIVE
) -> dict[str, Any]:
    return stix.opinion(indicator_id, verdict, author="Newsroom", note="a parody", created=NOW)


def sighting(indicator_id: str) -> dict[str, Any]:
    return stix.sighting(indicator_id, seen_by="Newsroom", count=3, first_seen=NOW, last_seen=NOW)


def post(client: TestClient, key: str, bank: Bank, body: bytes | str, **headers: str) -> Response:
    sent = {"Content-Type": stix.TAXII_MEDIA_TYPE, **headers}
    return client.post(f"{collection_url(bank)}objects/", headers=taxii(key, **sent), content=body)


def envelope(*objects: Any) -> str:
    return json.dumps({"objects": list(objects)})


@pytest.fixture
def published(db_session: Session) -> tuple[Bank, str]:
    """A shared bank and its one entry's indicator id."""
    bank = shared_bank(db_session, "DEEPFAKES")
    entry = banks.list_entries(db_session, bank)[0]
    return bank, banks.entry_indicators(db_session, [entry.id])[entry.id]


def test_an_opinion_and_a_sighting_are_kept_by_the_publisher_alone(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    bank, indicator_id = published
    key = share_key(db_session, "newsroom")
    said, seen = opinion(indicator_id), sighting(indicator_id)
    answer = post(client, key, bank, envelope(said, seen))
    assert answer.status_code == 202, answer.text
    assert answer.headers["content-type"] == stix.TAXII_MEDIA_TYPE
    status = answer.json()
    assert status | {"id": "", "request_timestamp": ""} == {
        "id": "",
        "status": "complete",
        "request_timestamp": "",
        "total_count": 2,
        "success_count": 2,
        "successes": [
            {"id": said["id"], "version": said["modified"]},
            {"id": seen["id"], "version": seen["modified"]},
        ],
        "failure_count": 0,
        "failures": [],
        "pending_count": 0,
        "pendings": [],
    }
    kept = db_session.scalars(select(EntryOpinion)).one()
    assert (kept.partner, kept.verdict, kept.note) == ("newsroom", "false_positive", "a parody")
    assert db_session.scalars(select(EntrySighting)).one().count == 3

    # The status is the poster's alone.
    status_url = f"{ROOT}/status/{status['id']}/"
    assert client.get(status_url, headers=taxii(key)).json() == status
    other = share_key(db_session, "other")
    assert_taxii_error(client.get(status_url, headers=taxii(other)), 404)
    assert_taxii_error(client.get(f"{ROOT}/status/nope/", headers=taxii(key)), 404)

    # Other partners never read them: a posted object names its author itself.
    served = client.get(f"{collection_url(bank)}objects/", headers=taxii(other)).json()
    types = [body["type"] for body in served["objects"]]
    assert types == ["identity", "marking-definition", "indicator"]
    assert_valid(served["objects"])


def test_posting_again_keeps_one(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    bank, indicator_id = published
    key = share_key(db_session, "newsroom")
    said = opinion(indicator_id)
    for _ in range(2):
        assert post(client, key, bank, envelope(said)).json()["success_count"] == 1
    assert len(db_session.scalars(select(EntryOpinion)).all()) == 1


def test_refused_objects_are_failures_and_cost_the_rest_nothing(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    bank, indicator_id = published
    key = share_key(db_session, "newsroom")
    good = opinion(indicator_id, stix.Verdict.TRUE_POSITIVE)
    indicator = dict(
        client.get(f"{collection_url(bank)}objects/", headers=taxii(key)).json()["objects"][2]
    )
    indicator["id"] = stix.new_id("indicator")
    custom = opinion(indicator_id) | {"x_colour": "red"}
    neutral = opinion(indicator_id) | {"opinion": "neutral"}
    nul = opinion(indicator_id) | {"explanation": "a\u0000b"}
    huge = opinion(indicator_id) | {"explanation": "x" * 70_000}
    refused = [
        (indicator, "takes only opinion and sighting objects"),
        (opinion(UNKNOWN_INDICATOR), "has no entry with the indicator"),
        (custom, "STIX 2.1 defines no opinion property 'x_colour'"),
        (neutral, "opinion must be one of"),
        (nul, "not valid Unicode"),
        (huge, "bytes as JSON"),
        (sighting("identity--00000000-0000-4000-8000-000000000000"), "must name an indicator"),
        ({"id": "opinion--x"}, "must have a type"),
        ("an opinion", "must be a JSON object"),
        ([1, 2], "must be a JSON object"),
    ]
    answer = post(client, key, bank, envelope(good, *(body for body, _ in refused)))
    assert answer.status_code == 202, answer.text
    status = answer.json()
    assert (status["total_count"], status["success_count"]) == (11, 1)
    assert status["successes"] == [{"id": good["id"], "version": good["modified"]}]
    assert status["failure_count"] == 10
    for failure, (body, words) in zip(status["failures"], refused, strict=True):
        assert words in failure["message"], failure
        if isinstance(body, dict) and body.get("id", "").count("--") and len(body["id"]) > 20:
            assert failure["id"] == body["id"]
    assert status["failures"][-2] == {
        "id": "",
        "version": "",
        "message": "object 10: a STIX object must be a JSON object",
    }
    assert [row.verdict for row in db_session.scalars(select(EntryOpinion))] == ["true_positive"]
    kept = db_session.get(TaxiiStatus, status["id"])
    assert kept is not None
    assert (kept.posted_by, len(kept.failures)) == ("newsroom", 10)


def test_an_opinion_on_another_collections_indicator_is_refused(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    _, indicator_id = published
    other_bank = shared_bank(db_session, "OTHER")
    key = share_key(db_session, "newsroom")
    status = post(client, key, other_bank, envelope(opinion(indicator_id))).json()
    assert status["failure_count"] == 1
    assert "has no entry with the indicator" in status["failures"][0]["message"]


MALFORMED: list[tuple[bytes, str]] = [
    (b"not json", "the body is not JSON"),
    (b"", "the body is not JSON"),
    (b"\xff\xfe\x00garbage", "the body is not JSON"),
    (b'{"objects": [NaN]}', "NaN, which JSON does not allow"),
    (b"[" * 100_000 + b"]" * 100_000, "nests too deeply"),
    (b"[]", "must be a TAXII envelope"),
    (b'{"more": false}', "must be a TAXII envelope"),
    (b'{"objects": {}}', "a list of at least one STIX object"),
    (b'{"objects": []}', "a list of at least one STIX object"),
]


def test_malformed_bodies_are_refused(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    bank, _ = published
    key = share_key(db_session, "newsroom")
    for body, words in MALFORMED:
        refused = post(client, key, bank, body)
        assert words in assert_taxii_error(refused, 400)["description"], body[:20]
    assert db_session.scalars(select(TaxiiStatus)).all() == []


def test_too_many_objects(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    bank, _ = published
    key = share_key(db_session, "newsroom")
    refused = post(client, key, bank, envelope(*([{}] * 10_001)))
    assert "post at most 10000 at once" in assert_taxii_error(refused, 413)["description"]


def test_content_type_and_size(
    client: TestClient, db_session: Session, published: tuple[Bank, str]
) -> None:
    bank, indicator_id = published
    key = share_key(db_session, "newsroom")
    body = envelope(opinion(indicator_id))
    for wrong in ("application/json", "application/taxii+json;version=2.0", "text/plain"):
        refused = post(client, key, bank, body, **{"Content-Type": wrong})
        assert stix.TAXII_MEDIA_TYPE in assert_taxii_error(refused, 415)["description"]
    bare = post(client, key, bank, body, **{"Content-Type": "application/taxii+json"})
    assert bare.status_code == 202
    oversize = b'{"objects": [' + b" " * (10 * 1024 * 1024) + b"]}"
    refused = post(client, key, bank, oversize)
    assert "max_content_length" in assert_taxii_error(refused, 413)["description"]

    def chunked() -> Any:  # no Content-Length: counted as it streams in
        yield b'{"objects": ['
        for _ in range(11):
            yield b" " * (1024 * 1024)
        yield b"]}"

    streamed = client.post(
        f"{collection_url(bank)}objects/",
        headers=taxii(key, **{"Content-Type": stix.TAXII_MEDIA_TYPE}),
        content=chunked(),
    )
    assert_taxii_error(streamed, 413)
    assert len(db_session.scalars(select(EntryOpinion)).all()) == 1  # the one posted bare
