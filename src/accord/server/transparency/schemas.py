"""A period's transparency figures: what the one query layer (``figures``) computes, and what
the harmonised report's sheets, the public page and the API all read.

Every count here is exact. The public view (``public``) hides the small ones; the
regulator's files do not. The unit of an *action* is a statement of reasons issued: one
restriction of one copy of the content (DSA Art. 17), so actions on notices plus measures
taken on the provider's own initiative always equal the statements issued.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, is_dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.server.transparency.period import Period


@dataclass(frozen=True, slots=True)
class Durations:
    """How long something took, over ``count`` cases: median and 90th percentile, in hours
    (None when there was none)."""

    count: int = 0
    median_hours: float | None = None
    p90_hours: float | None = None


@dataclass(frozen=True, slots=True)
class NoticeFigures:
    """Art. 16 notices received in the period, of one category (or all), and the actions
    taken on them (template sheet 4). Trusted flaggers' notices are counted in both."""

    received: int = 0
    from_trusted_flaggers: int = 0
    #: Distinct copies of content the notices named.
    items: int = 0
    items_from_trusted_flaggers: int = 0
    #: From a notice's arrival to the first decision on its case after it (any decision,
    #: "no action" included): the notice was acted on.
    time_to_action: Durations = Durations()
    time_to_action_trusted_flaggers: Durations = Durations()
    #: Statements of reasons issued on notices, by ground.
    actions_law: int = 0
    actions_terms: int = 0
    actions_law_trusted_flaggers: int = 0
    actions_terms_trusted_flaggers: int = 0


@dataclass(frozen=True, slots=True)
class RestrictionFigures:
    """Statements of reasons of one category and ground, by what they restricted (template
    sheets 5 and 6 for own-initiative measures; the public page for all actions)."""

    total: int = 0
    #: Decided with no person deciding (a standing decision applied to a copy found later).
    solely_automated: int = 0
    removal: int = 0
    disable: int = 0
    demoted: int = 0
    labelled: int = 0
    account_suspension: int = 0
    account_termination: int = 0


@dataclass(frozen=True, slots=True)
class AppealFigures:
    """Art. 20 complaints received in the period and what became of them (sheet 7)."""

    received: int = 0
    #: ``uploader`` (against a restriction) or ``notifier`` (against a decision on a notice).
    by_appellant: dict[str, int] = field(default_factory=dict)
    #: By the appealed decision's action (``remove``, ``no_action``, ...).
    by_action: dict[str, int] = field(default_factory=dict)
    upheld: int = 0
    reversed: int = 0
    #: Closed undecided: another appeal reversed the decision first.
    moot: int = 0
    still_open: int = 0
    decided_after_deadline: int = 0
    #: Received to decided, for those decided.
    time_to_decision: Durations = Durations()


@dataclass(frozen=True, slots=True)
class SuspensionFigures:
    """Art. 23 measures imposed in the period (sheet 7)."""

    warnings: int = 0
    #: Uploaders suspended or terminated for manifestly illegal (or incompatible) content.
    uploaders_suspended: int = 0
    uploaders_terminated: int = 0
    #: Notifiers whose notices are no longer processed: manifestly unfounded notices.
    notifiers_suspended: int = 0
    notifiers_terminated: int = 0


@dataclass(frozen=True, slots=True)
class AutomationFigures:
    """Automated means and their accuracy (sheet 8)."""

    #: Notices whose file was assessed automatically at triage.
    notices_assessed_automatically: int = 0
    decisions: int = 0
    #: Decisions taken with no person deciding, and by a reviewer.
    decisions_automated: int = 0
    decisions_by_reviewers: int = 0
    #: Appeals against each kind decided in the period, and how many reversed it.
    automated_appeals_decided: int = 0
    automated_appeals_reversed: int = 0
    reviewer_appeals_decided: int = 0
    reviewer_appeals_reversed: int = 0

    @property
    def automated_reversal_rate(self) -> float | None:
        """Share of appealed automated decisions that were reversed: the accuracy indicator."""
        if not self.automated_appeals_decided:
            return None
        return self.automated_appeals_reversed / self.automated_appeals_decided

    @property
    def reviewer_reversal_rate(self) -> float | None:
        if not self.reviewer_appeals_decided:
            return None
        return self.reviewer_appeals_reversed / self.reviewer_appeals_decided


@dataclass(frozen=True, slots=True)
class Day:
    """One local day of the period: notices received and actions (statements) issued."""

    day: date
    notices: int = 0
    actions: int = 0


@dataclass(frozen=True, slots=True)
class Figures:
    period: Period
    #: Notices by TDB category key (``STATEMENT_CATEGORY_...``), only categories with any.
    notices: dict[str, NoticeFigures]
    notices_total: NoticeFigures
    #: accord's own notice reasons (``deepfake_of_me``, ...), and notifiers by kind.
    notices_by_reason: dict[str, int]
    notices_by_notifier: dict[str, int]
    #: Own-initiative measures, by ground (``illegal``/``incompatible``) then category key.
    own_initiative: dict[str, dict[str, RestrictionFigures]]
    #: Every action (statement issued), by ground then category key.
    actions: dict[str, dict[str, RestrictionFigures]]
    statements_issued: int
    appeals: AppealFigures
    suspensions: SuspensionFigures
    automation: AutomationFigures
    daily: list[Day]
    #: The generation gate's figures (not a DSA figure; reported beside them).
    generation_gate: dict[str, Any]


def figures_json(figures: Figures) -> dict[str, Any]:
    """Every figure, exact, as JSON (``GET /v1/transparency``): the dataclasses' field names,
    durations in hours, days as ISO dates, reversal rates as numbers (null with no appeal)."""
    period = figures.period
    body: dict[str, Any] = _plain(figures)
    body["period"] = {
        "first": period.first.isoformat(),
        "last": period.last.isoformat(),
        "zone": period.zone.key,
        "label": period.label,
        "reporting_period": period.reporting_period,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    automation = figures.automation
    body["automation"]["automated_reversal_rate"] = automation.automated_reversal_rate
    body["automation"]["reviewer_reversal_rate"] = automation.reviewer_reversal_rate
    return body


def _plain(value: Any) -> Any:
    """Dataclasses as dicts (field by field: ``asdict`` would deep-copy the time zone), dates
    as ISO strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {name.name: _plain(getattr(value, name.name)) for name in fields(value)}
    return value
