"""Numbers from outside that no column can hold get a 4xx, never a database error."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.integration.notice_action import send_notice

#: One past PostgreSQL's ``integer``, and one past a 64-bit integer.
TOO_BIG = ["2147483648", "9223372036854775808"]


@pytest.mark.parametrize("value", TOO_BIG)
def test_a_notice_with_a_reach_no_column_holds_is_refused(
    client: TestClient, corpus: Path, value: str
) -> None:
    answer = send_notice(client, media=corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", reach=value)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert "reach" in answer.text


@pytest.mark.parametrize("value", TOO_BIG)
@pytest.mark.parametrize(
    "path",
    [
        "/v1/banks/nobank/entries/{}",
        "/v1/banks/nobank/entries?after={}",
        "/verify/originals/{}/thumbnail",
        "/c/bank/nobank/content/{}",
    ],
)
def test_ids_no_column_holds_are_refused(client: TestClient, path: str, value: str) -> None:
    answer = client.get(path.format(value))
    assert 400 <= answer.status_code < 500, answer.text
