"""The reviewer console: the queue, a case with its evidence, claiming and releasing it,
deciding it (through the decisions' service), telling the publishers of the exchange
entries it matched whether the match was right, and its statements of reasons in words."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from PIL import Image
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import AccordError, BadRequest, InvalidFields, NotFound
from accord.media.file import open_media
from accord.media.image import decode_image
from accord.media.kinds import MediaKind
from accord.server.assessments.schemas import claim_views, transcript_view
from accord.server.auth.roles import Role
from accord.server.banks.service import entry_signals
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
from accord.server.exchanges.service import queue_opinion
from accord.server.matching.service import MatchOptions, match_signals
from accord.server.page_security import SECURITY_HEADERS
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.portal.viewer import READERS, REVIEWERS, Viewer, check_form, viewer
from accord.server.portal.words import WORDS
from accord.server.problems import status_for
from accord.server.runtime import Runtime
from accord.server.statements.schemas import LABELS, Category, Keyword
from accord.server.storage.store import MissingBlob
from accord.sharing.stix import MAX_TEXT_CHARACTERS, Verdict

if TYPE_CHECKING:
    from accord.server.cases.models import Case

router = APIRouter(prefix="/review", route_class=PageRoute, include_in_schema=False)
THUMBNAIL_SIDE = 720
_QUEUE_SIZE = 200
#: Confirmations a case page shows after a change, by the ``done`` its address carries.
_DONE = {"decided": "The decision is recorded", "opinion": "Sent to the publisher's queue"}
#: Who may tell an exchange's publisher whether its entry matched rightly.
OPINION_ROLES = (*REVIEWERS, Role.ADMIN)


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
    return _case_page(request, runtime, session, found, reference, done=done)


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
    done: str = "",
    opinion_error: str = "",
) -> Response:
    case = find_case(session, reference)
    shown = case_record(runtime.settings, session, case, with_codes=found.role in REVIEWERS)
    assessment = case.assessment or {}
    return portal().render(
        request, "case.html", viewer=found, status=status, case=shown, done=_DONE.get(done),
        claims=claim_views(assessment), transcript=transcript_view(assessment),
        decided_now=done == "decided", words=WORDS,
        errors=errors or [], form=form or {}, actions=list(Action), grounds=list(Ground),
        categories=list(Category), keywords=list(Keyword), labels=LABELS,
        default_category=DEFAULT_CATEGORY, default_keywords=DEFAULT_KEYWORDS,
        may_decide=found.role in REVIEWERS and case.status == "open"
        and case.assignee_id in {None, found.user.id},
        exchange_matches=_exchange_matches(runtime, session, case),
        may_tell=found.role in OPINION_ROLES, opinion_error=opinion_error,
        note_limit=MAX_TEXT_CHARACTERS,
    )  # fmt: skip


def _exchange_matches(runtime: Runtime, session: Session, case: Case) -> list[dict[str, Any]]:
    """The entries fetched from exchanges that the case's content matches now, as
    ``POST /v1/match`` answers them (each with its ``origin``).

    Looked up again from the case's signals (its entry in the cases bank) rather than
    kept: an entry its publisher withdrew since triage is no longer offered. Matches an
    allow bank silenced count too: the publisher wants to hear of those most. Looking is
    not a sighting: triage's lookup reported it already.
    """
    if case.watch_entry_id is None:
        return []
    signals = entry_signals(session, [case.watch_entry_id]).get(case.watch_entry_id)
    if not signals:
        return []
    options = MatchOptions(bypass_coinflip=True, report_sightings=False)
    report = match_signals(runtime, session, signals, options)
    found = [match.to_json() for match in report.matches + report.suppressed]
    return [match for match in found if match["entry"]["origin"] is not None]


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
    try:
        with runtime.blobs.local_copy(case.media_sha256) as path:
            media = open_media(path, runtime.settings.media_limits)
            decoded = decode_image(media, min_side=THUMBNAIL_SIDE)
    except MissingBlob:
        raise NotFound(f"case {case.reference} has no picture") from None
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


@router.post("/cases/{reference}/opinion", response_class=HTMLResponse)
def tell_publisher(
    request: Request,
    reference: str,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Annotated[str, Form()] = "",
    entry_id: Annotated[int, Form()] = 0,
    verdict: Annotated[str, Form(max_length=32)] = "",
    note: Annotated[str, Form(max_length=MAX_TEXT_CHARACTERS)] = "",
) -> Response:
    """Queue an opinion (true or false positive) on an exchange entry this case matched,
    for the outbox to post to its publisher's collection."""
    found = viewer(request, session, *OPINION_ROLES)
    check_form(request, csrf_token)
    case = find_case(session, reference)
    try:
        if entry_id not in {m["entry_id"] for m in _exchange_matches(runtime, session, case)}:
            msg = f"entry {entry_id} is not an exchange entry this case matches"
            raise BadRequest(msg)
        session.info["reason"] = f"an opinion sent from case {case.reference}"
        author = runtime.settings.exchange_author
        queue_opinion(session, entry_id, _verdict(verdict), note.strip(), author=author)
    except AccordError as error:
        session.rollback()
        return _case_page(
            request, runtime, session, found, reference, status=status_for(error),
            opinion_error=error.detail,
        )  # fmt: skip
    return see_other(f"/review/cases/{reference}?done=opinion#exchanges")


def _verdict(raw: str) -> Verdict:
    try:
        return Verdict(raw)
    except ValueError:
        choices = " or ".join(f"'{verdict}'" for verdict in Verdict)
        raise BadRequest(f"the verdict must be {choices}, not '{raw}'") from None


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
