"""``/docs`` over HTTP: Swagger UI served from the package, pinned, with its licence, under
the pages' Content-Security-Policy; nothing names another origin."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

import accord.server.api_docs
from accord.server.page_security import CONTENT_SECURITY_POLICY, DOCS_CONTENT_SECURITY_POLICY

PACKAGE = Path(accord.server.api_docs.__file__).parent


def test_docs_load_only_this_origins_files(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == DOCS_CONTENT_SECURITY_POLICY
    html = page.text
    assert "cdn.jsdelivr.net" not in html
    assert "fastapi.tiangolo.com" not in html
    assert re.findall(r'(?:src|href)="(https?:)?//', html) == []
    assert "<script>" not in html  # no inline script: the policy would block it
    assert re.findall(r'<script src="([^"?]+)', html) == [
        "/docs/static/swagger-ui-bundle.js",
        "/docs/static/docs.js",
    ]
    assert 'data-openapi-url="/openapi.json"' in html
    for name, kind in (
        ("swagger-ui-bundle.js", "text/javascript"),
        ("swagger-ui.css", "text/css"),
        ("docs.js", "text/javascript"),
        ("swagger-ui.LICENSE.txt", "text/plain"),
    ):
        served = client.get(f"/docs/static/{name}")
        assert served.status_code == 200, name
        assert served.headers["content-type"].startswith(kind), name
    assert "Apache License" in client.get("/docs/static/swagger-ui.LICENSE.txt").text
    assert client.get("/redoc").status_code == 404  # not offered: one docs page
    assert client.get("/openapi.json").json()["info"]["title"] == "accord"


def test_the_docs_policy_differs_from_the_pages_only_by_local_images() -> None:
    relaxed = DOCS_CONTENT_SECURITY_POLICY.replace(" data: blob:", "")
    assert relaxed == CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in DOCS_CONTENT_SECURITY_POLICY
    assert "'unsafe-eval'" not in DOCS_CONTENT_SECURITY_POLICY


def test_vendored_files_match_their_pinned_hashes() -> None:
    manifest = json.loads((PACKAGE / "vendored.json").read_text())
    assert manifest["package"] == "swagger-ui-dist"
    assert re.fullmatch(r"\d+\.\d+\.\d+", manifest["version"])
    for name, pinned in manifest["files"].items():
        digest = hashlib.sha256((PACKAGE / name).read_bytes()).hexdigest()
        assert digest == pinned["sha256"], name
    static = {f"static/{path.name}" for path in (PACKAGE / "static").iterdir()}
    assert static - set(manifest["files"]) == {"static/docs.js"}  # ours; the rest pinned
