"""Stored media: kept by SHA-256 with its signals, on SQLite and PostgreSQL."""

from __future__ import annotations

import hashlib
from pathlib import Path

from fastapi.testclient import TestClient


def store(client: TestClient, path: Path) -> dict[str, object]:
    response = client.post("/v1/assets", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 201, response.text
    body: dict[str, object] = response.json()
    return body


def test_store_and_read_back(client: TestClient, corpus: Path) -> None:
    path = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    stored = store(client, path)
    assert stored["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    read = client.get(f"/v1/assets/{stored['sha256']}")
    assert read.status_code == 200
    assert read.json() == stored


def test_storing_twice_keeps_one_asset(client: TestClient, corpus: Path) -> None:
    path = corpus / "c2pa" / "sample1.mp3"
    first, second = store(client, path), store(client, path)
    assert first == second


def test_blob_is_kept_under_its_hash(client: TestClient, corpus: Path) -> None:
    path = corpus / "pdq" / "misc-images" / "wee.jpg"
    sha256 = str(store(client, path)["sha256"])
    blobs = client.app.state.runtime.blobs  # type: ignore[attr-defined]
    assert blobs.path_for(sha256).read_bytes() == path.read_bytes()


def test_unknown_asset_is_404(client: TestClient) -> None:
    response = client.get(f"/v1/assets/{'0' * 64}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["code"] == "request.not_found"


def test_malformed_hash_in_path_is_422(client: TestClient) -> None:
    response = client.get("/v1/assets/not-a-hash")
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_bad_media_is_not_stored(client: TestClient, corpus: Path) -> None:
    path = corpus / "c2pa" / "nested_moov_1000.mp4"
    response = client.post("/v1/assets", files={"file": (path.name, path.read_bytes())})
    assert response.status_code == 422
    sha256 = hashlib.sha256(path.read_bytes()).hexdigest()
    assert client.get(f"/v1/assets/{sha256}").status_code == 404
