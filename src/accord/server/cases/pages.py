"""The reviewer console: the queue, a case with its evidence, claiming and releasing it,
deciding it (through the decisions' service), and its statements of reasons in words."""

from __future__ import annotations

import io
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from PIL import Image
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccordError, InvalidFields, NotFound
from accord.media.file import open_media
from accord.media.image import decode_image
from accord.media.kinds import MediaKind
from accord.server.cases.record import case_record, summary_of
from accord.server.cases.service import claim, find_case, open_queue, release
from accord.server.decisions.schemas import (
    DEFAULT_CATEGORY,
    DEFAULT_KEYWORDS,
    FIELD_LABELS,
    Action,
    Ground,
    reversal_json,
)
from accord.server.decisions.service import (
    DecisionDraft,
    decide,
    decision_for_statement,
    statement_in_case,
)
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.page_security import SECURITY_HEADERS
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import READERS, REVIEWERS, Viewer, check_form, viewer
from accord.server.portal.words import WORDS
from accord.server.problems import status_for
from accord.server.runtime import Runtime
from accord.server.statements.schemas import LABELS, Category, Keyword

router = APIRouter(prefix="/review", route_class=PageRoute, include_in_schema=False)
THUMBNAIL_SIDE = 720
_QUEUE_SIZE = 200
#: Confirmations a case page shows after a change, by the ``done`` its address carries.
_DONE = {"decided": "The decision is recorded"}


@router.get("", response_class=HTMLResponse)
def queue(request: Request, session: SessionDep, mine: bool = False) -> Response:
    """The queue; htmx re-asks for its rows every 30 s, so deadlines stay current."""
    found = viewer(request, session, *READERS)
    cases = open_queue(session, assignee_id=found.user.id if mine else None, limit=_QUEUE_SIZE)
    rows = [summary_of(session, case) for case in cases]
    if request.headers.get("hx-request") == "true":
        rows_html = portal().fragment("queue_rows.html", cases=rows, viewer=found, words=WORDS)
        return HTMLResponse(rows_html, headers=SECURITY_HEADERS)
    return portal().render(request, "queue.html", viewer=found, cases=rows, mine=mine, words=WORDS)


@router.get("/cases/{reference}", response_class=HTMLResponse)
def case_page(
    request: Request, reference: str, runtime: RuntimeDep, session: SessionDep, done: str = ""
) -> Response:
    found = viewer(request, session, *READERS)
    return _case_page(request, runtime, session, found, reference, done=_DONE.get(done))


def _case_page(
    request: Request,
    runtime: Runtime,
    session: Session,
    found: Viewer,
    reference: str,
    *,
    errors: list[str] | None = None,
    status: int = 200,
    form: dict[str, object] | None = None,
    done: str | None = None,
) -> Response:
    case = find_case(session, reference)
    shown = case_record(runtime.settings, session, case, with_codes=found.role in REVIEWERS)
    return portal().render(
        request, "case.html", viewer=found, status=status, case=shown, done=done, words=WORDS,
        errors=errors or [], form=form or {}, actions=list(Action), grounds=list(Ground),
        categories=list(Category), keywords=list(Keyword), labels=LABELS,
        default_category=DEFAULT_CATEGORY, default_keywords=DEFAULT_KEYWORDS,
        may_decide=found.role in REVIEWERS and case.status == "open"
        and case.assignee_id in {None, found.user.id},
    )  # fmt: skip


@router.get("/cases/{reference}/picture")
def case_picture(
    request: Request, reference: str, runtime: RuntimeDep, session: SessionDep
) -> Response:
    """A re-encoded copy of a reported picture, never the upload's own bytes: an upload
    could carry more than pixels, and this page must show pixels only."""
    viewer(request, session, *READERS)
    case = find_case(session, reference)
    if case.media_sha256 is None or case.media_kind != MediaKind.IMAGE:
        raise NotFound(f"case {case.reference} has no picture")
    media = open_media(runtime.blobs.path_for(case.media_sha256), runtime.settings.media_limits)
    decoded = decode_image(media, min_side=THUMBNAIL_SIDE)
    picture = Image.fromarray(decoded.pixels)
    picture.thumbnail((THUMBNAIL_SIDE, THUMBNAIL_SIDE))
    out = io.BytesIO()
    picture.convert("RGB").save(out, "JPEG", quality=85)
    return Response(out.getvalue(), media_type="image/jpeg", headers=SECURITY_HEADERS)


@router.post("/cases/{reference}/claim")
def claim_case(
    request: Request, reference: str, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    found = viewer(request, session, *REVIEWERS)
    check_form(request, csrf_token)
    claim(session, find_case(session, reference), found.user)
    return see_other(f"/review/cases/{reference}")


@router.post("/cases/{reference}/release")
def release_case(
    request: Request, reference: str, session: SessionDep, csrf_token: Annotated[str, Form()] = ""
) -> Response:
    found = viewer(request, session, *REVIEWERS)
    check_form(request, csrf_token)
    release(session, find_case(session, reference), found.user)
    return see_other("/review")


@router.post("/cases/{reference}/decision", response_class=HTMLResponse)
def decide_case(
    request: Request,
    reference: str,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    action: Annotated[str, Form(max_length=32)] = "",
    ground: Annotated[str, Form(max_length=16)] = "incompatible",
    ground_text: Annotated[str, Form(max_length=500)] = "",
    ground_url: Annotated[str, Form(max_length=500)] = "",
    explanation: Annotated[str, Form(max_length=5000)] = "",
    category: Annotated[str, Form(max_length=100)] = DEFAULT_CATEGORY,
    keywords: Annotated[list[str] | None, Form()] = None,
    notices_unfounded: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    found = viewer(request, session, *REVIEWERS)
    check_form(request, csrf_token)
    form: dict[str, object] = {
        "action": action, "ground": ground, "ground_text": ground_text, "ground_url": ground_url,
        "explanation": explanation, "category": category, "keywords": keywords or [],
        "notices_unfounded": notices_unfounded == "yes",
    }  # fmt: skip
    draft = DecisionDraft(
        action=action,
        explanation=explanation,
        ground=ground,
        ground_text=ground_text,
        ground_url=ground_url,
        category=category,
        keywords=keywords or [],
        notices_unfounded=notices_unfounded == "yes",
    )
    try:
        decide(runtime, session, find_case(session, reference), found.user, draft)
    except AccordError as error:
        session.rollback()
        # Every problem of the form at once, not only the first.
        problems = error.problems if isinstance(error, InvalidFields) else [error.detail]
        return _case_page(
            request, runtime, session, found, reference, errors=problems,
            status=status_for(error), form=form,
        )  # fmt: skip
    return see_other(f"/review/cases/{reference}?done=decided")


@router.get("/cases/{reference}/statements/{puid}", response_class=HTMLResponse)
def statement_page(request: Request, reference: str, puid: str, session: SessionDep) -> Response:
    """A statement of reasons to read: every field it sends to the Transparency Database,
    in words (the JSON stays at ``/v1/cases/{reference}/statements/{puid}``)."""
    found = viewer(request, session, *READERS)
    case = find_case(session, reference)
    statement = statement_in_case(session, case, puid)
    decision = decision_for_statement(session, puid)
    return portal().render(
        request, "statement.html", viewer=found, case=summary_of(session, case), puid=puid,
        rows=statement_rows(statement),
        reversal=reversal_json(decision) if decision is not None else None,
    )  # fmt: skip


def statement_rows(statement: dict[str, object]) -> list[tuple[str, str]]:
    """The statement's fields as (label, words), in the order ``FIELD_LABELS`` gives."""
    ordered = [name for name in FIELD_LABELS if name in statement]
    ordered += sorted(name for name in statement if name not in FIELD_LABELS)
    return [(FIELD_LABELS.get(name, name), _in_words(statement[name])) for name in ordered]


def _in_words(value: object) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(_in_words(item) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{key}: {item}" for key, item in value.items())
    text = str(value)
    return LABELS.get(text, text)
