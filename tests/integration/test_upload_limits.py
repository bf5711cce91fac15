"""Upload limits hold while a body streams in, chunked (no Content-Length) included.

A chunked upload over the limit used to get 400 "There was an error parsing the body" on
the API (FastAPI's form parsing swallowed the limit's error), and the Verify page's form
parser spooled up to the API's 512 MiB to disk before the page's 100 MiB limit applied.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Message

from accord.server.verify_page.body_limit import FORM_OVERHEAD_BYTES
from tests.integration.serving import serve

LIMIT = 256 * 1024
#: What a body over its limit may bring in before it is cut off: the room left for the
#: multipart framing, and the chunk that passed the limit.
CHUNK = 16 * 1024
SLACK = FORM_OVERHEAD_BYTES + CHUNK
BOUNDARY = "accordlimit"
#: Far over every limit: a server that read it all would show it.
SENT = 40 * LIMIT


def multipart(fields: dict[str, str], file_bytes: int) -> Iterator[bytes]:
    """A multipart body made as it is sent: the fields, then a file of ``file_bytes``."""
    for name, value in fields.items():
        yield (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        ).encode()
    yield (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.jpg"\r\n'
        "Content-Type: image/jpeg\r\n\r\n"
    ).encode()
    for _ in range(file_bytes // CHUNK):
        yield b"\xff" * CHUNK
    yield f"\r\n--{BOUNDARY}--\r\n".encode()


@dataclass
class Answer:
    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: Request body bytes the app took in.
    taken: int = 0


def post_chunked(app: FastAPI, path: str, body: Iterator[bytes], *, page: bool = False) -> Answer:
    """Send ``body`` to ``app`` as a server does a chunked request: message by message,
    with no Content-Length, counting what the app reads."""
    answer = Answer()
    headers = [
        (b"host", b"testserver"),
        (b"content-type", f"multipart/form-data; boundary={BOUNDARY}".encode()),
        (b"transfer-encoding", b"chunked"),
        (b"accept", b"text/html" if page else b"application/json"),
    ]
    scope: dict[str, Any] = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
        "state": {},
    }

    async def receive() -> Message:
        chunk = next(body, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        answer.taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: Message) -> None:
        if message["type"] == "http.response.start":
            answer.status = message["status"]
            answer.headers = {k.decode(): v.decode() for k, v in message["headers"]}
        elif message["type"] == "http.response.body":
            answer.body += message.get("body", b"")

    asyncio.run(app(scope, receive, send))
    return answer


def uploads_left(data_dir: Path) -> list[Path]:
    folder = data_dir / "uploads"
    return [path for path in folder.iterdir() if path.is_file()] if folder.is_dir() else []


NOTICE = {"reason": "deceptive_ai_content", "explanation": "a fake", "good_faith": "true"}


def test_chunked_uploads_over_the_api_limit_get_413_while_streaming(
    client_with: Callable[..., TestClient],
) -> None:
    client = client_with(max_upload_bytes=LIMIT)
    app = client.app
    assert isinstance(app, FastAPI)
    for path, fields in (("/v1/hash", {}), ("/v1/notices", NOTICE)):
        answer = post_chunked(app, path, multipart(fields, SENT))
        assert answer.status == 413, (path, answer.body)
        problem = json.loads(answer.body)
        assert answer.headers["content-type"].startswith("application/problem+json")
        assert problem["code"] == "request.too_large"
        assert answer.headers["connection"] == "close"
        # Cut off at the limit: no parser or spool was handed the rest.
        assert answer.taken <= LIMIT + SLACK, path
    settings = app.state.runtime.settings
    assert uploads_left(settings.data_dir) == []


def test_a_chunked_upload_just_within_the_limit_is_still_read(
    client_with: Callable[..., TestClient],
) -> None:
    client = client_with(max_upload_bytes=LIMIT)
    app = client.app
    assert isinstance(app, FastAPI)
    answer = post_chunked(app, "/v1/hash", multipart({}, LIMIT // 2))
    # Read whole and refused for what it is (not an image), not for its size.
    assert (answer.status, json.loads(answer.body)["code"]) == (415, "media.unsupported")


def test_the_verify_page_stops_at_its_own_limit_while_streaming(
    client_with: Callable[..., TestClient],
) -> None:
    client = client_with(max_upload_bytes=8 * LIMIT, verify_max_upload_bytes=LIMIT)
    app = client.app
    assert isinstance(app, FastAPI)
    answer = post_chunked(app, "/verify", multipart({}, SENT), page=True)
    assert answer.status == 413
    assert answer.headers["content-type"].startswith("text/html")
    assert "File too large" in answer.body.decode()
    # The page's limit, not the API's eight times larger one: the form parser never had
    # more than that to write to disk.
    assert answer.taken <= LIMIT + SLACK
    assert uploads_left(app.state.runtime.settings.data_dir) == []


def test_a_real_server_answers_a_chunked_upload_over_the_limit_with_413(tmp_path: Path) -> None:
    """Through uvicorn and a real client: the answer arrives although the client was still
    sending (the server closes the connection after it)."""
    with serve(tmp_path, max_upload_bytes=str(LIMIT)) as served:
        headers = {"content-type": f"multipart/form-data; boundary={BOUNDARY}"}
        with httpx.Client(base_url=served.base, timeout=30) as client:
            response = client.post("/v1/hash", content=multipart({}, SENT), headers=headers)
            assert response.status_code == 413, response.text
            assert response.json()["code"] == "request.too_large"
            assert client.get("/healthz").status_code == 200
