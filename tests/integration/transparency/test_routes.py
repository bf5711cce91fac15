"""The transparency routes: the public page and its downloads, the public API, and the
exact figures and report files for administrators and auditors."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.server.transparency.period import last_full_month
from tests.integration.notice_action import Staff, runtime_of, sign_in
from tests.integration.transparency.history import Clock, History

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: The day the tests read the figures on (the database's clock, which the tests set), and
#: so the default period: the last full month (the test instance counts in UTC).
TODAY = datetime(2031, 4, 15, 9, tzinfo=UTC)
MONTH = last_full_month(TODAY.date(), UTC)  # type: ignore[arg-type]


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch, datetime.combine(MONTH.first + timedelta(days=1), time(8), UTC))


@pytest.fixture
def month_of_work(
    client: TestClient, db_session: Session, staff: Staff, tmp_path: Path, clock: Clock
) -> History:
    """Last month: seven notices, one from a trusted flagger; six copies removed. The clock
    is left at ``TODAY``."""
    history = History(runtime_of(client), db_session, staff, tmp_path)
    for content in range(1, 7):
        history.notice("public", content=content, copy=0)
        clock.advance(hours=1)
    history.notice("trusted_flagger", content=7, copy=0)
    clock.advance(hours=3)
    for content in range(1, 7):
        history.decide(content, "remove")
    clock.now = TODAY
    return history


def test_the_public_page_shows_last_months_figures_without_an_account(
    client: TestClient, month_of_work: History
) -> None:
    page = client.get("/transparency")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    html = page.text
    assert f'<strong id="period-label">{MONTH.label}</strong>' in html
    assert re.search(r'<tr data-key="notices_received">\s*<th scope="row">Notices received</th>'
                     r'\s*<td class="number" data-label="Value">7</td>', html)  # fmt: skip
    assert "fewer than 5" in html
    assert html.count('role="img"') == 5
    assert html.count("<table") == 8
    assert "voter0@example.org" not in html
    assert "A. Voter" not in html
    assert f'href="/transparency/report-{MONTH.slug}.xlsx"' in html
    assert 'href="/transparency"' in html  # the footer's link


def test_the_public_api_and_the_figures_csv_say_what_the_page_shows(
    client: TestClient, month_of_work: History
) -> None:
    view = client.get("/v1/transparency/public").json()
    assert view["period"]["slug"] == MONTH.slug
    assert view["notices"]["received"] == 7
    assert view["notices"]["from_trusted_flaggers"] == "fewer than 5"
    assert view["actions"]["total"] == 6
    assert {row["key"]: row["count"] for row in view["actions"]["by_restriction"]}["removal"] == 6
    assert [choice["slug"] for choice in view["choices"]] == [MONTH.slug]
    assert "@" not in str(view)
    download = client.get(f"/transparency/figures-{MONTH.slug}.csv")
    assert download.status_code == 200
    assert download.headers["content-type"] == "text/csv; charset=utf-8"
    assert download.headers["content-disposition"] == (
        f'attachment; filename="transparency-figures-{MONTH.slug}.csv"'
    )
    cells = {
        (row["table"], row["row"], row["column"]): row["value"]
        for row in csv.DictReader(io.StringIO(download.text))
    }
    assert cells["key-figures", "notices_received", "Value"] == "7"
    assert cells["key-figures", "actions_taken", "Value"] == "6"
    second = (MONTH.first + timedelta(days=1)).isoformat()
    assert cells["over-time", second, "Notices received"] == "7"
    assert cells["over-time", second, "Actions taken"] == "6"
    assert cells["by-ground", "incompatible", "Actions"] == "6"
    # The same days asked for by their dates give the same view.
    custom = client.get(
        "/v1/transparency/public",
        params={"from": MONTH.first.isoformat(), "to": MONTH.last.isoformat()},
    ).json()
    assert custom["notices"] == view["notices"]


def test_the_public_report_files_mask_small_counts(
    client: TestClient, month_of_work: History
) -> None:
    workbook = client.get(f"/transparency/report-{MONTH.slug}.xlsx")
    assert workbook.status_code == 200, workbook.text
    assert workbook.headers["content-type"] == XLSX
    assert "attachment" in workbook.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True)
    assert "4_notices" in book.sheetnames
    values = [cell for row in book["4_notices"].iter_rows(values_only=True) for cell in row]
    assert 7 in values
    assert "fewer than 5" in values
    archive = client.get(f"/transparency/report-{MONTH.slug}.zip")
    assert archive.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(archive.content)) as files:
        assert any(name.endswith(".csv") for name in files.namelist())
    aggregates = client.get(f"/transparency/aggregates-{MONTH.slug}.csv")
    assert aggregates.status_code == 200
    assert aggregates.text.startswith("automated_decision,automated_detection,category,")
    assert aggregates.text.splitlines()[1].endswith(",6")  # six removals, one kind


def test_admins_and_auditors_get_exact_figures_and_files(
    client: TestClient, month_of_work: History, staff: Staff
) -> None:
    assert client.get("/v1/transparency").status_code == 401
    assert client.get("/v1/transparency/report.xlsx").status_code == 401
    sign_in(client, staff.auditor)
    exact = client.get("/v1/transparency").json()
    assert exact["period"]["first"] == MONTH.first.isoformat()
    assert exact["notices_total"]["received"] == 7
    assert exact["notices_total"]["from_trusted_flaggers"] == 1  # exact, not masked
    assert exact["statements_issued"] == 6
    span = {"from": MONTH.first.isoformat(), "to": MONTH.first.isoformat()}
    assert client.get("/v1/transparency", params=span).json()["notices_total"]["received"] == 0
    workbook = client.get("/v1/transparency/report.xlsx")
    assert workbook.status_code == 200
    assert workbook.headers["content-type"] == XLSX
    assert workbook.headers["content-disposition"] == (
        f'attachment; filename="transparency-report-{MONTH.slug}.xlsx"'
    )
    book = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True)
    values = [cell for row in book["4_notices"].iter_rows(values_only=True) for cell in row]
    assert "fewer than 5" not in values
    archive = client.get("/v1/transparency/report.zip", params=span)
    assert archive.headers["content-type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(archive.content)).testzip() is None


def test_a_period_is_refused_in_one_line(client: TestClient, staff: Staff) -> None:
    refusals = [
        ("/transparency?from=2026-01-01", "from and to go together"),
        ("/transparency?period=1999-01-01_1999-01-31", "period: not one of the periods offered"),
        ("/transparency?from=2026-02-01&to=2026-01-01", "the last day comes on or after"),
        ("/transparency?from=yesterday&to=2026-01-01", "from: a day as YYYY-MM-DD"),
        ("/transparency/figures-not-a-period.csv", "a download is named by its first and last day"),
    ]
    for path, words in refusals:
        page = client.get(path, headers={"Accept": "text/html"})
        assert page.status_code == 400, path
        assert page.headers["content-type"].startswith("text/html"), path
        assert words[1:] in page.text, path  # the page begins its sentence with a capital
    for path in ("/v1/transparency/public?to=2026-01-01", "/v1/transparency/public?period=x"):
        problem = client.get(path)
        assert problem.status_code == 400
        assert problem.headers["content-type"] == "application/problem+json"
    sign_in(client, staff.admin)
    for path in ("/v1/transparency", "/v1/transparency/report.xlsx", "/v1/transparency/report.zip"):
        problem = client.get(path, params={"from": "2026-01-01"})
        assert problem.status_code == 400, path
        assert problem.json()["detail"] == "from and to go together: give both days, or neither"


def test_the_page_answers_from_its_cache_for_a_while(
    client: TestClient, client_with: object, month_of_work: History, clock: Clock
) -> None:
    def received(test_client: TestClient) -> object:
        return test_client.get("/v1/transparency/public").json()["notices"]["received"]

    def late_notice(content: int) -> None:
        clock.now = datetime.combine(MONTH.last, time(12), UTC)
        month_of_work.notice("public", content=content, copy=0)
        clock.now = TODAY

    assert received(client) == 7
    late_notice(8)
    assert received(client) == 7  # from memory
    client.app.state.transparency_figures.clear()  # type: ignore[attr-defined]
    assert received(client) == 8
    uncached = client_with(transparency_cache_seconds=0)  # type: ignore[operator]
    late_notice(9)
    assert received(uncached) == 9


def test_the_elections_periods_are_offered(client: TestClient, db_session: Session) -> None:
    from accord.server.elections.service import add_election

    polling = datetime.now(UTC).date() + timedelta(days=30)
    add_election(db_session, "Regional elections", polling)
    page = client.get("/transparency")
    assert "Regional elections" in page.text
    view = client.get("/v1/transparency/public").json()
    slug = view["choices"][1]["slug"]
    chosen = client.get("/transparency", params={"period": slug})
    assert chosen.status_code == 200
    assert '<strong id="period-label">Regional elections</strong>' in chosen.text


def test_a_period_without_actions_says_so(client: TestClient) -> None:
    page = client.get("/transparency", params={"from": "2031-01-01", "to": "2031-01-31"})
    assert page.status_code == 200
    assert (
        '<tr class="empty"><th scope="row" colspan="2">None in this period</th></tr>' in page.text
    )
