"""Statements of reasons reach the DSA Transparency Database: batched, refused ones set
aside with the TDB's reason, known ones not sent twice, failures retried."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.cases.models import Case
from accord.server.decisions.models import ItemAction
from accord.server.runtime import Runtime
from accord.server.tdb.models import Submission
from accord.server.tdb.service import submit_due
from tests.fake_tdb import TOKEN, FakeTdb, fake_tdb
from tests.integration.notice_action import (
    Staff,
    hire,
    runtime_of,
    send_notice,
    sign_in,
    triage,
)
from tests.integration.notices.test_notices_api import bridge

REMOVE = {
    "action": "remove",
    "ground_text": "Terms 4.2: deceptive synthetic media about elections",
    "explanation": "A fabricated picture of the candidate.",
}


@pytest.fixture
def tdb() -> Iterator[FakeTdb]:
    with fake_tdb() as running:
        yield running


@pytest.fixture
def client(client_with: Callable[..., TestClient], tdb: FakeTdb) -> TestClient:
    return client_with(tdb_api_url=tdb.url, tdb_token=SecretStr(TOKEN))


def decide_two_copies(client: TestClient, db_session: Session, corpus: Path) -> Staff:
    """A removal of content posted in two places: two statements."""
    staff = hire(db_session, runtime_of(client).settings.master_key.get_secret_value())
    for content_id in ("v-1", "v-2"):
        send_notice(
            client, media=bridge(corpus), platform="videoshare", platform_content_id=content_id
        )
    triage(client)
    case = db_session.scalar(select(Case))
    assert case is not None
    headers = sign_in(client, staff.reviewer)
    decided = client.post(f"/v1/cases/{case.reference}/decision", json=REMOVE, headers=headers)
    assert decided.status_code == 201, decided.text
    return staff


def submit(runtime: Runtime) -> int:
    with httpx.Client() as http:
        return submit_due(runtime.sessions, runtime.settings, http)


def statuses(db_session: Session) -> list[tuple[str, str]]:
    rows = db_session.scalars(select(Submission).order_by(Submission.id))
    return [(row.status, row.last_error) for row in rows]


def test_statements_go_to_the_tdb_in_one_batch_and_the_csv_carries_its_uuids(
    client: TestClient, db_session: Session, tdb: FakeTdb, corpus: Path
) -> None:
    staff = decide_two_copies(client, db_session, corpus)
    assert submit(runtime_of(client)) == 2
    assert tdb.batches == [2]
    assert statuses(db_session) == [("submitted", ""), ("submitted", "")]
    uuids = {row.uuid for row in db_session.scalars(select(Submission))}
    assert uuids == {receipt["uuid"] for receipt in tdb.stored.values()}
    assert submit(runtime_of(client)) == 0  # nothing is sent twice
    sign_in(client, staff.auditor)
    rows = client.get("/v1/statements", params={"format": "csv"}).text.splitlines()[1:]
    assert {row.split(",", 1)[0] for row in rows} == uuids


def test_a_refused_statement_is_set_aside_with_the_reason_and_the_rest_go_through(
    client: TestClient, db_session: Session, tdb: FakeTdb, corpus: Path
) -> None:
    decide_two_copies(client, db_session, corpus)
    first = db_session.scalar(select(Submission).order_by(Submission.id))
    assert first is not None
    tdb.refuse.add(first.puid)
    submit(runtime_of(client))
    assert tdb.batches == [2]  # refused whole, then sent one by one
    [(refused, reason), (stored, _)] = statuses(db_session)
    assert (refused, stored) == ("refused", "submitted")
    assert "refused by this test" in reason


def test_a_statement_the_tdb_already_holds_counts_as_submitted(
    client: TestClient, db_session: Session, tdb: FakeTdb, corpus: Path
) -> None:
    decide_two_copies(client, db_session, corpus)
    submission = db_session.scalar(select(Submission).order_by(Submission.id))
    assert submission is not None
    action = db_session.get(ItemAction, submission.item_action_id)
    assert action is not None
    assert action.statement is not None
    tdb.store(action.statement)  # stored before, its answer lost
    submit(runtime_of(client))
    assert statuses(db_session) == [("submitted", "already in the TDB"), ("submitted", "")]


def test_failures_are_retried_later(
    client: TestClient, db_session: Session, tdb: FakeTdb, corpus: Path
) -> None:
    decide_two_copies(client, db_session, corpus)
    tdb.fail_next = 1
    submit(runtime_of(client))
    rows = db_session.scalars(select(Submission)).all()
    assert {(row.status, row.attempts) for row in rows} == {("pending", 1)}
    assert all("HTTP 500" in row.last_error for row in rows)
    for row in rows:
        row.next_attempt_at = row.created_at  # due again
    db_session.commit()
    submit(runtime_of(client))
    assert [status for status, _ in statuses(db_session)] == ["submitted", "submitted"]


def test_without_a_tdb_nothing_is_queued(
    client_with: Callable[..., TestClient], db_session: Session, corpus: Path
) -> None:
    decide_two_copies(client_with(), db_session, corpus)
    assert db_session.scalars(select(Submission)).all() == []
