"""API keys: required when configured, scoped, rate limited, revocable, stored hashed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.audit.models import AuditEntry
from accord.server.audit.service import verify
from accord.server.auth.keys import create_key, revoke_key
from accord.server.auth.models import ApiKey
from tests.integration.banks.test_banks_api import BRIDGE_PDQ


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_keys_are_required_when_configured(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(require_api_keys=True)
    missing = client.get("/v1/banks")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.json()["code"] == "auth.unauthorized"
    assert client.get("/v1/banks", headers=bearer("acc_nope_nope")).status_code == 401
    assert client.get("/healthz").status_code == 200  # health stays open


def test_scopes_decide_what_a_key_may_do(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(require_api_keys=True)
    _, matcher = create_key(db_session, "platform", ["match"])
    _, curator = create_key(db_session, "curator", ["curate", "match"])
    query = {"signals": {"pdq": BRIDGE_PDQ}}
    assert client.post("/v1/match", json=query, headers=bearer(matcher)).status_code == 200
    forbidden = client.post("/v1/banks", json={"name": "B"}, headers=bearer(matcher))
    assert forbidden.status_code == 403
    assert "curate" in forbidden.json()["detail"]
    created = client.post("/v1/banks", json={"name": "B"}, headers={"X-API-Key": curator})
    assert created.status_code == 201
    added = client.post(
        "/v1/banks/B/entries", json={"signals": {"pdq": BRIDGE_PDQ}}, headers=bearer(curator)
    )
    assert added.json()["added_by"] == "curator"
    assert client.get("/c/banks", headers=bearer(matcher)).status_code == 403


def test_files_sent_as_the_body_are_checked_like_every_request(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    client = client_with(require_api_keys=True)
    _, matcher = create_key(db_session, "platform", ["match"])
    _, curator = create_key(db_session, "curator", ["curate"])
    _, tiny = create_key(db_session, "tiny", ["match"], rate_limit_per_minute=1)
    photo = (corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg").read_bytes()

    def post(**headers: str) -> int:
        return client.post("/v1/match", content=photo, headers={**as_jpeg, **headers}).status_code

    as_jpeg = {"content-type": "image/jpeg"}
    assert post(**bearer(matcher)) == 200
    missing = client.post("/v1/match", content=photo, headers=as_jpeg)
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"].startswith("Bearer")
    assert missing.headers["content-type"].startswith("application/problem+json")
    assert post(**bearer(curator)) == 403
    assert [post(**bearer(tiny)) for _ in range(2)] == [200, 429]
    assert "x-request-id" in missing.headers  # the request log still sees it


def test_rate_limits_answer_429_with_retry_after(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(require_api_keys=True)
    _, key = create_key(db_session, "tiny", ["match"], rate_limit_per_minute=3)
    query = {"signals": {"pdq": BRIDGE_PDQ}}
    codes = [
        client.post("/v1/match", json=query, headers=bearer(key)).status_code for _ in range(5)
    ]
    assert codes == [200, 200, 200, 429, 429]
    limited = client.post("/v1/match", json=query, headers=bearer(key))
    assert int(limited.headers["retry-after"]) >= 1


def test_revoked_keys_stop_working_and_secrets_are_not_stored(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(require_api_keys=True)
    _, key = create_key(db_session, "temp", ["curate"])
    row = db_session.scalars(select(ApiKey).where(ApiKey.name == "temp")).one()
    assert key not in (row.secret_sha256, row.prefix)
    # acc_<prefix>_<secret>: the secret is url-safe base64 and may itself contain "_".
    secret = key.removeprefix(f"acc_{row.prefix}_")
    assert len(secret) >= 32
    assert secret not in row.secret_sha256
    assert client.get("/v1/banks", headers=bearer(key)).status_code == 200
    revoke_key(db_session, "temp")
    fresh = client_with(require_api_keys=True)  # a new process: no cached answer
    assert fresh.get("/v1/banks", headers=bearer(key)).status_code == 401


def test_a_secret_with_underscores_in_it_is_still_one_secret(
    client_with: Callable[..., TestClient], db_session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What token_urlsafe gives now and then: "_" in the secret, even first or twice.
    monkeypatch.setattr(secrets, "token_urlsafe", lambda _n: "_x_" + "a" * 29)
    client = client_with(require_api_keys=True)
    _, key = create_key(db_session, "underscored", ["curate"])
    row = db_session.scalars(select(ApiKey).where(ApiKey.name == "underscored")).one()
    assert key == f"acc_{row.prefix}__x_{'a' * 29}"
    assert key.split("_")[2] == ""  # what the test above used to check: always "in"
    assert client.get("/v1/banks", headers=bearer(key)).status_code == 200
    assert client.get("/v1/banks", headers=bearer(key[:-1] + "b")).status_code == 401


def test_keys_are_optional_in_development(client: TestClient) -> None:
    assert client.get("/v1/banks").status_code == 200


def test_the_audit_log_names_the_key_behind_each_change(
    client_with: Callable[..., TestClient], db_session: Session
) -> None:
    client = client_with(require_api_keys=True)
    _, curator = create_key(db_session, "curator", ["curate"])
    assert client.post("/v1/banks", json={"name": "B"}, headers=bearer(curator)).status_code == 201
    [entry] = db_session.scalars(select(AuditEntry).where(AuditEntry.table == "banks")).all()
    assert (entry.actor, entry.action) == ("key:curator", "insert")
    assert (entry.after or {}).get("name") == "B"
    keys = db_session.scalars(select(AuditEntry).where(AuditEntry.table == "api_keys")).all()
    assert keys
    assert all("secret_sha256" not in (e.after or {}) for e in keys)  # secrets stay out
    assert verify(db_session).intact
