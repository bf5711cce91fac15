"""A collection's objects: pages in the order they were added, filters, one object, its
versions, the manifest, and the refusals of every malformed parameter."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from accord.server.banks import service as banks
from accord.server.banks.models import Bank
from accord.server.banks.schemas import EntryFields
from accord.sharing.stix import STIX_MEDIA_TYPE, parse_time
from tests.integration.taxii.publishing import (
    BRIDGE_PDQ,
    assert_valid,
    collection_url,
    pdqs,
    share_key,
    shared_bank,
    taxii,
)
from tests.integration.taxii.test_resources import assert_taxii_error

SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
MD5 = "d41d8cd98f00b204e9800998ecf8427e"


def objects(client: TestClient, key: str, bank: Bank, **params: Any) -> Response:
    return client.get(f"{collection_url(bank)}objects/", headers=taxii(key), params=params)


def every_page(
    client: TestClient, key: str, bank: Bank, **params: Any
) -> tuple[list[dict[str, Any]], list[Response]]:
    """Every object, following ``next`` while ``more`` (as taxii2client's as_pages does)."""
    found: list[dict[str, Any]] = []
    pages = [objects(client, key, bank, **params)]
    while True:
        assert pages[-1].status_code == 200, pages[-1].text
        envelope = pages[-1].json()
        found += envelope["objects"]
        if not envelope["more"]:
            assert "next" not in envelope
            return found, pages
        pages.append(objects(client, key, bank, **params, next=envelope["next"]))


def test_paging_serves_every_object_once_in_order(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "LARGE", [{"pdq": value} for value in pdqs(2_498)])
    key = share_key(db_session, "newsroom")
    found, pages = every_page(client, key, bank, limit=1000)
    assert [len(page.json()["objects"]) for page in pages] == [1000, 1000, 500]
    # The owner's identity, the bank's TLP marking definition and 2,498 indicators.
    assert len({body["id"] for body in found}) == 2_500
    assert [body["type"] for body in found[:2]] == ["identity", "marking-definition"]
    assert {body["type"] for body in found[2:]} == {"indicator"}
    numbers = [int(body["name"].rsplit(" ", 1)[1]) for body in found[2:]]
    assert numbers == sorted(numbers)  # entries in the order they were published
    # Oldest first, and each page's headers bound its objects' date_added.
    firsts = [parse_time(page.headers["x-taxii-date-added-first"]) for page in pages]
    lasts = [parse_time(page.headers["x-taxii-date-added-last"]) for page in pages]
    assert all(first <= last for first, last in zip(firsts, lasts, strict=True))
    assert all(last < first for last, first in zip(lasts, firsts[1:], strict=False))
    assert_valid([found[0], found[1], found[2], found[-1]])

    # The last page's header is a checkpoint: only what was added after it comes back.
    checkpoint = pages[-1].headers["x-taxii-date-added-last"]
    assert objects(client, key, bank, added_after=checkpoint).json() == {
        "more": False,
        "objects": [],
    }
    new = banks.add_entries(
        db_session, bank, [({"pdq": value}, EntryFields()) for value in pdqs(3, seed=2)]
    )
    banks.publish_entries(db_session, bank, new)
    newer, _ = every_page(client, key, bank, added_after=checkpoint, limit=2)
    assert len(newer) == 3
    assert [body["name"] for body in newer] == [f"LARGE entry {entry}" for entry in new]


def test_limits(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "SMALL", [{"pdq": value} for value in pdqs(4)])
    key = share_key(db_session, "newsroom")
    assert len(objects(client, key, bank).json()["objects"]) == 6  # default: 100
    assert len(objects(client, key, bank, limit=2).json()["objects"]) == 2
    huge = objects(client, key, bank, limit=10**30)  # clamped to 10,000, as medallion does
    assert (huge.status_code, len(huge.json()["objects"])) == (200, 6)
    for bad in ("0", "-1", "ten", "1.5", "", " 2"):
        refused = objects(client, key, bank, limit=bad)
        assert "limit must be a whole number" in assert_taxii_error(refused, 400)["description"]


def test_filters(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "MIXED", [{"pdq": BRIDGE_PDQ}, {"sha256": SHA256, "md5": MD5}])
    key = share_key(db_session, "newsroom")
    every = objects(client, key, bank).json()["objects"]
    identity, marking, first, second = every
    assert_valid(every)
    assert "file:hashes.'SHA-256' = '" + SHA256 in second["pattern"]

    def ids(**params: Any) -> list[str]:
        response = objects(client, key, bank, **params)
        assert response.status_code == 200, response.text
        return [body["id"] for body in response.json()["objects"]]

    assert ids(**{"match[type]": "indicator"}) == [first["id"], second["id"]]
    assert ids(**{"match[type]": "identity,indicator"}) == [
        identity["id"],
        first["id"],
        second["id"],
    ]
    assert ids(**{"match[type]": "marking-definition"}) == [marking["id"]]
    assert ids(**{"match[type]": "sighting"}) == []
    assert ids(**{"match[id]": f"{second['id']},{identity['id']}"}) == [
        identity["id"],
        second["id"],
    ]
    for word in ("last", "first", "all"):
        assert len(ids(**{"match[version]": word})) == 4
    # Entries published together share their version.
    assert first["modified"] == second["modified"]
    assert ids(**{"match[version]": first["modified"]}) == [first["id"], second["id"]]
    assert ids(**{"match[version]": first["modified"], "limit": 1}) == [first["id"]]
    assert ids(**{"match[version]": "2020-01-01T00:00:00Z"}) == []
    assert ids(**{"match[spec_version]": "2.1"}) == [body["id"] for body in every]
    assert ids(**{"match[spec_version]": "2.0"}) == []
    # Repeating a filter adds values, as a comma does.
    repeated = client.get(
        f"{collection_url(bank)}objects/?match[type]=identity&match[type]=indicator",
        headers=taxii(key),
    )
    assert len(repeated.json()["objects"]) == 3


MALFORMED: list[tuple[dict[str, str], str]] = [
    ({"next": "garbage"}, "not a token this server gave"),
    ({"next": "AAAAAAAAAAA"}, "not a token this server gave"),  # position 0
    ({"next": "_____________"}, "not a token this server gave"),
    ({"added_after": "yesterday"}, "added_after must be an RFC 3339 UTC timestamp"),
    ({"added_after": "2026-02-30T00:00:00Z"}, "not a real date"),
    ({"added_after": "2026-01-01T00:00:00+02:00"}, "RFC 3339 UTC timestamp"),
    ({"match[type]": "indicator,,identity"}, "empty value"),
    ({"match[type]": "Indicator"}, "not a STIX type"),
    ({"match[id]": "indicator--nope"}, "not a STIX id"),
    ({"match[version]": "newest"}, "not first, last, all or a timestamp"),
    ({"match[spec_version]": "two"}, "is not like 2.1"),
    ({"match[colour]": "red"}, "unknown parameter 'match[colour]'"),
    ({"limt": "5"}, "unknown parameter 'limt'"),
    ({"match[id]": ",".join(["indicator--" + "0" * 36] * 1001)}, "at most 1000"),
]


def test_malformed_parameters_are_refused(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "CHECKED")
    key = share_key(db_session, "newsroom")
    for params, words in MALFORMED:
        refused = objects(client, key, bank, **params)
        assert words in assert_taxii_error(refused, 400)["description"], params
        url = f"{collection_url(bank)}manifest/"
        assert_taxii_error(client.get(url, headers=taxii(key), params=params), 400)


def test_a_parameter_given_twice_is_refused(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "CHECKED")
    key = share_key(db_session, "newsroom")
    twice = client.get(f"{collection_url(bank)}objects/?limit=1&limit=2", headers=taxii(key))
    assert "give limit once" in assert_taxii_error(twice, 400)["description"]


def test_one_object_and_its_versions(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "ONE")
    key = share_key(db_session, "newsroom")
    indicator = objects(client, key, bank).json()["objects"][2]
    url = f"{collection_url(bank)}objects/{indicator['id']}/"
    one = client.get(url, headers=taxii(key))
    assert one.json() == {"more": False, "objects": [indicator]}
    assert one.headers["x-taxii-date-added-first"] == one.headers["x-taxii-date-added-last"]
    versions = client.get(f"{url}versions/", headers=taxii(key))
    assert versions.json() == {"more": False, "versions": [indicator["modified"]]}
    assert versions.headers["x-taxii-date-added-last"] == one.headers["x-taxii-date-added-last"]
    old = client.get(url, headers=taxii(key), params={"match[version]": "2020-01-01T00:00:00Z"})
    assert old.json() == {"more": False, "objects": []}
    later = one.headers["x-taxii-date-added-last"]
    assert client.get(
        f"{url}versions/", headers=taxii(key), params={"added_after": later}
    ).json() == {
        "more": False,
        "versions": [],
    }
    refused = client.get(url, headers=taxii(key), params={"match[type]": "indicator"})
    assert "unknown parameter 'match[type]'" in assert_taxii_error(refused, 400)["description"]
    missing_id = "indicator--00000000-0000-4000-8000-000000000000"
    for path in (f"{missing_id}/", f"{missing_id}/versions/"):
        missing = client.get(f"{collection_url(bank)}objects/{path}", headers=taxii(key))
        assert "has no object" in assert_taxii_error(missing, 404)["description"]


def test_disabling_an_entry_serves_its_indicator_revoked(
    client: TestClient, db_session: Session
) -> None:
    bank = shared_bank(db_session, "REVOKING")
    key = share_key(db_session, "newsroom")
    before = objects(client, key, bank).json()["objects"][2]
    entry = banks.list_entries(db_session, bank)[0]
    banks.update_entry(db_session, entry, {"enabled": False})
    banks.publish_entries(db_session, bank, [entry.id])
    after = objects(client, key, bank).json()["objects"]
    assert [body["id"] for body in after] == [after[0]["id"], after[1]["id"], before["id"]]
    assert after[2]["revoked"] is True
    assert after[2]["modified"] > before["modified"]
    assert_valid(after)


def test_manifest_pages_like_the_objects(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "LISTED", [{"pdq": value} for value in pdqs(4)])
    key = share_key(db_session, "newsroom")
    every = objects(client, key, bank).json()["objects"]
    url = f"{collection_url(bank)}manifest/"
    first = client.get(url, headers=taxii(key), params={"limit": 3})
    page = first.json()
    assert page["more"] is True
    second = client.get(url, headers=taxii(key), params={"limit": 3, "next": page["next"]}).json()
    assert second["more"] is False
    assert "next" not in second
    records = page["objects"] + second["objects"]
    assert [record["id"] for record in records] == [body["id"] for body in every]
    # A marking definition never changes: its version is its ``created``.
    versions = [parse_time(body.get("modified", body["created"])) for body in every]
    assert [parse_time(record["version"]) for record in records] == versions
    assert {record["media_type"] for record in records} == {STIX_MEDIA_TYPE}
    assert records[0]["date_added"] == first.headers["x-taxii-date-added-first"]
    assert records[2]["date_added"] == first.headers["x-taxii-date-added-last"]
    typed = client.get(url, headers=taxii(key), params={"match[type]": "identity"}).json()
    assert [record["id"] for record in typed["objects"]] == [every[0]["id"]]
