"""The appeals' pages: the uploader's status page and appeal (with the code their platform
gave them), and for senior reviewers the open appeals, one appeal with its case, and
deciding it. (A notifier appeals on their notice's page, with the notices' pages.)"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccordError, BadRequest
from accord.server.appeals.schemas import appeal_json
from accord.server.appeals.service import (
    appeal_as_uploader,
    appeals_of,
    decide_appeal,
    find_appeal,
    open_appeals,
)
from accord.server.auth.roles import Role
from accord.server.cases.service import case_by_id
from accord.server.decisions.schemas import decision_json
from accord.server.decisions.service import action_for_token, decision_by_id
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import Viewer, check_form, limit_visitor, optional_viewer, viewer
from accord.server.portal.words import WORDS
from accord.server.problems import status_for
from accord.server.runtime import Runtime

if TYPE_CHECKING:
    from accord.server.appeals.models import Appeal
    from accord.server.cases.models import Case
    from accord.server.decisions.models import Decision

router = APIRouter(route_class=PageRoute, include_in_schema=False)
#: Who reads the appeals; only a senior reviewer decides them.
_APPEAL_READERS = (Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR)


# The uploader's


@router.get("/appeal", response_class=HTMLResponse)
def appeal_form(
    request: Request, runtime: RuntimeDep, session: SessionDep, token: str = ""
) -> Response:
    """The uploader's status page, which their platform links them to with the code from
    the action: what was decided about their content and why, and their appeal. Without
    a code it asks for one, to show the decision before any appeal."""
    return _uploader_page(request, runtime, session, token=token)


@router.post("/appeal", response_class=HTMLResponse)
def appeal(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    token: Annotated[str, Form(max_length=200)] = "",
    reason: Annotated[str, Form(max_length=5000)] = "",
    contact_email: Annotated[str, Form(max_length=320)] = "",
) -> Response:
    try:
        limit_visitor(request, runtime)
        if not token:
            raise BadRequest("token: paste the appeal code your platform gave you")
        filed = appeal_as_uploader(
            runtime.settings, session, token, reason, contact_email=contact_email
        )
    except AccordError as error:
        session.rollback()
        return _uploader_page(
            request, runtime, session, token=token, error=error.detail,
            status=status_for(error), reason=reason, contact_email=contact_email,
        )  # fmt: skip
    # The answer to the post, not a redirect: the appeal code must stay out of addresses
    # that logs keep; a resent post is refused (an appeal is waiting already).
    return _uploader_page(
        request, runtime, session, token=token, status=201, filed=True,
        told_at=filed.contact_email if runtime.settings.smtp_host is not None else "",
    )  # fmt: skip


def _uploader_page(
    request: Request,
    runtime: Runtime,
    session: Session,
    *,
    token: str,
    error: str | None = None,
    status: int = 200,
    reason: str = "",
    contact_email: str = "",
    filed: bool = False,
    told_at: str = "",
) -> Response:
    """``filed``: the appeal was just received; ``told_at``: the address the appellant
    gave to hear the outcome ("" when they gave none)."""
    decision, appeals = None, []
    if token:
        try:
            item_action, found = action_for_token(session, token)
            decision = decision_json(runtime.settings, found)
            appeals = appeals_of(session, item_action)
        except AccordError as unknown:
            error, status = unknown.detail, status_for(unknown)
    return portal().render(
        request, "appeal.html", viewer=optional_viewer(request, session), status=status,
        token=token, error=error, reason=reason, contact_email=contact_email,
        decision=decision, filed=filed,
        told_at=told_at, appeals=[appeal_json(filed_appeal) for filed_appeal in appeals],
        asks_email=runtime.settings.smtp_host is not None,  # no mail, no address to ask
        words=WORDS,
    )  # fmt: skip


# The senior reviewers'


@router.get("/review/appeals", response_class=HTMLResponse)
def appeals(request: Request, session: SessionDep) -> Response:
    found = viewer(request, session, *_APPEAL_READERS)
    listed = [_appeal_row(session, appeal) for appeal in open_appeals(session)]
    return portal().render(request, "appeals.html", viewer=found, appeals=listed, words=WORDS)


def _appeal_row(session: Session, appeal: Appeal) -> dict[str, object]:
    decision, case = _decision_and_case(session, appeal)
    return appeal_json(appeal) | {"case": case.reference, "action": decision.action}


def _decision_and_case(session: Session, appeal: Appeal) -> tuple[Decision, Case]:
    decision = decision_by_id(session, appeal.decision_id)
    assert decision is not None  # noqa: S101 - appeals cascade with their decision
    case = case_by_id(session, decision.case_id)
    assert case is not None  # noqa: S101 - decisions cascade with their case
    return decision, case


@router.get("/review/appeals/{reference}", response_class=HTMLResponse)
def appeal_page(
    request: Request, reference: str, runtime: RuntimeDep, session: SessionDep
) -> Response:
    found = viewer(request, session, *_APPEAL_READERS)
    return _appeal_page(request, runtime, session, found, reference)


def _appeal_page(
    request: Request,
    runtime: Runtime,
    session: Session,
    found: Viewer,
    reference: str,
    *,
    error: str | None = None,
    status: int = 200,
) -> Response:
    appeal = find_appeal(session, reference)
    decision, case = _decision_and_case(session, appeal)
    # A reversed decision has nothing left to uphold: its open appeals are closed as moot.
    open_to_decide = appeal.status == "open" and decision.reversed_at is None
    return portal().render(
        request, "appeal_case.html", viewer=found, status=status, appeal=appeal_json(appeal),
        decision=decision_json(runtime.settings, decision),
        case={"reference": case.reference, "band": case.band},  # all the page shows of it
        error=error, may_decide=found.role == Role.SENIOR_REVIEWER and open_to_decide,
        words=WORDS,
    )  # fmt: skip


@router.post("/review/appeals/{reference}/decision", response_class=HTMLResponse)
def decide_appeal_page(
    request: Request,
    reference: str,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    outcome: Annotated[str, Form(max_length=16)] = "",
    reasons: Annotated[str, Form(max_length=5000)] = "",
) -> Response:
    found = viewer(request, session, Role.SENIOR_REVIEWER)
    check_form(request, csrf_token)
    try:
        decide_appeal(
            runtime, session, find_appeal(session, reference), found.user,
            reverse_decision=outcome == "reversed", reasons=reasons,
        )  # fmt: skip
    except AccordError as error:
        session.rollback()
        return _appeal_page(
            request, runtime, session, found, reference, error=error.detail,
            status=status_for(error),
        )  # fmt: skip
    return see_other(f"/review/appeals/{reference}")
