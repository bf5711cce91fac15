"""``accord transparency report``: the harmonised report's files for a period, and one
readable line for every mistake."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from accord.server.transparency import templates
from tests.unit.cli.conftest import accord

FILES = [f"{name}.csv" for name in templates.SHEET_NAMES]


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


def test_a_months_report_on_an_empty_instance(tmp_path: Path) -> None:
    out = tmp_path / "report"
    code, stdout, stderr = accord(
        "transparency", "report", "--from", "2026-11-01", "--to", "2026-11-30", "--out", out
    )
    assert code == 0, stderr
    assert stdout.splitlines() == [
        str(out / name) for name in [*FILES, "report.xlsx", "aggregates.csv"]
    ]
    header, *rows = _read(out / "4_notices.csv")
    assert tuple(header) == templates.headers(templates.NOTICES)
    assert len(rows) == 15
    assert {row[2] for row in rows} == {"2026-11-01/2026-11-30"}
    assert {row[5] for row in rows} == {"0"}
    assert (
        (out / "aggregates.csv")
        .read_text(encoding="utf-8")
        .startswith("automated_decision,automated_detection,category,")
    )
    assert (out / "report.xlsx").read_bytes().startswith(b"PK")


def test_without_dates_the_last_full_month(tmp_path: Path) -> None:
    out = tmp_path / "report"
    code, _, stderr = accord("transparency", "report", "--out", out, "--no-xlsx")
    assert code == 0, stderr
    assert not (out / "report.xlsx").exists()
    last = datetime.now(UTC).date().replace(day=1) - timedelta(days=1)
    identification = {row[2]: row[3] for row in _read(out / "1_report_identification.csv")}
    assert identification["Start date of the reporting period"] == f"{last:%Y-%m}-01"
    assert identification["End date of the reporting period"] == last.isoformat()


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        (("--from", "2026-11-01"), "--from and --to go together"),
        (("--to", "2026-11-30"), "--from and --to go together"),
        (("--from", "1 Nov", "--to", "2026-11-30"), "--from: not a date"),
        (("--from", "2026-11-30", "--to", "2026-11-01"), "the last day comes on or after"),
        (("--from", "2024-01-01", "--to", "2026-01-01"), "at most 367 days"),
    ],
)
def test_bad_periods_get_one_readable_line(
    tmp_path: Path, arguments: tuple[str, ...], expected: str
) -> None:
    code, stdout, stderr = accord("transparency", "report", *arguments, "--out", tmp_path / "r")
    assert code != 0
    assert expected in stderr
    assert len(stderr.strip().splitlines()) == 1
    assert stdout == ""


def test_a_folder_that_cannot_be_written_gets_one_readable_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a file"
    blocker.write_text("not a folder")
    code, _, stderr = accord("transparency", "report", "--out", blocker / "report")
    assert code != 0
    assert stderr.startswith("accord: error: ")
    assert str(blocker) in stderr
    assert len(stderr.strip().splitlines()) == 1
