"""A period's figures made by hand, every number distinct, for the report sheets' tests."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from accord.server.settings import Settings
from accord.server.transparency.period import Period
from accord.server.transparency.schemas import (
    AppealFigures,
    AutomationFigures,
    Durations,
    Figures,
    NoticeFigures,
    RestrictionFigures,
    SuspensionFigures,
)

ZONE = ZoneInfo("Europe/Brussels")
CIVIC = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
SCAMS = "STATEMENT_CATEGORY_SCAMS_AND_FRAUD"
PERIOD = Period(date(2026, 11, 1), date(2026, 11, 30), ZONE, "November 2026")
PUBLISHED = date(2026, 12, 7)

CIVIC_NOTICES = NoticeFigures(
    received=12,
    from_trusted_flaggers=3,
    items=10,
    items_from_trusted_flaggers=2,
    time_to_action=Durations(count=9, median_hours=5.256, p90_hours=20.0),
    time_to_action_trusted_flaggers=Durations(count=2, median_hours=1.5, p90_hours=1.9),
    actions_law=4,
    actions_terms=6,
    actions_law_trusted_flaggers=1,
    actions_terms_trusted_flaggers=2,
)
CIVIC_ILLEGAL = RestrictionFigures(
    total=7,
    solely_automated=5,
    removal=3,
    disable=1,
    demoted=1,
    labelled=2,
    account_suspension=1,
    account_termination=0,
)
SCAMS_TERMS = RestrictionFigures(total=2, labelled=2)


def example_figures(**changes: object) -> Figures:
    values: dict[str, object] = {
        "period": PERIOD,
        "notices": {CIVIC: CIVIC_NOTICES},
        "notices_total": CIVIC_NOTICES,
        "notices_by_reason": {"deepfake_of_me": 12},
        "notices_by_notifier": {"protected_person": 9, "trusted_flagger": 3},
        "own_initiative": {"illegal": {CIVIC: CIVIC_ILLEGAL}, "incompatible": {SCAMS: SCAMS_TERMS}},
        "actions": {"illegal": {CIVIC: CIVIC_ILLEGAL}, "incompatible": {SCAMS: SCAMS_TERMS}},
        "statements_issued": 19,
        "appeals": AppealFigures(
            received=9,
            by_appellant={"uploader": 6, "notifier": 3},
            by_action={"remove": 5, "no_action": 3, "label_ai_generated": 1},
            upheld=4,
            reversed=3,
            moot=1,
            still_open=1,
            decided_after_deadline=2,
            time_to_decision=Durations(count=7, median_hours=30.126, p90_hours=50.0),
        ),
        "suspensions": SuspensionFigures(
            warnings=4, uploaders_suspended=2, uploaders_terminated=1, notifiers_suspended=1
        ),
        "automation": AutomationFigures(
            notices_assessed_automatically=11,
            decisions=20,
            decisions_automated=8,
            decisions_by_reviewers=12,
            automated_appeals_decided=4,
            automated_appeals_reversed=1,
            reviewer_appeals_decided=3,
            reviewer_appeals_reversed=2,
        ),
        "daily": [],
        "generation_gate": {
            "prompts_screened": 40,
            "prompts_by_verdict": {"allow": 30, "block": 10},
            "bans": {"started": 2, "lifted_early": 0},
        },
    }
    values.update(changes)
    return Figures(**values)  # type: ignore[arg-type]


def example_settings(tmp_path: Path, *, service: str = "Clearing house") -> Settings:
    return Settings(
        data_dir=tmp_path,
        time_zone="Europe/Brussels",
        dsa_provider_name="Electoral Commission",
        dsa_service_name=service,
    )
