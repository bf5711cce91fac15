"""Statements of reasons (DSA Art. 17) for restrictive decisions, in the DSA Transparency
Database's submission format: one per copy a decision restricts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from accord.server.decisions.models import Action, Ground
from accord.server.measures.schemas import MeasureKind
from accord.server.notices.schemas import NotifierKind

if TYPE_CHECKING:
    from accord.server.cases.models import Case, CaseItem
    from accord.server.decisions.models import Decision
    from accord.server.measures.models import AccountMeasure
    from accord.server.notices.models import Notice

VISIBILITY = {
    Action.REMOVE: "DECISION_VISIBILITY_CONTENT_REMOVED",
    Action.DISABLE: "DECISION_VISIBILITY_CONTENT_DISABLED",
    Action.LABEL_AI_GENERATED: "DECISION_VISIBILITY_CONTENT_LABELLED",
    Action.LABEL_ALTERED: "DECISION_VISIBILITY_CONTENT_LABELLED",
    Action.DEMOTE: "DECISION_VISIBILITY_CONTENT_DEMOTED",
}
_ACCOUNT = {
    MeasureKind.SUSPENSION: "DECISION_ACCOUNT_SUSPENDED",
    MeasureKind.TERMINATION: "DECISION_ACCOUNT_TERMINATED",
}
CONTENT_TYPE_OF_KIND = {
    "image": "CONTENT_TYPE_IMAGE",
    "video": "CONTENT_TYPE_VIDEO",
    "audio": "CONTENT_TYPE_AUDIO",
}
SYNTHETIC = "CONTENT_TYPE_SYNTHETIC_MEDIA"
_MAX_EXPLANATION = 2000
_MAX_FACTS = 5000


def statement_for(
    *,
    puid: str,
    decision: Decision,
    case: Case,
    item: CaseItem,
    notices: Sequence[Notice],
    measure: AccountMeasure | None,
) -> dict[str, Any]:
    action = Action(decision.action)
    statement: dict[str, Any] = {
        "puid": puid,
        "decision_visibility": [VISIBILITY[action]],
        "content_type": list(decision.content_types),
        "category": decision.category,
        "content_date": f"{item.first_seen_at:%Y-%m-%d}",
        "application_date": f"{decision.decided_at:%Y-%m-%d}",
        "decision_facts": _facts(decision, case, item),
        "automated_detection": "Yes" if decision.automated_detection else "No",
        "automated_decision": decision.automated_decision,
    }
    if decision.keywords:
        statement["category_specification"] = list(decision.keywords)
    if decision.territories:
        statement["territorial_scope"] = list(decision.territories)
    explanation = decision.explanation[:_MAX_EXPLANATION]
    if decision.ground == Ground.ILLEGAL:
        statement["decision_ground"] = "DECISION_GROUND_ILLEGAL_CONTENT"
        statement["illegal_content_legal_ground"] = decision.ground_text
        statement["illegal_content_explanation"] = explanation
    else:
        statement["decision_ground"] = "DECISION_GROUND_INCOMPATIBLE_CONTENT"
        statement["incompatible_content_ground"] = decision.ground_text
        statement["incompatible_content_explanation"] = explanation
    if decision.ground_url:
        statement["decision_ground_reference_url"] = decision.ground_url
    if measure is not None and measure.kind in _ACCOUNT:
        statement["decision_account"] = _ACCOUNT[MeasureKind(measure.kind)]
        if measure.until is not None:
            statement["end_date_account_restriction"] = f"{measure.until:%Y-%m-%d}"
    statement.update(_source(notices))
    return statement


def _facts(decision: Decision, case: Case, item: CaseItem) -> str:
    where = item.url or f"{item.platform} content {item.platform_content_id}".strip()
    triage = case.assessment.get("summary", "")
    facts = f"Case {case.reference}: {where}. {decision.explanation}"
    if triage:
        facts += f" Automated assessment at triage: {triage}"
    return facts[:_MAX_FACTS]


def _source(notices: Sequence[Notice]) -> dict[str, str]:
    flaggers = [n for n in notices if n.notifier_kind == NotifierKind.TRUSTED_FLAGGER]
    if flaggers:
        return {
            "source_type": "SOURCE_TRUSTED_FLAGGER",
            "source_identity": flaggers[0].notifier_key,
        }
    if notices:
        # Notifiers' names are not published: the statement says only that a notice came.
        return {"source_type": "SOURCE_ARTICLE_16"}
    return {"source_type": "SOURCE_VOLUNTARY"}
