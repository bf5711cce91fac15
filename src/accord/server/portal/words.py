"""The words pages show for stored codes: each enum's mapping lives beside the enum (and
its domain names it in its ``schemas``); this gathers them for the templates, so no page
lower-cases a code into a label."""

from __future__ import annotations

from typing import Any

from accord.assessment.bands import Band
from accord.server.appeals.schemas import APPEAL_STATUS_LABELS, APPELLANT_LABELS
from accord.server.cases.schemas import CASE_STATUS_LABELS, SLA_LABELS
from accord.server.decisions.schemas import (
    ACTION_LABELS,
    ACTION_OUTCOMES,
    GROUND_LABELS,
    REVERSAL_EFFECTS,
)
from accord.server.notices.schemas import (
    NOTICE_STATUS_LABELS,
    NOTIFIER_KIND_LABELS,
    REASON_LABELS,
    REASON_SHORT,
)
from accord.server.statements.schemas import LABELS as STATEMENT_LABELS

#: The case history's audit entries (``action table``) in words.
HISTORY_WORDS: dict[str, str] = {
    "insert cases": "opened the case",
    "update cases": "changed the case",
    "insert decisions": "recorded a decision",
    "update decisions": "changed a decision",
}

#: Passed to every page that shows notices, cases, decisions or appeals, as ``words``.
WORDS: dict[str, Any] = {
    "action": ACTION_LABELS,
    "outcome": ACTION_OUTCOMES,
    "reversal": REVERSAL_EFFECTS,
    "ground": GROUND_LABELS,
    "reason": REASON_LABELS,
    "reason_short": REASON_SHORT,
    "notifier_kind": NOTIFIER_KIND_LABELS,
    "notice_status": NOTICE_STATUS_LABELS,
    "appeal_status": APPEAL_STATUS_LABELS,
    "appellant": APPELLANT_LABELS,
    "band": {band.value: band.label for band in Band},
    "case_status": CASE_STATUS_LABELS,
    "sla": SLA_LABELS,
    "history": HISTORY_WORDS,
    "statement": STATEMENT_LABELS,
}
