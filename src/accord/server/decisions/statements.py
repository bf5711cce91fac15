"""Statements of reasons (DSA Art. 17) for restrictive decisions, in the DSA Transparency
Database's submission format: one per copy a decision restricts."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord.server.cases.models import Case, CaseItem
from accord.server.decisions.models import AccountMeasure, Action, Decision, Ground, MeasureKind
from accord.server.notices.models import Notice, NotifierKind

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
DEFAULT_CATEGORY = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
DEFAULT_KEYWORDS = ("KEYWORD_MISINFORMATION_DISINFORMATION",)
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


#: The statement's fields in words, in the order a reader wants them (DSA Art. 17(3)).
FIELD_LABELS: dict[str, str] = {
    "puid": "Statement id",
    "decision_visibility": "Restriction of the content",
    "decision_visibility_other": "Other restriction",
    "end_date_visibility_restriction": "Restriction ends",
    "decision_monetary": "Restriction of payments",
    "decision_monetary_other": "Other payment restriction",
    "end_date_monetary_restriction": "Payment restriction ends",
    "decision_provision": "Restriction of the service",
    "end_date_service_restriction": "Service restriction ends",
    "decision_account": "Measure against the account",
    "end_date_account_restriction": "Account measure ends",
    "account_type": "Account type",
    "decision_ground": "Ground",
    "illegal_content_legal_ground": "The law relied on",
    "illegal_content_explanation": "Why the content is illegal",
    "incompatible_content_ground": "The terms clause relied on",
    "incompatible_content_explanation": "Why the content breaks the terms",
    "incompatible_content_illegal": "Also considered illegal",
    "decision_ground_reference_url": "Link to the ground",
    "category": "Category",
    "category_addition": "Further categories",
    "category_specification": "Keywords",
    "category_specification_other": "Other keyword",
    "content_type": "Type of content",
    "content_type_other": "Other type of content",
    "content_language": "Language of the content",
    "content_date": "Content posted or first seen",
    "content_id": "Content identifiers",
    "territorial_scope": "Territories where the restriction applies",
    "application_date": "Decision applied on",
    "decision_facts": "Facts and circumstances",
    "source_type": "What the decision was based on",
    "source_identity": "Who notified it",
    "automated_detection": "Detected by automated means",
    "automated_decision": "Decided by automated means",
}
