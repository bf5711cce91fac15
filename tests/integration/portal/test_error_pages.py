"""A browser gets the portal's error page for an unknown address or a crash; API paths and
API clients keep problem+json."""

from __future__ import annotations

from fastapi.testclient import TestClient

from accord.server.portal.error_pages import prefers_html

BROWSER = {"accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


def _crash() -> None:
    raise RuntimeError("a bug")


def test_unknown_pages_are_pages_for_browsers(client: TestClient) -> None:
    for path in ("/nope", "/admin/nope"):
        page = client.get(path, headers=BROWSER)
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "<h1>Not found</h1>" in page.text
        assert f"There is no page at {path}." in page.text
        assert "content-security-policy" in page.headers


def test_api_paths_and_api_clients_keep_problem_json(client: TestClient) -> None:
    for path, headers in (("/v1/nope", BROWSER), ("/m/nope", BROWSER), ("/nope", {})):
        answer = client.get(path, headers=headers)
        assert answer.status_code == 404
        assert answer.headers["content-type"] == "application/problem+json"
        assert answer.json()["code"] == "http.404"


def test_a_crash_is_a_page_for_browsers_and_json_for_the_api(client: TestClient) -> None:
    client.app.add_api_route("/crash", _crash, include_in_schema=False)  # type: ignore[attr-defined]
    client.app.add_api_route("/v1/crash", _crash)  # type: ignore[attr-defined]
    page = client.get("/crash", headers=BROWSER)
    assert page.status_code == 500
    assert "Something went wrong on our side" in page.text
    assert "It was logged" in page.text
    assert "a bug" not in page.text
    problem = client.get("/v1/crash", headers=BROWSER)
    assert problem.status_code == 500
    assert problem.json()["code"] == "server.internal"


def test_html_is_preferred_only_when_ranked_above_json() -> None:
    assert prefers_html(BROWSER["accept"])
    assert not prefers_html("*/*")
    assert not prefers_html("")
    assert not prefers_html("application/json, text/html;q=0.5")
    assert not prefers_html("text/html;q=0")
