"""``accord transparency report`` after real notices, decisions and appeals: the CSVs, the
workbook and the aggregates agree with each other and with the statements of reasons."""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date
from pathlib import Path
from types import SimpleNamespace

import openpyxl  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accord.cli.main import app
from accord.server.decisions.models import ItemAction
from accord.server.settings import Settings
from accord.server.transparency.service import figures_for, period_between
from tests.integration.notice_action import Staff, runtime_of
from tests.integration.transparency.history import START, Clock, History, statements_in_db

CIVIC = "Negative effects on civic discourse or elections"


@pytest.fixture
def made(
    client: TestClient,
    db_session: Session,
    staff: Staff,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> History:
    """A trusted flagger's notice acted on, a copy decided automatically, a label on the
    terms, an appeal heard; and the CLI reading this test's session."""
    clock = Clock(monkeypatch, START)
    history = History(runtime_of(client), db_session, staff, tmp_path)
    history.notice("trusted_flagger", content=1, copy=0)
    clock.advance(hours=2)
    history.decide(1, "remove", "illegal")
    clock.advance(days=1)
    history.notice("partner", content=1, copy=1)  # decided at once, automatically
    history.notice("public", content=2, copy=0)
    clock.advance(hours=3)
    history.decide(2, "label_ai_generated", "incompatible")
    history.appeal_as_uploader(1, copy=0)
    clock.advance(hours=5)
    history.decide_appeal(0, reverse=False)

    @contextmanager
    def database() -> Iterator[SimpleNamespace]:
        yield SimpleNamespace(settings=history.runtime.settings)

    @contextmanager
    def transaction(_opened: object) -> Iterator[Session]:
        yield db_session

    monkeypatch.setattr("accord.cli.transparency.local_database", database)
    monkeypatch.setattr("accord.cli.transparency.transaction", transaction)
    return history


def _table(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_the_report_files_add_up(
    made: History, db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    out = tmp_path / "report"
    result = CliRunner().invoke(
        app,
        ["transparency", "report", "--from", "2031-03-01", "--to", "2031-03-31", "--out", str(out)],
    )
    assert result.exit_code == 0, result.stderr
    period = period_between(date(2031, 3, 1), date(2031, 3, 31), settings.zone)
    figures = figures_for(db_session, settings, period)
    issued = statements_in_db(db_session, period.start, period.end)
    assert issued == figures.statements_issued >= 3

    notices = {row["Category of illegal content"]: row for row in _table(out / "4_notices.csv")}
    civic = notices[CIVIC]
    assert int(civic["Number of notices received "]) == figures.notices_total.received == 3
    assert int(civic["Number of notices received from Trusted flaggers"]) == 1
    law = "Number of actions taken on the basis of the law"
    terms = "Number of actions taken on the basis of the terms and conditions of the service"
    on_notices = sum(int(row[law]) + int(row[terms]) for row in notices.values())
    own = "Number of measures taken at the provider's own initiative "
    own_initiative = sum(
        int(row[own])
        for name in ("5_own_initiative_illegal.csv", "6_own_initiative_TC.csv")
        for row in _table(out / name)
    )
    assert on_notices + own_initiative == issued  # actions = statements issued

    appeals = {
        (row["Indicator"], row["Scope"]): row["Value"]
        for row in _table(out / "7_appeals_and_recidivism.csv")
    }
    assert appeals["Number of complaints received", "All"] == "1"
    assert appeals["Number of decisions upheld", "All"] == "1"
    automated = {row["Indicator"]: row["Value"] for row in _table(out / "8_automated_means.csv")}
    assert automated["Number of decisions taken solely by automated means"] == str(
        figures.automation.decisions_automated
    )

    aggregates = _table(out / "aggregates.csv")
    assert sum(int(row["total"]) for row in aggregates) == issued
    expected = Counter[tuple[str, str, str]]()
    for created_at, statement in db_session.execute(
        select(ItemAction.created_at, ItemAction.statement).where(ItemAction.statement.is_not(None))
    ):
        day = created_at.replace(tzinfo=created_at.tzinfo or UTC).astimezone(UTC).date()
        expected[statement["automated_decision"], statement["category"], day.isoformat()] += 1
    found = Counter[tuple[str, str, str]]()
    for row in aggregates:
        found[row["automated_decision"], row["category"], row["received_date"]] += int(row["total"])
    assert found == expected

    workbook = openpyxl.load_workbook(io.BytesIO((out / "report.xlsx").read_bytes()))
    sheet = workbook["4_notices"]
    header = [cell.value for cell in sheet[1]]
    rows = {
        row[3]: dict(zip(header, row, strict=True))
        for row in sheet.iter_rows(min_row=2, values_only=True)
    }
    assert rows[CIVIC]["Number of notices received "] == 3
    assert rows[CIVIC][law] == int(civic[law])
