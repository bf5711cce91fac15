"""The aggregates CSV counted in the database is, byte for byte, the file made from every
statement read one by one (``aggregate``), on both databases: odd and missing attributes,
arrays in the order given, text that needs quoting, and statements at the edges of the UTC
days, in a period whose local days are not UTC's."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.decisions.models import ItemAction
from accord.server.settings import Settings
from accord.server.transparency.aggregates import aggregate, aggregates_csv, aggregates_text
from accord.server.transparency.service import period_between
from tests.integration.notice_action import Staff, runtime_of
from tests.integration.transparency.history import START, Clock, History

MONTH = period_between(date(2031, 3, 1), date(2031, 3, 31), ZoneInfo("Europe/Brussels"))
FIRST = datetime.combine(MONTH.first, time(), UTC)
AFTER = datetime.combine(MONTH.last + timedelta(days=1), time(), UTC)
TICK = timedelta(microseconds=1)
#: Changes to a real statement, and when the copy of it was issued.
VARIANTS: list[tuple[dict[str, Any], datetime]] = [
    ({}, FIRST),
    ({}, FIRST - TICK),  # the day before: left out
    ({}, AFTER - TICK),
    ({}, AFTER),  # the day after: left out
    ({"decision_account": "DECISION_ACCOUNT_SUSPENDED"}, FIRST + timedelta(hours=23)),
    ({"decision_account": None}, FIRST + timedelta(hours=23)),
    ({"content_type": []}, FIRST + timedelta(days=1)),
    ({"content_type": None}, FIRST + timedelta(days=1)),
    ({"content_type": ["CONTENT_TYPE_VIDEO", "CONTENT_TYPE_IMAGE"]}, FIRST + timedelta(days=2)),
    ({"content_type": ["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_VIDEO"]}, FIRST + timedelta(days=2)),
    ({"decision_visibility": []}, FIRST + timedelta(days=3)),
    (
        {
            "decision_visibility": [
                "DECISION_VISIBILITY_CONTENT_LABELLED",
                "DECISION_VISIBILITY_CONTENT_DEMOTED",
            ]
        },
        FIRST + timedelta(days=3),
    ),
    ({"automated_detection": "Yes"}, FIRST + timedelta(days=4)),
    ({"automated_detection": "Maybe"}, FIRST + timedelta(days=4)),
    ({"decision_monetary": "DECISION_MONETARY_OTHER"}, FIRST + timedelta(days=5)),
    ({"decision_provision": 'clause 4, "fair play"'}, FIRST + timedelta(days=5)),
    ({"decision_provision": "=HYPERLINK(1)"}, FIRST + timedelta(days=5)),
    ({"category": "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"}, FIRST + timedelta(days=6)),
    ({"automated_decision": "AUTOMATED_DECISION_FULLY"}, FIRST + timedelta(days=6)),
]
#: Keys a statement may leave out altogether.
DROPPED = ("automated_detection", "content_type", "decision_visibility", "category")


@pytest.fixture
def made(
    client: TestClient,
    db_session: Session,
    staff: Staff,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A few real statements, then copies of one of them with their attributes changed."""
    clock = Clock(monkeypatch, START)
    history = History(runtime_of(client), db_session, staff, tmp_path)
    history.notice("trusted_flagger", content=1, copy=0)
    history.notice("public", content=2, copy=0)
    clock.advance(hours=2)
    history.decide(1, "remove", "illegal")
    history.decide(2, "label_ai_generated", "incompatible")
    model = db_session.scalars(
        select(ItemAction).where(ItemAction.statement.is_not(None)).order_by(ItemAction.id)
    ).first()
    assert model is not None
    assert model.statement is not None
    variants = [*VARIANTS, *(({key: ...}, FIRST + timedelta(days=7)) for key in DROPPED)]
    for number, (changes, issued) in enumerate(variants):
        statement = dict(model.statement)
        for key, value in changes.items():
            if value is ...:
                del statement[key]
            else:
                statement[key] = value
        db_session.add(
            ItemAction(
                decision_id=model.decision_id,
                item_id=model.item_id,
                puid=f"variant-{number}",
                statement=statement,
                created_at=issued,
            )
        )
    db_session.flush()


@pytest.mark.usefixtures("made")
@pytest.mark.parametrize("service_name", ["", "Clearing house, EU"])
def test_the_aggregates_are_the_statements_counted_one_by_one(
    db_session: Session, settings: Settings, service_name: str
) -> None:
    settings = settings.model_copy(update={"dsa_service_name": service_name})
    read = [
        (created_at, statement)
        for created_at, statement in db_session.execute(
            select(ItemAction.created_at, ItemAction.statement).where(
                ItemAction.statement.is_not(None),
                ItemAction.created_at >= FIRST,
                ItemAction.created_at < AFTER,
            )
        )
    ]
    one_by_one = aggregates_text(aggregate(read), service_name or "accord")
    in_sql = aggregates_csv(db_session, settings, MONTH)
    assert in_sql == one_by_one
    rows = list(csv.DictReader(io.StringIO(in_sql)))
    assert sum(int(row["total"]) for row in rows) == len(read)
    assert len(read) == 2 + len(VARIANTS) - 2 + len(DROPPED)  # two real, two left out
    assert {row["platform_name"] for row in rows} == {service_name or "accord"}
    assert (rows[0]["received_date"], rows[-1]["received_date"]) == ("2031-03-01", "2031-03-31")
    assert {"'=HYPERLINK(1)", 'clause 4, "fair play"'} <= {
        row["decision_provision"] for row in rows
    }
    assert {
        "CONTENT_TYPE_VIDEO__CONTENT_TYPE_IMAGE",
        "CONTENT_TYPE_IMAGE__CONTENT_TYPE_VIDEO",
    } <= {row["content_type_single"] for row in rows}
