"""``POST /v1/hash``: every signal for the file's kind, and problems for bad input."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient


def upload(client: TestClient, path: Path, **params: str) -> Any:
    with path.open("rb") as handle:
        return client.post("/v1/hash", files={"file": (path.name, handle)}, params=params)


def assert_problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    assert body["code"] == code
    assert body["type"] == f"urn:accord:problem:{code}"
    assert body["title"]
    assert body["detail"]
    return body


def test_image_gets_every_image_signal(client: TestClient, corpus: Path) -> None:
    expected = json.loads((corpus / "pdq" / "expected.json").read_text())
    response = upload(client, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["format"], body["mime"]) == ("image", "jpeg", "image/jpeg")
    assert set(body["signals"]) == {"sha256", "md5", "pdq", "pdq_dihedral"}
    pdq = body["signals"]["pdq"]
    assert pdq["value"] == expected["bridge-mods/aaa-orig.jpg"]["pdq"]
    assert (pdq["quality"], pdq["reliable"]) == (100, True)


def test_video_gets_vpdq_and_its_soundtrack(client: TestClient, corpus: Path) -> None:
    body = upload(client, corpus / "c2pa" / "video1.mp4").json()
    assert body["kind"] == "video"
    assert set(body["signals"]) == {"sha256", "md5", "vpdq", "audio"}


def test_audio_gets_a_fingerprint(client: TestClient, corpus: Path) -> None:
    body = upload(client, corpus / "c2pa" / "sample1.mp3").json()
    assert body["kind"] == "audio"
    assert set(body["signals"]) == {"sha256", "md5", "audio"}
    assert body["signals"]["audio"]["reliable"]


def test_signals_can_be_chosen(client: TestClient, corpus: Path) -> None:
    response = upload(client, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", signals="pdq")
    assert set(response.json()["signals"]) == {"pdq"}


def test_unknown_signal_type(client: TestClient, corpus: Path) -> None:
    response = upload(client, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", signals="phash")
    assert "phash" in assert_problem(response, 400, "signal.unknown_type")["detail"]


def test_signal_that_does_not_apply(client: TestClient, corpus: Path) -> None:
    response = upload(client, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", signals="vpdq")
    assert_problem(response, 422, "signal.not_applicable")


def test_missing_file_field(client: TestClient) -> None:
    response = client.post("/v1/hash", files={"other": ("x.jpg", b"123")})
    body = assert_problem(response, 422, "request.invalid")
    assert body["errors"][0]["loc"] == ["body", "file"]


def test_hostile_files_get_problems_and_the_service_keeps_serving(
    client: TestClient, hostile_files: dict[str, Any]
) -> None:
    status_by_code = {
        "media.corrupt": 422,
        "media.too_large": 413,
        "media.empty": 422,
        "media.unsupported": 415,
    }
    for name, hostile in hostile_files.items():
        # CPU time, the work the file caused (the app runs in this process): a wall clock
        # also counts the waits other processes on a busy machine cause.
        started = time.process_time()
        response = upload(client, hostile.path)
        assert time.process_time() - started < 2.0, name
        body = assert_problem(response, status_by_code[hostile.code], hostile.code)
        assert hostile.reason.lower() in body["detail"].lower(), name
    assert client.get("/healthz").status_code == 200


def test_uploads_over_the_limit_are_refused(
    client_with: Callable[..., TestClient], corpus: Path
) -> None:
    with client_with(max_upload_bytes=10_000) as client:
        response = upload(client, corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg")
        assert_problem(response, 413, "request.too_large")
        assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize("media_type", ["application/json", "text/plain"])
def test_non_multipart_bodies_are_refused(client: TestClient, media_type: str) -> None:
    response = client.post("/v1/hash", content=b"{}", headers={"content-type": media_type})
    assert_problem(response, 422, "request.invalid")


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/hash", "/h/hash", "/v1/assets", "/healthz", "/readyz"} <= set(paths)
