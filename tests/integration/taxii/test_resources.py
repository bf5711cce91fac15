"""Discovery, the API root and collections; keys, media types and TAXII's error messages."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy.orm import Session

from accord.server.auth.keys import create_key
from accord.server.banks import service as banks
from accord.server.banks.schemas import Marking
from accord.sharing.stix import STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE
from tests.integration.taxii.publishing import (
    ROOT,
    collection_url,
    share_key,
    shared_bank,
    taxii,
)


def assert_taxii_error(response: Response, status: int) -> dict[str, str]:
    """``response`` is a TAXII error message with ``status``, in TAXII's media type."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    body: dict[str, str] = response.json()
    assert set(body) == {"title", "description", "http_status"}
    assert body["http_status"] == str(status)
    return body


def test_discovery_names_the_api_root_by_absolute_url(
    client: TestClient, db_session: Session
) -> None:
    key = share_key(db_session, "newsroom")
    response = client.get("/taxii2/", headers=taxii(key))
    assert response.status_code == 200
    assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    body = response.json()
    assert body["default"] == "http://testserver/taxii2/accord/"
    assert body["api_roots"] == ["http://testserver/taxii2/accord/"]
    assert body["title"] == "accord"


def test_discovery_honours_the_public_url(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(public_url="https://accord.example.org")
    key = share_key(db_session, "newsroom")
    body = client.get("/taxii2/", headers=taxii(key)).json()
    assert body["api_roots"] == ["https://accord.example.org/taxii2/accord/"]


def test_api_root(client: TestClient, db_session: Session) -> None:
    key = share_key(db_session, "newsroom")
    response = client.get(f"{ROOT}/", headers=taxii(key))
    assert response.status_code == 200
    body = response.json()
    assert body["versions"] == [TAXII_MEDIA_TYPE]
    assert body["max_content_length"] == 10 * 1024 * 1024


def test_collections_list_shared_banks_only(client: TestClient, db_session: Session) -> None:
    key = share_key(db_session, "newsroom")
    assert client.get(f"{ROOT}/collections/", headers=taxii(key)).json() == {"collections": []}
    bank = shared_bank(db_session, "DEEPFAKES")
    banks.create_bank(db_session, "PRIVATE", marking=Marking.GREEN)  # not shared
    listed = client.get(f"{ROOT}/collections/", headers=taxii(key)).json()["collections"]
    assert listed == [
        {
            "id": bank.collection_id,
            "title": "DEEPFAKES",
            "description": "The accord bank DEEPFAKES (deceptive content); shared as TLP:GREEN",
            "can_read": True,
            "can_write": True,
            "media_types": [STIX_MEDIA_TYPE],
        }
    ]
    one = client.get(collection_url(bank), headers=taxii(key))
    assert (one.status_code, one.json()) == (200, listed[0])


def test_keys(client: TestClient, db_session: Session) -> None:
    bank = shared_bank(db_session, "DEEPFAKES")
    for url in ("/taxii2/", f"{ROOT}/", f"{ROOT}/collections/", f"{collection_url(bank)}objects/"):
        # No key: 401, even though this test instance does not require keys elsewhere.
        missing = client.get(url, headers={"Accept": TAXII_MEDIA_TYPE})
        assert_taxii_error(missing, 401)
        assert missing.headers["www-authenticate"].startswith("Bearer")
    unknown = client.get("/taxii2/", headers=taxii("acc_000000000000_nope"))
    assert "unknown or revoked" in assert_taxii_error(unknown, 401)["description"]
    _, matcher = create_key(db_session, "platform", ["match"])
    refused = client.get("/taxii2/", headers=taxii(matcher))
    assert "lacks the 'share' scope" in assert_taxii_error(refused, 403)["description"]


def test_rate_limit_is_a_taxii_error(client: TestClient, db_session: Session) -> None:
    _, key = create_key(db_session, "tiny", ["share"], rate_limit_per_minute=1)
    assert client.get("/taxii2/", headers=taxii(key)).status_code == 200
    limited = client.get("/taxii2/", headers=taxii(key))
    assert_taxii_error(limited, 429)
    assert int(limited.headers["retry-after"]) >= 1


ACCEPTED = [
    TAXII_MEDIA_TYPE,
    "application/taxii+json",
    "*/*",
    "application/*",
    "text/html, */*;q=0.1",
]
REFUSED = [
    "application/json",
    "text/html",
    "application/taxii+json;version=2.0",
    "application/stix+json;version=2.1",
    "application/taxii+json;version=2.1;q=0",
]


def test_accept_headers(client: TestClient, db_session: Session) -> None:
    key = share_key(db_session, "newsroom")
    for accept in ACCEPTED:
        response = client.get("/taxii2/", headers=taxii(key, Accept=accept))
        assert response.status_code == 200, accept
        assert response.headers["content-type"] == TAXII_MEDIA_TYPE
    for accept in REFUSED:
        response = client.get(f"{ROOT}/collections/", headers=taxii(key, Accept=accept))
        assert TAXII_MEDIA_TYPE in assert_taxii_error(response, 406)["description"], accept


def test_unknown_addresses_and_methods(client: TestClient, db_session: Session) -> None:
    key = share_key(db_session, "newsroom")
    assert_taxii_error(client.get("/taxii2/other/", headers=taxii(key)), 404)
    assert_taxii_error(client.get(f"{ROOT}/collections/x/y/z/", headers=taxii(key)), 404)
    no_slash = assert_taxii_error(client.get(f"{ROOT}/collections", headers=taxii(key)), 404)
    assert no_slash["description"] == f"TAXII addresses end with a slash: {ROOT}/collections/"
    wrong = client.put(f"{ROOT}/collections/", headers=taxii(key))
    assert "use GET" in assert_taxii_error(wrong, 405)["description"]
    assert wrong.headers["allow"] == "GET"


def test_delete_is_forbidden(client: TestClient, db_session: Session) -> None:
    key = share_key(db_session, "newsroom")
    bank = shared_bank(db_session, "DEEPFAKES")
    objects = client.get(f"{collection_url(bank)}objects/", headers=taxii(key)).json()["objects"]
    refused = client.delete(
        f"{collection_url(bank)}objects/{objects[-1]['id']}/", headers=taxii(key)
    )
    assert "withdraws" in assert_taxii_error(refused, 403)["description"]
    after = client.get(f"{collection_url(bank)}objects/", headers=taxii(key)).json()["objects"]
    assert after == objects


def test_unknown_collection(client: TestClient, db_session: Session) -> None:
    key = share_key(db_session, "newsroom")
    missing = client.get(f"{ROOT}/collections/no-such-collection/", headers=taxii(key))
    assert "no collection 'no-such-collection'" in assert_taxii_error(missing, 404)["description"]
