"""The TDB's daily aggregates of the statements issued: one row per combination per UTC day,
attributes written as the TDB writes them, rows in its order."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from accord.server.transparency.aggregates import (
    COLUMNS,
    Aggregate,
    aggregate,
    aggregate_counted,
    aggregates_text,
)

CIVIC = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"


def _statement(**changes: Any) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "decision_visibility": ["DECISION_VISIBILITY_CONTENT_REMOVED"],
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT",
        "category": CIVIC,
        "content_type": ["CONTENT_TYPE_VIDEO"],
        "source_type": "SOURCE_ARTICLE_16",
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
        "puid": "x",
    }
    statement.update(changes)
    return statement


def _at(day: int, hour: int = 12) -> datetime:
    return datetime(2026, 11, day, hour, tzinfo=UTC)


def test_the_columns_are_the_tdbs() -> None:
    assert ",".join(COLUMNS) == (
        "automated_decision,automated_detection,category,content_type_single,decision_account,"
        "decision_ground,decision_monetary,decision_provision,decision_visibility_single,"
        "received_date,platform_name,total"
    )


def test_statements_are_counted_by_combination_and_utc_day() -> None:
    rows = aggregate(
        [
            (_at(2), _statement()),
            (_at(2, 23), _statement()),
            (datetime(2026, 11, 2, 1), _statement()),  # noqa: DTZ001 (naive: UTC, as SQLite gives)
            (_at(1), _statement()),
            (
                _at(2),
                _statement(
                    decision_visibility=[
                        "DECISION_VISIBILITY_CONTENT_LABELLED",
                        "DECISION_VISIBILITY_CONTENT_DEMOTED",
                    ],
                    content_type=["CONTENT_TYPE_IMAGE", "CONTENT_TYPE_VIDEO"],
                    automated_detection="Yes",
                    automated_decision="AUTOMATED_DECISION_FULLY",
                    decision_account="DECISION_ACCOUNT_SUSPENDED",
                ),
            ),
            (_at(2), _statement(decision_visibility=[])),
        ]
    )
    removed = (
        "AUTOMATED_DECISION_NOT_AUTOMATED",
        "0",
        CIVIC,
        "CONTENT_TYPE_VIDEO",
        "",
        "DECISION_GROUND_ILLEGAL_CONTENT",
        "",
        "",
        "DECISION_VISIBILITY_CONTENT_REMOVED",
    )
    nothing_visible = (*removed[:8], "")
    automated = (
        "AUTOMATED_DECISION_FULLY",
        "1",
        CIVIC,
        "CONTENT_TYPE_IMAGE__CONTENT_TYPE_VIDEO",  # in the order given, as implode() does
        "DECISION_ACCOUNT_SUSPENDED",
        "DECISION_GROUND_ILLEGAL_CONTENT",
        "",
        "",
        "DECISION_VISIBILITY_CONTENT_LABELLED__DECISION_VISIBILITY_CONTENT_DEMOTED",
    )
    assert rows == [
        Aggregate((*removed, "2026-11-01"), 1),
        Aggregate((*automated, "2026-11-02"), 1),
        Aggregate((*nothing_visible, "2026-11-02"), 1),
        Aggregate((*removed, "2026-11-02"), 3),
    ]
    assert sum(row.total for row in rows) == 6


def test_the_csv_is_written_as_php_fputcsv_writes_it() -> None:
    rows = aggregate([(_at(3), _statement(decision_visibility=[]))])
    text = aggregates_text(rows, "Clearing house, EU")
    header, line, end = text.split("\n")
    assert header == ",".join(COLUMNS)
    assert end == ""
    assert line == (
        f"AUTOMATED_DECISION_NOT_AUTOMATED,0,{CIVIC},CONTENT_TYPE_VIDEO,,"
        'DECISION_GROUND_ILLEGAL_CONTENT,,,,2026-11-03,"Clearing house, EU",1'
    )
    assert aggregates_text(rows, "=cmd").split("\n")[1].endswith(",'=cmd,1")
    assert aggregates_text([], "accord") == ",".join(COLUMNS) + "\n"


def test_counted_groups_are_added_up_as_the_statements_would_be() -> None:
    """What the database counted gives the rows the statements give one by one: groups whose
    values make the same attributes (no array, an empty one) become one row."""
    groups = [
        (date(2026, 11, 2), _statement(content_type=[]), 3),
        (date(2026, 11, 2), {k: v for k, v in _statement().items() if k != "content_type"}, 2),
        (date(2026, 11, 1), _statement(automated_detection="Yes"), 4),
        (date(2026, 11, 2), _statement(), 1),
    ]
    one_by_one = [
        (datetime.combine(day, time(12), UTC), statement)
        for day, statement, count in groups
        for _ in range(count)
    ]
    rows = aggregate_counted(groups)
    assert rows == aggregate(one_by_one)
    assert [row.total for row in rows] == [4, 5, 1]
    assert rows[1].attributes[3] == ""  # content_type_single
