"""The public view of a period's figures: small counts in words, medians and shares left
out below the threshold, nothing personal, and one set of numbers in its tables and CSV."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta

import pytest

from accord.errors import BadRequest
from accord.server.transparency.period import Period, last_full_month
from accord.server.transparency.public import (
    cell_text,
    chosen_period,
    masked,
    period_of_slug,
    public_view,
    tables,
    tables_csv,
)
from accord.server.transparency.schemas import (
    AppealFigures,
    AutomationFigures,
    Day,
    Durations,
    Figures,
    NoticeFigures,
    RestrictionFigures,
    SuspensionFigures,
)
from tests.unit.server.transparency.report_example import CIVIC, SCAMS, ZONE


def figures(first: date = date(2026, 11, 1), days: int = 30, **changes: object) -> Figures:
    """A month with 40 notices (3 from trusted flaggers) and 27 actions: 25 on civic
    discourse (22 against the terms, 3 illegal), 2 on scams."""
    period = Period(first, first + timedelta(days=days - 1), ZONE, "November 2026")
    daily = [
        Day(period.first + timedelta(days=n), notices=n % 7, actions=n % 5) for n in range(days)
    ]
    values: dict[str, object] = {
        "period": period,
        "notices": {CIVIC: NoticeFigures(received=40)},
        "notices_total": NoticeFigures(
            received=40,
            from_trusted_flaggers=3,
            time_to_action=Durations(count=12, median_hours=5.25, p90_hours=30.04),
        ),
        "notices_by_reason": {"deepfake_of_me": 31, "voting_misinformation": 9},
        "notices_by_notifier": {"public": 30, "trusted_flagger": 3, "protected_person": 7},
        "own_initiative": {},
        "actions": {
            "incompatible": {
                CIVIC: RestrictionFigures(total=22, solely_automated=6, removal=20, labelled=2),
                SCAMS: RestrictionFigures(total=2, removal=2),
            },
            "illegal": {CIVIC: RestrictionFigures(total=3, disable=3)},
        },
        "statements_issued": 27,
        "appeals": AppealFigures(
            received=8,
            upheld=5,
            reversed=2,
            moot=0,
            still_open=1,
            time_to_decision=Durations(count=7, median_hours=48.0, p90_hours=70.0),
        ),
        "suspensions": SuspensionFigures(warnings=6, uploaders_suspended=1),
        "automation": AutomationFigures(decisions=20, decisions_automated=6),
        "daily": daily,
        "generation_gate": {"prompts_blocked": 3},
    }
    values.update(changes)
    return Figures(**values)  # type: ignore[arg-type]


def test_counts_under_the_threshold_are_words_and_zero_stays_zero() -> None:
    assert [masked(n, 5) for n in (0, 1, 4, 5, 6)] == [
        0, "fewer than 5", "fewer than 5", 5, 6,
    ]  # fmt: skip
    assert masked(9, 10) == "fewer than 10"
    assert masked(1, 1) == 1  # a threshold of 1 hides nothing


def test_the_view_masks_every_small_count() -> None:
    view = public_view(figures(), 5)
    assert view["notices"]["received"] == 40
    assert view["notices"]["from_trusted_flaggers"] == "fewer than 5"
    by_reason = {row["key"]: row["count"] for row in view["notices"]["by_reason"]}
    assert by_reason == {"deepfake_of_me": 31, "deceptive_ai_content": 0,
                         "voting_misinformation": 9}  # fmt: skip
    by_category = [(row["label"], row["count"]) for row in view["actions"]["by_category"]]
    assert by_category == [
        ("Negative effects on civic discourse or elections", 25),
        ("Scams and/or fraud", "fewer than 5"),
    ]
    by_ground = {row["key"]: row["count"] for row in view["actions"]["by_ground"]}
    assert by_ground == {"illegal": "fewer than 5", "incompatible": 24}
    restriction = {row["key"]: row["count"] for row in view["actions"]["by_restriction"]}
    assert restriction == {
        "removal": 22, "disable": "fewer than 5", "demoted": 0, "labelled": "fewer than 5",
        "account_suspension": 0, "account_termination": 0,
    }  # fmt: skip
    assert view["actions"]["total"] == 27
    assert view["actions"]["solely_automated"] == 6
    appeals = view["appeals"]
    assert (appeals["received"], appeals["upheld"], appeals["reversed"]) == (
        8, 5, "fewer than 5",
    )  # fmt: skip
    assert (appeals["moot"], appeals["open"], appeals["median_hours"]) == (0, "fewer than 5", 48.0)
    assert view["suspensions"]["warnings"] == 6
    assert view["suspensions"]["uploaders_suspended"] == "fewer than 5"
    assert view["time_to_action"] == {
        "notices_acted_on": 12, "median_hours": 5.2, "p90_hours": 30.0,
    }  # fmt: skip
    assert view["automation"] == {"decisions": 20, "automated": 6, "automated_percent": 30.0}


def test_medians_and_shares_over_too_few_cases_are_left_out() -> None:
    few = figures(
        notices_total=NoticeFigures(
            received=4, time_to_action=Durations(count=4, median_hours=2.0, p90_hours=3.0)
        ),
        appeals=AppealFigures(received=4, upheld=4, time_to_decision=Durations(4, 1.0, 2.0)),
        automation=AutomationFigures(decisions=4, decisions_automated=4),
    )
    view = public_view(few, 5)
    assert view["time_to_action"] == {
        "notices_acted_on": "fewer than 5", "median_hours": None, "p90_hours": None,
    }  # fmt: skip
    assert view["appeals"]["median_hours"] is None
    assert view["automation"]["automated_percent"] is None
    # Enough decisions, but a share would give away how few were automated.
    view = public_view(
        figures(automation=AutomationFigures(decisions=100, decisions_automated=3)), 5
    )
    assert view["automation"]["automated_percent"] is None
    none_automated = AutomationFigures(decisions=100, decisions_automated=0)
    assert public_view(figures(automation=none_automated), 5)["automation"] == {
        "decisions": 100, "automated": 0, "automated_percent": 0.0,
    }  # fmt: skip
    # Exactly the threshold is published.
    view = public_view(figures(), 7)
    assert view["time_to_action"]["median_hours"] == 5.2
    assert view["appeals"]["median_hours"] == 48.0
    assert public_view(figures(), 8)["appeals"]["median_hours"] is None


def test_days_are_masked_one_by_one_and_long_periods_go_by_week() -> None:
    view = public_view(figures(), 5)
    assert view["over_time"]["unit"] == "day"
    rows = view["over_time"]["rows"]
    assert len(rows) == 30
    assert rows[0] == {
        "first": "2026-11-01", "last": "2026-11-01", "label": "1 Nov", "notices": 0,
        "actions": 0,
    }  # fmt: skip
    assert (rows[6]["notices"], rows[6]["actions"]) == (6, "fewer than 5")
    # 100 days: weeks from Monday, the first and last partial, summed before masking.
    long = public_view(figures(first=date(2026, 1, 1), days=100), 5)  # a Thursday
    weeks = long["over_time"]["rows"]
    assert long["over_time"]["unit"] == "week"
    assert (weeks[0]["first"], weeks[0]["last"], weeks[0]["label"]) == (
        "2026-01-01", "2026-01-04", "week of 29 Dec",
    )  # fmt: skip
    assert weeks[0]["notices"] == 0 + 1 + 2 + 3
    assert weeks[1]["first"] == "2026-01-05"
    assert weeks[-1]["last"] == "2026-04-10"
    assert sum(1 for _ in weeks) == 15
    days = figures(first=date(2026, 1, 1), days=100).daily
    exact = sum(day.notices for day in days)
    assert sum(week["notices"] for week in weeks if isinstance(week["notices"], int)) <= exact
    assert public_view(figures(days=92), 5)["over_time"]["unit"] == "day"


def test_nothing_personal_leaves() -> None:
    """Only counts, accord's own words and the period: what the figures carry beside them
    (the gate's figures, notifiers by kind) stays out."""
    gate = {"banned": ["abuser@example.com"], "prompts_blocked": 3}
    view = public_view(figures(generation_gate=gate, notices_by_notifier={"x@y.example": 1}), 5)
    text = json.dumps(view)
    for secret in ("abuser", "prompts_blocked", "@", "x@y"):
        assert secret not in text
    assert set(view) == {
        "period", "min_count", "notices", "actions", "over_time", "time_to_action",
        "appeals", "suspensions", "automation", "choices",
    }  # fmt: skip
    assert view["period"] == {
        "first": "2026-11-01", "last": "2026-11-30", "label": "November 2026",
        "slug": "2026-11-01_2026-11-30", "time_zone": "Europe/Brussels",
    }  # fmt: skip


def test_the_tables_and_their_csv_carry_the_views_numbers() -> None:
    view = public_view(figures(), 5)
    shown = {table.id: table for table in tables(view)}
    assert list(shown) == [
        "key-figures", "over-time", "by-reason", "by-category", "by-ground", "by-restriction",
        "appeals", "suspensions",
    ]  # fmt: skip
    key = {row.key: row.cells[0] for row in shown["key-figures"].rows}
    assert key["notices_received"] == 40
    assert key["median_hours_to_action"] == 5.2
    rows = list(csv.DictReader(io.StringIO(tables_csv(view))))
    assert rows[0] == {
        "table": "key-figures", "row": "notices_received", "label": "Notices received",
        "column": "Value", "value": "40",
    }  # fmt: skip
    cells = {(row["table"], row["row"], row["column"]): row["value"] for row in rows}
    assert cells["over-time", "2026-11-07", "Actions taken"] == "fewer than 5"
    assert cells["over-time", "2026-11-07", "Notices received"] == "6"
    assert cells["by-ground", "illegal", "Actions"] == "fewer than 5"
    assert cells["appeals", "median_hours", "Appeals"] == "48.0"
    missing = tables_csv(public_view(figures(), 50))
    assert "key-figures,median_hours_to_action,Median time to action (hours),Value,\n" in missing
    count = sum(len(table.rows) * (len(table.columns) - 1) for table in shown.values())
    assert len(rows) == count


def test_cells_are_written_for_reading() -> None:
    assert [cell_text(c) for c in (None, 0, 12345, 5.25, "fewer than 5")] == [
        "\u2013", "0", "12,345", "5.2", "fewer than 5",
    ]  # fmt: skip


def test_a_period_is_chosen_by_slug_or_days_and_refused_in_one_line() -> None:
    month = last_full_month(date(2026, 12, 7), ZONE)
    election = Period(date(2027, 2, 1), date(2027, 3, 31), ZONE, "Regional elections")
    choices = [month, election]

    def pick(period: str | None = None, start: str | None = None, end: str | None = None) -> Period:
        return chosen_period(choices, ZONE, period=period, start=start, end=end)

    assert pick() is month
    assert pick(period="") is month
    assert pick(period=election.slug) is election
    custom = pick(start="2026-10-03", end="2026-10-09")
    assert (custom.first, custom.last, custom.zone) == (date(2026, 10, 3), date(2026, 10, 9), ZONE)
    refusals = {
        "from and to go together: give both days, or neither": [
            {"start": "2026-10-03"}, {"end": "2026-10-03"}, {"start": "2026-10-03", "end": ""},
        ],
        "period: not one of the periods offered; choose one from the list": [
            {"period": "2020-01-01_2020-01-31"}, {"period": "<script>"},
        ],
        "from: a day as YYYY-MM-DD": [
            {"start": "20261003", "end": "2026-10-09"},
            {"start": "2026-13-01", "end": "2026-10-09"},
        ],
        "to: the last day comes on or after the first": [
            {"start": "2026-10-09", "end": "2026-10-03"},
        ],
        "choose a listed period or your own days, not both": [
            {"period": month.slug, "start": "2026-10-03", "end": "2026-10-09"},
        ],
    }  # fmt: skip
    for message, queries in refusals.items():
        for query in queries:
            with pytest.raises(BadRequest) as refused:
                pick(**query)
            assert str(refused.value) == message, query
    with pytest.raises(BadRequest, match="at most 367 days"):
        pick(start="2020-01-01", end="2026-01-01")


def test_a_downloads_slug_names_a_choice_or_any_days() -> None:
    election = Period(date(2027, 2, 1), date(2027, 3, 31), ZONE, "Regional elections")
    assert period_of_slug([election], ZONE, election.slug) is election
    custom = period_of_slug([election], ZONE, "2026-10-03_2026-10-09")
    assert (custom.first, custom.last) == (date(2026, 10, 3), date(2026, 10, 9))
    for bad in ("2026-10-03", "nonsense_x", "2026-10-09_2026-10-03"):
        with pytest.raises(BadRequest):
            period_of_slug([election], ZONE, bad)
