"""The public transparency page in a real browser against a real ``accord serve``: last
month's notices and decisions, made through the real services, drawn as charts whose
numbers are the tables' beneath them and the page's figures CSV.

``ACCORD_SCREENSHOTS=1`` also saves the page as ``docs/images/transparency.png`` (the
README's picture).
"""

from __future__ import annotations

import csv
import io
import os
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from playwright.sync_api import Browser, expect

from accord.server.accounts import service as accounts
from accord.server.persons import service as persons
from accord.server.runtime import Runtime
from accord.server.transparency.period import period_between
from tests.e2e.instance import new_instance
from tests.integration.notice_action import Staff
from tests.integration.serving import serve
from tests.integration.transparency.history import Clock, History

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PASSWORD = "correct horse battery staple"  # noqa: S105 - test accounts'
PICTURE = Path(__file__).parents[2] / "docs" / "images" / "transparency.png"
#: The served instance publishes counts from 3 up, so that last month's few dozen notices
#: show both bars and hidden small counts.
MIN_COUNT = 3
#: A month of its own (asked for by its days, so the test does not depend on today's date).
MONTH = period_between(date(2031, 3, 1), date(2031, 3, 31), UTC)  # type: ignore[arg-type]
#: (notices that day, of them from trusted flaggers), for the month's first 26 days.
DAYS = [(day * 7 % 5, day % 4 == 1) for day in range(26)]
NOTICES = sum(count for count, _ in DAYS)


def staff_of(session: Any) -> Staff:
    """An election authority's staff (no webhook: nothing leaves this machine)."""
    ec = accounts.create_organization(session, "EC", "election_authority")
    campaign = accounts.create_organization(session, "Doe campaign", "campaign")

    def user(email: str, role: str, organization: Any = ec) -> Any:
        return accounts.create_user(session, organization, email, role, PASSWORD)

    staff = Staff(
        reviewer=user("reviewer@ec.example", "reviewer"),
        second_reviewer=user("reviewer2@ec.example", "reviewer"),
        senior=user("senior@ec.example", "senior_reviewer"),
        admin=user("admin@ec.example", "admin"),
        auditor=user("auditor@ec.example", "auditor"),
        candidate=user("jane@doe.example", "protected_person", campaign),
        representative=user("staff@doe.example", "representative", campaign),
        jane=persons.register_person(session, "Jane Doe", role="candidate for mayor"),
    )
    persons.link_account(session, staff.jane, staff.candidate)
    persons.verify_identity(session, staff.jane, staff.admin)
    return staff


def last_month(data: Path, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Notices every day; most decided the next morning (removed, labelled or demoted;
    every fifth as illegal); some copies' uploaders appeal, and some appeals win."""
    files.mkdir()
    with new_instance(data) as (settings, session):
        staff = staff_of(session)
        runtime = Runtime.build(settings)
        clock = Clock(monkeypatch, datetime.combine(MONTH.first, time(7), UTC))
        history = History(runtime, session, staff, files)
        try:
            content = 0
            for day, (count, flagged) in enumerate(DAYS):
                clock.now = datetime.combine(MONTH.first + timedelta(days=day), time(7), UTC)
                made = []
                for number in range(count):
                    content += 1
                    kind = "trusted_flagger" if flagged and number == 0 else "public"
                    history.notice(kind, content=content, copy=0)
                    made.append(content)
                    clock.advance(minutes=47)
                clock.advance(hours=5 + day % 6)
                for number in made:
                    if number % 6 == 0:
                        continue  # still waiting
                    action = ("remove", "remove", "label_ai_generated", "demote")[number % 4]
                    history.decide(number, action, "illegal" if number % 5 == 0 else "incompatible")
                    clock.advance(minutes=9)
                if day % 5 == 2 and made:
                    history.appeal_as_uploader(made[0])
                    clock.advance(hours=20)
                    history.decide_appeal(len(history.appeals) - 1, reverse=day % 10 == 2)
        finally:
            runtime.close()


def page_numbers(page: Any) -> dict[str, list[dict[str, str]]]:
    """What the page shows: every table cell, and every bar of every chart."""
    numbers: dict[str, list[dict[str, str]]] = page.evaluate(
        """() => ({
            cells: [...document.querySelectorAll('table.figures td')].map(td => ({
                table: td.closest('table').id.replace(/^table-/, ''),
                row: td.closest('tr').dataset.key,
                label: td.closest('tr').querySelector('th').textContent.trim(),
                column: td.dataset.label,
                value: td.textContent.trim(),
            })),
            bars: [...document.querySelectorAll('svg.chart g.bar')].map(g => ({
                chart: g.closest('svg').id.replace(/^chart-/, ''),
                label: g.dataset.label,
                series: g.dataset.series || '',
                value: g.dataset.value,
            })),
        })"""
    )
    return numbers


def as_in_csv(text: str) -> str:
    """A cell as the CSV writes it: no thousands separators, a missing figure empty."""
    return "" if text == "\u2013" else text.replace(",", "")


def test_the_charts_show_the_numbers_of_the_tables_and_the_csv(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = tmp_path / "data"
    last_month(data, tmp_path / "files", monkeypatch)
    with serve(data, transparency_min_count=str(MIN_COUNT)) as served:
        context = browser.new_context(viewport={"width": 1100, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.on(
            "request",
            lambda r: (
                problems.append(r.url)
                if urlsplit(r.url).netloc != urlsplit(served.base).netloc
                else None
            ),
        )
        page.goto(f"{served.base}/transparency?from={MONTH.first}&to={MONTH.last}")
        expect(page.get_by_role("heading", name="Transparency report")).to_be_visible()
        expect(page.locator("#period-label")).to_have_text(MONTH.label)
        expect(page.locator("#notices-received")).to_have_text(str(NOTICES))
        shown = page_numbers(page)
        answer = httpx.get(f"{served.base}/transparency/figures-{MONTH.slug}.csv")
        if os.environ.get("ACCORD_SCREENSHOTS"):
            PICTURE.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=PICTURE, full_page=True)
        context.close()
    assert problems == []
    # The tables say what the CSV says, cell for cell.
    in_csv = {
        (row["table"], row["row"], row["column"]): row["value"]
        for row in csv.DictReader(io.StringIO(answer.text))
    }
    in_tables = {
        (cell["table"], cell["row"], cell["column"]): as_in_csv(cell["value"])
        for cell in shown["cells"]
    }
    assert in_tables == in_csv
    assert in_csv["key-figures", "notices_received", "Value"] == str(NOTICES)
    # Each chart draws its table's numbers, bar for bar.
    by_label = {
        (cell["table"], cell["label"], cell["column"]): as_in_csv(cell["value"])
        for cell in shown["cells"]
    }
    columns = {"by-category": "Actions", "by-ground": "Actions", "by-restriction": "Actions",
               "appeals": "Appeals"}  # fmt: skip
    charts = {bar["chart"] for bar in shown["bars"]}
    assert charts == {"over-time", *columns}
    for bar in shown["bars"]:
        column = bar["series"] or columns[bar["chart"]]
        assert by_label[bar["chart"], bar["label"], column] == bar["value"], bar
    over_time = [bar for bar in shown["bars"] if bar["chart"] == "over-time"]
    assert len(over_time) == 2 * len(MONTH.days)
    values = {bar["value"] for bar in over_time}
    assert f"fewer than {MIN_COUNT}" in values  # some days are too small to publish
    assert any(value.isdigit() and int(value) >= MIN_COUNT for value in values)
