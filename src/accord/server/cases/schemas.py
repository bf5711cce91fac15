"""The reviewer console's API models, and a case as JSON: its summary for the queue, and the
whole case (copies, notices, decisions, history) for reviewers, auditors and admins, from
the parts ``record`` gathers."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from accord.server.cases.models import CASE_STATUS_LABELS, CaseStatus
from accord.server.cases.queue import SLA_LABELS, SlaState, sla_state
from accord.server.decisions.schemas import DEFAULT_CATEGORY, DEFAULT_KEYWORDS

if TYPE_CHECKING:
    from accord.server.cases.models import Case, CaseItem
    from accord.server.notices.models import Notice
    from accord.server.persons.models import ProtectedPersonRow

__all__ = [
    "CASE_STATUS_LABELS",
    "SLA_LABELS",
    "AssignIn",
    "CaseStatus",
    "DecisionIn",
    "SlaState",
    "case_json",
    "case_summary",
]


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    action: str = Field(max_length=32)
    explanation: str = Field(max_length=5000)
    ground: str = Field(default="incompatible", max_length=16)
    ground_text: str = Field(default="", max_length=500)
    ground_url: str = Field(default="", max_length=500)
    category: str = Field(default=DEFAULT_CATEGORY, max_length=100)
    keywords: list[str] = Field(default=list(DEFAULT_KEYWORDS), max_length=20)
    content_types: list[str] = Field(default=[], max_length=10)
    territories: list[str] = Field(default=[], max_length=40)
    notices_unfounded: bool = False
    synthetic: bool = True


class AssignIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=320)


def case_summary(
    case: Case, *, person: ProtectedPersonRow | None, assignee: str | None, notices: int
) -> dict[str, Any]:
    """The case in the queue: the ``person`` it is about, its ``assignee`` (their email)
    and how many ``notices`` name it. ``false_claim``: triage found a strong false claim
    about voting (or an impersonation of an election authority) in its sound or text;
    ``robocall``: a protected person's voice or face says it."""
    assessment = case.assessment or {}
    return {
        "reference": case.reference,
        "status": case.status,
        "priority": case.priority,
        "priority_reasons": case.priority_reasons,
        "due_at": case.due_at.isoformat(),
        "sla": sla_state(case.due_at) if case.status == "open" else None,
        "band": case.band,
        "media_kind": case.media_kind,
        "false_claim": any(
            claim.get("strength") == "strong" for claim in assessment.get("claims") or []
        ),
        "robocall": bool(assessment.get("robocall")),
        "person": {"id": person.id, "name": person.name, "role": person.role} if person else None,
        "assignee": assignee,
        "notices": notices,
        "created_at": case.created_at.isoformat(),
    }


def case_json(
    case: Case,
    summary: dict[str, Any],
    *,
    items: Sequence[CaseItem],
    notices: Sequence[Notice],
    platforms_without_webhook: list[str],
    decisions: list[dict[str, Any]],
    history: list[dict[str, Any]],
) -> dict[str, Any]:
    """The case for reviewers, auditors and admins: its ``summary`` and ``items``
    (copies), the ``notices`` filed in it, which of its platforms no webhook tells, and
    its ``decisions`` and ``history`` as their domains format them."""
    return summary | {
        "media_sha256": case.media_sha256,
        "assessment": case.assessment,
        "items": [_item_json(item) for item in items],
        "platforms_without_webhook": platforms_without_webhook,
        "notices": [_notice_for_reviewer(notice) for notice in notices],
        "decisions": decisions,
        "history": history,
    }


def _item_json(item: CaseItem) -> dict[str, Any]:
    return {
        "id": item.id,
        "url": item.url,
        "platform": item.platform,
        "platform_content_id": item.platform_content_id,
        "uploader": item.uploader,
        "reach": item.reach,
        "first_seen_at": item.first_seen_at.isoformat(),
    }


def _notice_for_reviewer(notice: Notice) -> dict[str, Any]:
    return {
        "tracking_number": notice.tracking_number,
        "reason": notice.reason,
        "notifier_kind": notice.notifier_kind,
        "notifier": notice.notifier_name or notice.notifier_key or notice.notifier_email,
        "notifier_email": notice.notifier_email,
        "explanation": notice.explanation,
        "text": notice.text,
        "url": notice.url,
        "received_at": notice.received_at.isoformat(),
        "triage_error": notice.triage_error,
    }
