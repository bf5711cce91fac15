"""``POST /v1/credentials/sign`` after a new user's walk: every source type spelling, the
CLI's file name, and a mark that would not read back left out and explained."""

from __future__ import annotations

import json
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.provenance.certificates import IssuerName
from accord.server.issuers.service import create_issuer


def _issuer(client: TestClient, db_session: Session) -> None:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    create_issuer(
        db_session, "ec", IssuerName("Electoral Commission", "EC"),
        runtime.settings.master_key.get_secret_value(),
    )  # fmt: skip


def _sign(client: TestClient, path: Path, **data: str) -> tuple[int, dict[str, str], bytes]:
    response = client.post(
        "/v1/credentials/sign",
        files={"file": (path.name, path.read_bytes())},
        data={"issuer": "ec", **data},
    )
    return response.status_code, dict(response.headers), response.content


def _source_types(client: TestClient, content: bytes) -> list[str]:
    response = client.post("/v1/credentials/verify", files={"file": ("x.jpg", content)})
    assert response.status_code == 200, response.text
    kinds: list[str] = response.json()["credential"]["source_types"]
    return kinds


def test_source_types_in_every_spelling(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    _issuer(client, db_session)
    photo = corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg"
    for spelling, expected in (
        ("camera", "digitalCapture"),
        ("digitalCapture", "digitalCapture"),
        ("human-edits", "humanEdits"),
        ("human_edits", "humanEdits"),
        ("humanEdits", "humanEdits"),
    ):
        status, headers, content = _sign(client, photo, source_type=spelling)
        assert status == 200, (spelling, content)
        assert _source_types(client, content) == [expected], spelling
        assert 'filename="aaa-orig.signed.jpg"' in headers["content-disposition"]

    status, headers, content = _sign(client, photo, source_type="painting")
    assert status == 400
    assert headers["content-type"].startswith("application/problem+json")
    detail = json.loads(content)["detail"]
    assert "unknown source type 'painting'" in detail
    assert "camera (digitalCapture)" in detail
    assert "human-edits (humanEdits)" in detail


def test_a_mark_that_would_not_read_back_is_left_out_and_explained(
    client: TestClient, db_session: Session, corpus: Path
) -> None:
    _issuer(client, db_session)
    status, headers, content = _sign(client, corpus / "c2pa" / "earth_apollo17.jpg")
    assert status == 200, content
    assert "x-accord-watermark" not in headers
    assert headers["x-accord-not-watermarked"].startswith("the mark did not read back")
    response = client.post("/v1/credentials/verify", files={"file": ("e.jpg", content)})
    answer = response.json()
    assert answer["state"] == "trusted"
    assert answer["watermark"] is None  # not declared, so never "missing"
