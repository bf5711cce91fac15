"""A decision as JSON (for notifiers, reviewers and platforms alike), and the vocabulary
other domains name decisions by.

When the time to appeal ends is part of what every decision shows, and the appeals
domain checks it, so ``appeal_deadline`` lives here, below the service.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from accord.server.decisions.appeal_codes import open_code
from accord.server.decisions.models import (
    ACTION_LABELS,
    ACTION_OUTCOMES,
    GROUND_LABELS,
    REVERSAL_EFFECTS,
    Action,
    Ground,
)

if TYPE_CHECKING:
    from accord.server.cases.models import CaseItem
    from accord.server.decisions.models import Decision, ItemAction
    from accord.server.settings import Settings

#: Appeal codes one request lists at most.
MAX_CODES = 500
#: What a decision's statements say unless the reviewer chooses otherwise.
DEFAULT_CATEGORY = "STATEMENT_CATEGORY_NEGATIVE_EFFECTS_ON_CIVIC_DISCOURSE_OR_ELECTIONS"
DEFAULT_KEYWORDS = ("KEYWORD_MISINFORMATION_DISINFORMATION",)

#: The enums and their words live beside the tables that store their values, and appeal
#: codes are sealed in ``appeal_codes``; other domains name them from here.
__all__ = [
    "ACTION_LABELS",
    "ACTION_OUTCOMES",
    "DEFAULT_CATEGORY",
    "DEFAULT_KEYWORDS",
    "FIELD_LABELS",
    "GROUND_LABELS",
    "MAX_CODES",
    "REVERSAL_EFFECTS",
    "Action",
    "Ground",
    "appeal_deadline",
    "automated_means",
    "decision_for_reviewer",
    "decision_json",
    "open_code",
    "reversal_json",
]


def appeal_deadline(settings: Settings, decision: Decision) -> datetime:
    """The last moment ``decision`` may be appealed (DSA Art. 20: six months or more)."""
    return decision.decided_at + timedelta(days=settings.appeal_window_days)


def decision_json(settings: Settings, decision: Decision) -> dict[str, Any]:
    return {
        "id": decision.id,
        "action": decision.action,
        "ground": decision.ground,
        "ground_text": decision.ground_text,
        "ground_url": decision.ground_url,
        "explanation": decision.explanation,
        "decided_at": decision.decided_at.isoformat(),
        "automated_decision": decision.automated_decision,
        "automated_detection": decision.automated_detection,
        "automated_means": automated_means(decision),
        "reversed_at": decision.reversed_at.isoformat() if decision.reversed_at else None,
        "reversal": reversal_json(decision),
        "appeal_until": appeal_deadline(settings, decision).isoformat(),
    }


def decision_for_reviewer(
    settings: Settings,
    decision: Decision,
    *,
    reviewer: str | None,
    copies: Sequence[tuple[ItemAction, CaseItem]],
    appeals: list[dict[str, Any]],
    with_codes: bool,
) -> dict[str, Any]:
    """A decision as its case shows it: who took it (``reviewer``, their email), what it
    did to each of ``copies`` and the ``appeals`` against it (as ``appeals`` formats
    them); ``with_codes`` adds each restricted copy's appeal code, unless it was reversed."""
    return decision_json(settings, decision) | {
        "reviewer": reviewer,
        "category": decision.category,
        "keywords": decision.keywords,
        "statements": [a.statement for a, _ in copies if a.statement is not None],
        "copies": [
            _copy_json(settings, action, item, with_code=with_codes and not decision.reversed_at)
            for action, item in copies
            if action.puid is not None
        ],
        "appeals": appeals,
    }


def _copy_json(
    settings: Settings, action: ItemAction, item: CaseItem, *, with_code: bool
) -> dict[str, Any]:
    """A restricted copy, its statement's puid and, for reviewers, its appeal code."""
    copy: dict[str, Any] = {
        "puid": action.puid,
        "platform": item.platform,
        "platform_content_id": item.platform_content_id,
        "url": item.url,
        "uploader": item.uploader,
        "undone": action.undone_at is not None,
    }
    # Always present (None where none applies), so every reader sees one shape.
    copy["appeal_code"] = open_code(settings, action) if with_code else None
    return copy


def reversal_json(decision: Decision) -> dict[str, Any] | None:
    """When an appeal reversed ``decision``, and what that did, in words; None if not."""
    if decision.reversed_at is None:
        return None
    return {
        "at": decision.reversed_at.isoformat(),
        "effect": REVERSAL_EFFECTS.get(decision.action, "its consequences are undone"),
    }


def automated_means(decision: Decision) -> str:
    """How automated means were used in taking ``decision``, in plain words (DSA Art.
    17(3)(c)), as its statement of reasons says."""
    if decision.reviewer_id is None:
        return (
            "Automated means were used: this copy was recognised automatically as a match "
            "of content a reviewer had decided on, and that decision was applied to it "
            "automatically, without a new review."
        )
    return (
        "A reviewer took this decision; no automated means took it, and the content was "
        "reported in a notice, not detected by automated means."
    )


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
