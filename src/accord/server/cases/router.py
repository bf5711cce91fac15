"""The reviewer console's API: the queue, a case with its evidence and history, claiming,
assigning and deciding."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse

from accord.errors import MediaError, NotFound
from accord.media.sniff import sniff_bytes
from accord.server.accounts.service import find_user
from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.cases.record import case_record, summary_of
from accord.server.cases.schemas import AssignIn, DecisionIn
from accord.server.cases.service import (
    assign,
    case_items,
    claim,
    find_case,
    open_queue,
    release,
)
from accord.server.decisions.schemas import decision_json
from accord.server.decisions.service import DecisionDraft, decide, statement_in_case
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.storage.store import MissingBlob
from accord.server.storage.streaming import streamed_blob
from accord.server.webhooks.service import platforms_without_webhook

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/cases", tags=["cases"])
Reader = Annotated[
    "User", Depends(signed_in(Role.REVIEWER, Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR))
]
#: Who decides cases, and so may read the appeal codes to pass on to uploaders.
REVIEWER_ROLES = frozenset({Role.REVIEWER, Role.SENIOR_REVIEWER})
Reviewer = Annotated["User", Depends(signed_in(*REVIEWER_ROLES))]
Assigner = Annotated["User", Depends(signed_in(Role.SENIOR_REVIEWER, Role.ADMIN))]
_MAX_QUEUE = 500


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
    return {"cases": [summary_of(session, case) for case in cases]}


@router.get("/{reference}", summary="A case: its content, notices, assessment and history")
def read_case(
    reference: str, user: Reader, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    case = find_case(session, reference)
    return case_record(runtime.settings, session, case, with_codes=user.role in REVIEWER_ROLES)


@router.get("/{reference}/statements/{puid}", summary="A statement of reasons of the case")
def read_statement(reference: str, puid: str, _user: Reader, session: SessionDep) -> dict[str, Any]:
    return statement_in_case(session, find_case(session, reference), puid)


@router.get("/{reference}/media", summary="The reported file, for reviewers")
def case_media(
    reference: str, _user: Reader, session: SessionDep, runtime: RuntimeDep
) -> StreamingResponse:
    case = find_case(session, reference)
    if case.media_sha256 is None:
        raise NotFound(f"case {case.reference} has no file")
    try:
        blob = streamed_blob(runtime.blobs, case.media_sha256)
    except MissingBlob:
        raise NotFound(f"case {case.reference} has no file") from None
    return StreamingResponse(
        blob.chunks,
        media_type=_media_type(blob.head),
        headers={
            "Content-Length": str(blob.size),
            "Content-Disposition": (
                f'attachment; filename="{case.reference}-{case.media_sha256[:12]}"'
            ),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


def _media_type(head: bytes) -> str:
    # Every stored case file was sniffed when it came in; this never fails the download.
    try:
        return sniff_bytes(head).mime
    except MediaError:
        return "application/octet-stream"


@router.post("/{reference}/claim", summary="Take a case")
def claim_case(reference: str, user: Reviewer, session: SessionDep) -> dict[str, Any]:
    case = find_case(session, reference)
    claim(session, case, user)
    return summary_of(session, case)


@router.post("/{reference}/release", summary="Give a case back to the queue")
def release_case(reference: str, user: Reviewer, session: SessionDep) -> dict[str, Any]:
    case = find_case(session, reference)
    release(session, case, user)
    return summary_of(session, case)


@router.post("/{reference}/assign", summary="Assign a case to a reviewer")
def assign_case(
    reference: str, body: AssignIn, user: Assigner, session: SessionDep
) -> dict[str, Any]:
    case = find_case(session, reference)
    assign(session, case, find_user(session, body.email), user)
    return summary_of(session, case)


@router.post("/{reference}/decision", status_code=201, summary="Decide a case")
def decide_case(
    reference: str, body: DecisionIn, user: Reviewer, session: SessionDep, runtime: RuntimeDep
) -> dict[str, Any]:
    case = find_case(session, reference)
    outcome = decide(runtime, session, case, user, DecisionDraft(**body.model_dump()))
    platforms = {item.platform for item in case_items(session, case)}
    return {
        "decision": decision_json(runtime.settings, outcome.decision),
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
