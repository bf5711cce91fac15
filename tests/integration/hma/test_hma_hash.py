"""HMA's ``/h/hash`` shapes, and its URL form made safe by an allow-list."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient


def test_photo(client: TestClient, corpus: Path) -> None:
    path = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    response = client.post("/h/hash", files={"photo": (path.name, path.read_bytes())})
    assert response.status_code == 200
    assert response.json() == {
        "pdq": "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22"
    }


def test_video(client: TestClient, corpus: Path) -> None:
    path = corpus / "c2pa" / "video1.mp4"
    response = client.post("/h/hash", files={"video": (path.name, path.read_bytes())})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"video_md5", "vpdq"}
    assert len(body["video_md5"]) == 32


def test_low_quality_photo_hashes_to_empty_like_hma(client: TestClient, corpus: Path) -> None:
    path = corpus / "pdq" / "reg-test-input" / "labelme-subset" / "q0003.jpg"
    response = client.post("/h/hash", files={"photo": (path.name, path.read_bytes())})
    assert response.json() == {"pdq": ""}


def test_field_must_name_the_content_type(client: TestClient, corpus: Path) -> None:
    path = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    response = client.post("/h/hash", files={"image": (path.name, path.read_bytes())})
    assert response.status_code == 400
    assert response.json()["code"] == "request.bad"


def test_content_type_must_match_the_file(client: TestClient, corpus: Path) -> None:
    path = corpus / "c2pa" / "video1.mp4"
    response = client.post("/h/hash", files={"photo": (path.name, path.read_bytes())})
    assert response.status_code in (400, 422)


class _CorpusHandler(http.server.BaseHTTPRequestHandler):
    root: Path

    def do_GET(self) -> None:
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://192.0.2.1/secret")
            self.end_headers()
            return
        target = self.root / self.path.lstrip("/")
        if not target.is_file():
            self.send_error(404)
            return
        data = target.read_bytes()
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Keep test output quiet."""


@pytest.fixture
def file_server(corpus: Path) -> Iterator[str]:
    handler = type("Handler", (_CorpusHandler,), {"root": corpus})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def url_client(client_with: Callable[..., TestClient]) -> Iterator[TestClient]:
    with client_with(hash_url_allowed_hosts=["127.0.0.1"], hash_url_max_bytes=2_000_000) as client:
        yield client


def test_url_form_is_off_by_default(client: TestClient) -> None:
    response = client.get("/h/hash", params={"url": "http://127.0.0.1/x.jpg"})
    assert response.status_code == 403
    assert "disabled" in response.json()["detail"]


def test_url_from_an_allowed_host(url_client: TestClient, file_server: str) -> None:
    url = f"{file_server}/pdq/bridge-mods/aaa-orig.jpg"
    response = url_client.get("/h/hash", params={"url": url, "content_type": "photo"})
    assert response.status_code == 200
    assert response.json()["pdq"].startswith("f8f8f0ce")


@pytest.mark.parametrize(
    "url",
    ["http://localhost/x.jpg", "http://10.0.0.1/x.jpg", "file:///etc/passwd", "ftp://127.0.0.1/x"],
)
def test_other_hosts_and_schemes_are_refused(url_client: TestClient, url: str) -> None:
    response = url_client.get("/h/hash", params={"url": url})
    assert response.status_code == 403
    assert response.json()["code"] == "fetch.host_not_allowed"


def test_redirects_are_checked_against_the_allow_list(
    url_client: TestClient, file_server: str
) -> None:
    response = url_client.get("/h/hash", params={"url": f"{file_server}/redirect"})
    assert response.status_code == 403
    assert "192.0.2.1" in response.json()["detail"]


def test_remote_errors_and_oversize_are_bad_gateway(
    url_client: TestClient, file_server: str
) -> None:
    missing = url_client.get("/h/hash", params={"url": f"{file_server}/nothing.jpg"})
    assert missing.status_code == 502
    too_big = f"{file_server}/video/pattern-longer-no-bar.mp4"  # 2.5 MB, over the 2 MB cap
    huge = url_client.get("/h/hash", params={"url": too_big})
    assert huge.status_code == 502
    assert "limit" in huge.json()["detail"]
