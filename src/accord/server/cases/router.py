"""The reviewer console's API: the queue, a case with its evidence and history, claiming,
assigning and deciding."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import FileResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import NotFound
from accord.media.sniff import sniff_file
from accord.server.accounts.models import Role, User
from accord.server.accounts.router import signed_in
from accord.server.accounts.service import find_user
from accord.server.appeals.models import Appeal
from accord.server.audit.models import AuditEntry
from accord.server.cases.models import Case, CaseItem
from accord.server.cases.queue import (
    assign,
    case_items,
    claim,
    find_case,
    open_queue,
    release,
    sla_state,
)
from accord.server.decisions.appeal_codes import open_code
from accord.server.decisions.models import Decision, ItemAction
from accord.server.decisions.service import DecisionDraft, decide
from accord.server.decisions.statements import DEFAULT_CATEGORY, DEFAULT_KEYWORDS
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.notices.models import Notice
from accord.server.notices.router import appeal_json, decision_json
from accord.server.persons.models import ProtectedPersonRow
from accord.server.runtime import Runtime
from accord.server.webhooks.outbox import platforms_without_webhook

router = APIRouter(prefix="/v1/cases", tags=["cases"])
Reader = Annotated[
    User, Depends(signed_in(Role.REVIEWER, Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR))
]
#: Who decides cases, and so may read the appeal codes to pass on to uploaders.
REVIEWER_ROLES = frozenset({Role.REVIEWER, Role.SENIOR_REVIEWER})
Reviewer = Annotated[User, Depends(signed_in(*REVIEWER_ROLES))]
Assigner = Annotated[User, Depends(signed_in(Role.SENIOR_REVIEWER, Role.ADMIN))]
_MAX_QUEUE = 500


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


@router.get("", summary="The review queue: open cases, most urgent first")
def queue(
    _user: Reader,
    session: SessionDep,
    assignee: Annotated[str | None, Query(description="'me' or an email")] = None,
    limit: Annotated[int, Query(ge=1, le=_MAX_QUEUE)] = 100,
) -> dict[str, Any]:
    assignee_id = None
    if assignee == "me":
        assignee_id = _user.id
    elif assignee:
        assignee_id = find_user(session, assignee).id
    cases = open_queue(session, assignee_id=assignee_id, limit=limit)
    return {"cases": [case_summary(session, case) for case in cases]}


@router.get("/{reference}", summary="A case: its content, notices, assessment and history")
def read_case(
    reference: str, user: Reader, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    case = find_case(session, reference)
    return case_json(runtime, session, case, with_codes=user.role in REVIEWER_ROLES)


@router.get("/{reference}/statements/{puid}", summary="A statement of reasons of the case")
def read_statement(reference: str, puid: str, _user: Reader, session: SessionDep) -> dict[str, Any]:
    return statement_of(session, find_case(session, reference), puid)


def statement_of(session: Session, case: Case, puid: str) -> dict[str, Any]:
    """The statement of reasons ``puid`` of one of ``case``'s copies, as the TDB takes it."""
    statement: dict[str, Any] | None = session.scalar(
        select(ItemAction.statement)
        .join(CaseItem, CaseItem.id == ItemAction.item_id)
        .where(CaseItem.case_id == case.id, ItemAction.puid == puid)
    )
    if statement is None:
        raise NotFound(f"case {case.reference} has no statement of reasons {puid!r}")
    return statement


@router.get("/{reference}/media", summary="The reported file, for reviewers")
def case_media(
    reference: str, _user: Reader, session: SessionDep, runtime: RuntimeDep
) -> FileResponse:
    case = find_case(session, reference)
    if case.media_sha256 is None or not runtime.blobs.exists(case.media_sha256):
        raise NotFound(f"case {case.reference} has no file")
    path = runtime.blobs.path_for(case.media_sha256)
    return FileResponse(
        path,
        media_type=sniff_file(path).mime,
        filename=f"{case.reference}-{case.media_sha256[:12]}",
        content_disposition_type="attachment",
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "private, no-store"},
    )


@router.post("/{reference}/claim", summary="Take a case")
def claim_case(reference: str, user: Reviewer, session: SessionDep) -> dict[str, Any]:
    case = find_case(session, reference)
    claim(session, case, user)
    return case_summary(session, case)


@router.post("/{reference}/release", summary="Give a case back to the queue")
def release_case(reference: str, user: Reviewer, session: SessionDep) -> dict[str, Any]:
    case = find_case(session, reference)
    release(session, case, user)
    return case_summary(session, case)


@router.post("/{reference}/assign", summary="Assign a case to a reviewer")
def assign_case(
    reference: str, body: AssignIn, user: Assigner, session: SessionDep
) -> dict[str, Any]:
    case = find_case(session, reference)
    assign(session, case, find_user(session, body.email), user)
    return case_summary(session, case)


@router.post("/{reference}/decision", status_code=201, summary="Decide a case")
def decide_case(
    reference: str, body: DecisionIn, user: Reviewer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    case = find_case(session, reference)
    outcome = decide(runtime, session, case, user, DecisionDraft(**body.model_dump()))
    platforms = {item.platform for item in case_items(session, case)}
    return {
        "decision": decision_json(runtime, outcome.decision),
        # Their messages wait as undelivered: the reviewer passes the appeal codes on.
        "platforms_without_webhook": platforms_without_webhook(session, platforms),
        "statements": [a.statement for a in outcome.actions if a.statement is not None],
        "measures": [
            {
                "subject": m.subject,
                "measure": m.kind,
                "until": m.until.isoformat() if m.until else None,
            }
            for m in outcome.measures
        ],
    }


def case_summary(session: Session, case: Case) -> dict[str, Any]:
    person = session.get(ProtectedPersonRow, case.person_id) if case.person_id else None
    assignee = session.get(User, case.assignee_id) if case.assignee_id else None
    notices = session.scalars(select(Notice.id).where(Notice.case_id == case.id)).all()
    return {
        "reference": case.reference,
        "status": case.status,
        "priority": case.priority,
        "priority_reasons": case.priority_reasons,
        "due_at": case.due_at.isoformat(),
        "sla": sla_state(case.due_at) if case.status == "open" else None,
        "band": case.band,
        "media_kind": case.media_kind,
        "person": {"id": person.id, "name": person.name, "role": person.role} if person else None,
        "assignee": assignee.email if assignee else None,
        "notices": len(notices),
        "created_at": case.created_at.isoformat(),
    }


def case_json(
    runtime: Runtime, session: Session, case: Case, *, with_codes: bool = False
) -> dict[str, Any]:
    """The case for reviewers, auditors and admins; ``with_codes`` adds each restricted
    copy's appeal code (for reviewers, to pass on where no webhook carried it)."""
    notices = session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id))
    decisions = session.scalars(
        select(Decision).where(Decision.case_id == case.id).order_by(Decision.id)
    ).all()
    items = case_items(session, case)
    return case_summary(session, case) | {
        "media_sha256": case.media_sha256,
        "assessment": case.assessment,
        "items": [_item_json(item) for item in items],
        "platforms_without_webhook": platforms_without_webhook(
            session, {item.platform for item in items}
        ),
        "notices": [_notice_for_reviewer(notice) for notice in notices],
        "decisions": [
            _decision_for_reviewer(runtime, session, d, with_codes=with_codes) for d in decisions
        ],
        "history": _history(session, case, [d.id for d in decisions]),
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
        "url": notice.url,
        "received_at": notice.received_at.isoformat(),
        "triage_error": notice.triage_error,
    }


def _decision_for_reviewer(
    runtime: Runtime, session: Session, decision: Decision, *, with_codes: bool
) -> dict[str, Any]:
    reviewer = session.get(User, decision.reviewer_id) if decision.reviewer_id else None
    actions = session.execute(
        select(ItemAction, CaseItem)
        .join(CaseItem, CaseItem.id == ItemAction.item_id)
        .where(ItemAction.decision_id == decision.id)
        .order_by(ItemAction.id)
    ).all()
    appeals = session.scalars(select(Appeal).where(Appeal.decision_id == decision.id))
    return decision_json(runtime, decision) | {
        "reviewer": reviewer.email if reviewer else None,
        "category": decision.category,
        "keywords": decision.keywords,
        "statements": [a.statement for a, _ in actions if a.statement is not None],
        "copies": [
            _copy_json(runtime, action, item, with_code=with_codes and not decision.reversed_at)
            for action, item in actions
            if action.puid is not None
        ],
        "appeals": [appeal_json(appeal) for appeal in appeals],
    }


def _copy_json(
    runtime: Runtime, action: ItemAction, item: CaseItem, *, with_code: bool
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
    copy["appeal_code"] = open_code(runtime.settings, action) if with_code else None
    return copy


def _history(session: Session, case: Case, decision_ids: list[int]) -> list[dict[str, Any]]:
    """The audit log's entries for the case and its decisions, oldest first."""
    rows = session.scalars(
        select(AuditEntry)
        .where(
            ((AuditEntry.table == "cases") & (AuditEntry.row_id == str(case.id)))
            | (
                (AuditEntry.table == "decisions")
                & AuditEntry.row_id.in_([str(i) for i in decision_ids])
            )
        )
        .order_by(AuditEntry.seq)
    )
    return [
        {
            "at": row.at.isoformat(),
            "actor": row.actor,
            "action": row.action,
            "table": row.table,
            "after": row.after,
        }
        for row in rows
    ]
