"""The report's sheets from a period's figures: one row per template category, every number
where the template asks for it, zeros and reasons where accord has nothing, and small counts
hidden in the public files."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.server.statements.schemas import LABELS
from accord.server.transparency import templates
from accord.server.transparency.schemas import NoticeFigures
from accord.server.transparency.sheets import TEMPLATE_CATEGORIES, Cell, Sheet, report_sheets
from tests.unit.server.transparency.report_example import (
    CIVIC,
    PUBLISHED,
    example_figures,
    example_settings,
)

CIVIC_LABEL = "Negative effects on civic discourse or elections"
SCAMS_LABEL = "Scams and/or fraud"


def _sheets(tmp_path: Path, min_count: int | None = None, **changes: object) -> dict[str, Sheet]:
    sheets = report_sheets(
        example_figures(**changes),
        example_settings(tmp_path),
        min_count=min_count,
        published=PUBLISHED,
    )
    return {sheet.name: sheet for sheet in sheets}


def _rows(sheet: Sheet) -> list[dict[str, Cell]]:
    return [dict(zip(sheet.headers, row, strict=True)) for row in sheet.rows]


def _by_category(sheet: Sheet) -> dict[Cell, dict[str, Cell]]:
    return {row[sheet.headers[3]]: row for row in _rows(sheet)}


def _figures(sheet: Sheet) -> dict[tuple[Cell, Cell], tuple[Cell, Cell]]:
    """A long sheet's (indicator, scope) -> (value, contextual information)."""
    return {
        (row["Indicator"], row["Scope"]): (row["Value"], row["Contextual Information"])
        for row in _rows(sheet)
    }


def test_every_sheet_in_order_with_the_templates_headers(tmp_path: Path) -> None:
    sheets = report_sheets(example_figures(), example_settings(tmp_path), published=PUBLISHED)
    assert [sheet.name for sheet in sheets] == list(templates.SHEET_NAMES)
    for sheet in sheets:
        assert sheet.headers == templates.headers(sheet.name)
        assert sheet.rows
        assert all(len(row) == len(sheet.headers) for row in sheet.rows), sheet.name


def test_the_category_sheets_have_the_fifteen_template_categories(tmp_path: Path) -> None:
    labels = [LABELS[category] for category in TEMPLATE_CATEGORIES]
    assert len(labels) == 15
    assert labels[0] == "Animal welfare"
    assert labels[-1] == "Other violation of provider\u2019s terms and conditions"
    assert CIVIC_LABEL in labels
    sheets = _sheets(tmp_path)
    for name in (
        templates.MEMBER_STATE_ORDERS,
        templates.NOTICES,
        templates.OWN_INITIATIVE_ILLEGAL,
        templates.OWN_INITIATIVE_TERMS,
    ):
        sheet = sheets[name]
        assert [row[3] for row in sheet.rows] == labels, name
        assert {row[:3] for row in sheet.rows} == {
            ("Applicable", "Clearing house", "2026-11-01/2026-11-30")
        }


def test_notices_by_category(tmp_path: Path) -> None:
    rows = _by_category(_sheets(tmp_path)[templates.NOTICES])
    civic = rows[CIVIC_LABEL]
    assert civic["Number of notices received "] == 12
    assert civic["Number of notices received from Trusted flaggers"] == 3
    assert (
        civic["Number of specific items of information included in the total number of notices"]
        == 10
    )
    assert civic["Median time to take action"] == 5.26
    assert civic["Median time to take action (Trusted Flagger notices)"] == 1.5
    assert civic["Number of actions taken on the basis of the law"] == 4
    assert civic["Number of actions taken on the basis of the law (Trusted Flagger notices)"] == 1
    terms = "Number of actions taken on the basis of the terms and conditions of the service"
    assert civic[terms] == 6
    assert civic[f"{terms} (Trusted Flagger notices)"] == 2
    note = civic["Contextual information on Median time to take action"]
    assert isinstance(note, str)
    assert note.startswith("Hours")
    scams = rows[SCAMS_LABEL]
    assert scams["Number of notices received "] == 0
    assert scams["Median time to take action"] is None


def test_own_initiative_measures_by_ground(tmp_path: Path) -> None:
    sheets = _sheets(tmp_path)
    illegal = _by_category(sheets[templates.OWN_INITIATIVE_ILLEGAL])[CIVIC_LABEL]
    expected = {
        "Number of measures taken at the provider's own initiative ": 7,
        "Number of measures taken after detection with solely automated means ": 5,
        "Visibility restriction Removal": 3,
        "Visibility restriction Disable": 1,
        "Visibility restriction Demoted": 1,
        "Visibility restriction Labelled ": 2,
        "Account restriction Suspension": 1,
        "Account restriction Termination": 0,
        "Visibility restriction Age restricted": 0,
        "Monetary restriction Other": 0,
        "Provision of the service Termination": 0,
    }
    assert {header: illegal[header] for header in expected} == expected
    never = illegal["Contextual Information on Monetary restriction Suspension"]
    assert never == "accord's decisions never take this measure."
    assert (
        _by_category(sheets[templates.OWN_INITIATIVE_ILLEGAL])[SCAMS_LABEL][
            "Number of measures taken at the provider's own initiative "
        ]
        == 0
    )
    terms = _by_category(sheets[templates.OWN_INITIATIVE_TERMS])
    assert terms[SCAMS_LABEL]["Visibility restriction Labelled "] == 2
    assert terms[CIVIC_LABEL]["Number of measures taken at the provider's own initiative "] == 0


def test_member_state_orders_are_zero_and_say_why(tmp_path: Path) -> None:
    sheet = _sheets(tmp_path)[templates.MEMBER_STATE_ORDERS]
    for row in _rows(sheet):
        assert row["Number of orders to act against illegal content received"] == 0
        assert row["Number of orders to provide information"] == 0
        assert row["Median time to give effect to the order to provide information"] is None
        note = row[
            "Contextual information on number of orders to act against illegal content received"
        ]
        assert isinstance(note, str)
        assert "receives no orders" in note


def test_complaints_and_suspensions(tmp_path: Path) -> None:
    found = _figures(_sheets(tmp_path)[templates.APPEALS])
    values = {key: value for key, (value, _) in found.items()}
    assert values["Number of complaints received", "All"] == 9
    by_basis = "Number of complaints received, by basis"
    assert values[by_basis, "Uploaders, against a restriction of their content"] == 6
    assert values[by_basis, "Notifiers, against the decision on their notice"] == 3
    by_type = "Number of complaints received, by type of decision complained of"
    assert values[by_type, "Remove"] == 5
    assert values[by_type, "No action"] == 3
    assert values[by_type, "Disable access"] == 0
    assert values["Number of complaints decided", "All"] == 7
    assert values["Number of decisions upheld", "All"] == 4
    assert values["Number of decisions reversed", "All"] == 3
    assert values["Number of complaints closed without a decision", "All"] == 1
    assert values["Number of complaints still open", "All"] == 1
    assert values["Number of complaints decided after the deadline", "All"] == 2
    median, note = found["Median time to decide a complaint", "All"]
    assert median == 30.13
    assert isinstance(note, str)
    assert "Hours" in note
    disputes, why = found[
        "Number of disputes submitted to out-of-court dispute settlement bodies", "All"
    ]
    assert disputes is None
    assert isinstance(why, str)
    assert why.startswith("Not recorded")
    illegal = "Number of suspensions for the provision of manifestly illegal content"
    unfounded = "Number of suspensions for the submission of manifestly unfounded notices"
    assert values[illegal, "Suspended"] == 2
    assert values[illegal, "Terminated"] == 1
    assert values[unfounded, "Suspended"] == 1
    assert values[unfounded, "Terminated"] == 0
    assert values["Number of prior warnings issued", "All"] == 4
    complaints = "Number of suspensions for the submission of manifestly unfounded complaints"
    assert values[complaints, "All"] is None


def test_automated_means_and_their_accuracy(tmp_path: Path) -> None:
    found = _figures(_sheets(tmp_path)[templates.AUTOMATED_MEANS])
    values = {key: value for key, (value, _) in found.items()}
    assert values["Number of notices processed with automated means", "All"] == 11
    assert values["Number of decisions taken", "All"] == 20
    assert values["Number of decisions taken solely by automated means", "All"] == 8
    assert values["Number of decisions taken by reviewers", "All"] == 12
    assert values["Reversal rate of decisions taken solely by automated means", "All"] == 25.0
    assert values["Reversal rate of reviewers' decisions", "All"] == 66.67
    assert values["Prompts screened", "All"] == 40
    assert values["Prompts by verdict", "block"] == 10
    assert values["Bans", "lifted early"] == 0


def test_identification_and_qualitative(tmp_path: Path) -> None:
    sheets = _sheets(tmp_path)
    identification = {row[2]: row[3] for row in sheets[templates.IDENTIFICATION].rows}
    assert identification["Name of the provider"] == "Electoral Commission"
    assert identification["Name of the service"] == "Clearing house"
    assert identification["Reporting period"] == "2026-11-01/2026-11-30"
    assert identification["Start date of the reporting period"] == "2026-11-01"
    assert identification["End date of the reporting period"] == "2026-11-30"
    assert identification["Date of publication"] == "2026-12-07"
    assert identification["Time zone in which days are counted"] == "Europe/Brussels"
    categories = _rows(sheets[templates.CATEGORIES])
    assert CIVIC in {row["Category description"] for row in categories}
    reasons = [row for row in categories if row["Category label"] == "Deepfake of the notifier"]
    assert (
        reasons[0]["Category of illegal content / incompatible with the terms and conditions"]
        == CIVIC_LABEL
    )
    qualitative = sheets[templates.QUALITATIVE]
    assert len(qualitative.rows) >= 4
    assert all(isinstance(row[4], str) and row[4] for row in qualitative.rows)


def test_the_service_defaults_to_accord(tmp_path: Path) -> None:
    sheets = report_sheets(example_figures(), example_settings(tmp_path, service=""))
    with_service = [sheet for sheet in sheets if sheet.headers[1] == "Service"]
    assert len(with_service) == len(sheets) - 1  # all but 2_categories_names
    assert {row[1] for sheet in with_service for row in sheet.rows} == {"accord"}


def test_a_category_outside_the_template_gets_its_own_row(tmp_path: Path) -> None:
    """So the rows add up to the totals whatever a decision named."""
    unspecified = "STATEMENT_CATEGORY_NOT_SPECIFIED_NOTICE"
    sheet = _sheets(tmp_path, notices={unspecified: NoticeFigures(received=2)})[templates.NOTICES]
    assert len(sheet.rows) == 16
    assert _by_category(sheet)[LABELS[unspecified]]["Number of notices received "] == 2


@pytest.mark.parametrize("min_count", [5, 10])
def test_public_files_hide_small_counts_and_their_medians(tmp_path: Path, min_count: int) -> None:
    sheets = _sheets(tmp_path, min_count=min_count)
    hidden = f"fewer than {min_count}"
    civic = _by_category(sheets[templates.NOTICES])[CIVIC_LABEL]
    assert civic["Number of notices received "] == (12 if min_count <= 12 else hidden)
    assert civic["Number of notices received from Trusted flaggers"] == hidden
    assert civic["Median time to take action (Trusted Flagger notices)"] is None  # 2 cases
    assert civic["Median time to take action"] == (5.26 if min_count <= 9 else None)
    assert _by_category(sheets[templates.NOTICES])[SCAMS_LABEL]["Number of notices received "] == 0
    found = _figures(sheets[templates.AUTOMATED_MEANS])
    rate, note = found["Reversal rate of decisions taken solely by automated means", "All"]
    assert rate is None  # over 4 complaints
    assert isinstance(note, str)
    assert "Left empty" in note
    for sheet in sheets.values():
        for row in sheet.rows:
            assert not any(isinstance(cell, int) and 0 < cell < min_count for cell in row)


def test_exact_files_keep_every_count(tmp_path: Path) -> None:
    sheets = _sheets(tmp_path)
    cells = [cell for sheet in sheets.values() for row in sheet.rows for cell in row]
    assert not any(isinstance(cell, str) and cell.startswith("fewer than") for cell in cells)
    assert 1 in cells


def test_a_period_with_nothing_gives_zeros_not_gaps(tmp_path: Path) -> None:
    empty = example_figures(notices={}, own_initiative={}, actions={}, generation_gate={})
    sheets = {sheet.name: sheet for sheet in report_sheets(empty, example_settings(tmp_path))}
    notices = sheets[templates.NOTICES]
    assert len(notices.rows) == 15
    assert {row[5] for row in notices.rows} == {0}
    assert {row[9] for row in notices.rows} == {None}
    gate = [row for row in sheets[templates.AUTOMATED_MEANS].rows if "Generation" in str(row[3])]
    assert gate == []
