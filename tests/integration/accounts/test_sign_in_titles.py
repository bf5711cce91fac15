"""Session refusals are titled for sessions; only API keys' say "API key"."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient


def test_each_refusal_has_its_own_title(client_with: Callable[..., TestClient]) -> None:
    client = client_with(require_api_keys=True)
    client.base_url = client.base_url.copy_with(scheme="https")
    refusals = {
        "wrong": client.post("/v1/session", json={"email": "a@b.org", "password": "nope"}),
        "anonymous": client.get("/v1/transparency?from=2026-01-01&to=2026-01-31"),
        "no key": client.get("/v1/banks"),
    }
    answers = {name: answer.json() for name, answer in refusals.items()}
    assert {name: answer.status_code for name, answer in refusals.items()} == dict.fromkeys(
        refusals, 401
    )
    assert (answers["wrong"]["title"], answers["wrong"]["code"]) == (
        "Wrong email or password", "auth.wrong_credentials",
    )  # fmt: skip
    assert (answers["anonymous"]["title"], answers["anonymous"]["detail"]) == (
        "Not signed in", "sign in first",
    )  # fmt: skip
    assert (answers["no key"]["title"], answers["no key"]["code"]) == (
        "Missing or invalid API key", "auth.unauthorized",
    )  # fmt: skip
