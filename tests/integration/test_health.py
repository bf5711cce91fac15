"""Liveness and readiness."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient

from accord.server.app import create_app
from accord.server.settings import Settings


def test_liveness(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_ready_once_migrated_and_indices_loaded(
    client: TestClient, client_with: Callable[..., TestClient]
) -> None:
    first = client_with().get("/readyz")  # no lifespan: nothing has loaded the indices
    assert first.status_code == 503
    assert first.json()["checks"]["indexes"] == "not loaded yet"
    deadline = time.monotonic() + 60  # a liveness bound: a busy machine loads slowly
    while (response := client.get("/readyz")).status_code != 200:
        assert time.monotonic() < deadline, response.text
        time.sleep(0.05)
    body = response.json()
    assert body["checks"] == {"database": "ok", "migrations": "ok", "blobs": "ok", "indexes": "ok"}
    assert body["indexes"]["loaded"] is True
    assert body["indexes"]["behind"] == {"signals": 0, "removals": 0}
    assert body["indexes"]["sizes"]["pdq"] == 0


def test_not_ready_before_migrations(tmp_path: Path) -> None:
    settings = Settings(env="test", data_dir=tmp_path, auto_migrate=False)
    with TestClient(create_app(settings)) as client:
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "accord db upgrade" in response.json()["checks"]["migrations"]


def test_every_response_carries_a_request_id(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert len(first.headers["x-request-id"]) == 32
    assert first.headers["x-request-id"] != second.headers["x-request-id"]
