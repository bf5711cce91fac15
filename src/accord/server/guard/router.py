"""``/v1/guard``: the gate a generation service calls before it generates (screen the
prompt) and after (screen and stamp the file), with an API key of scope ``guard``.

The routes are plain ``def``: screening is CPU work (the classifier takes tens of
milliseconds), so it runs in the thread pool, never on the event loop."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Path, Response, UploadFile

from accord.errors import BadRequest, Forbidden
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.auth.state import Caller
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep, SettingsDep
from accord.server.guard.schemas import (
    ANONYMOUS_CLIENT,
    AppealIn,
    PromptIn,
    answer_json,
    appeal_json,
    status_json,
)
from accord.server.guard.service import (
    StampRequest,
    appeal_ban,
    screen_prompt_for,
    stamp_output,
    user_name,
    user_status,
)
from accord.server.uploads import spooled_to_disk

router = APIRouter(prefix="/v1/guard", tags=["guard"])
GuardCaller = Annotated[Caller, Depends(require(Scope.GUARD))]
UserPath = Annotated[str, Path(min_length=1, max_length=200)]


def _client(caller: Caller) -> str:
    return caller.key_name or ANONYMOUS_CLIENT


def _issuer(asked: str | None, configured: str, caller: Caller) -> str:
    """The generator to stamp as: this instance's own, or, for a key that may curate,
    any issuer it names. A generation service must not sign as another generator."""
    configured = configured.strip()
    chosen = (asked or configured).strip()
    if not chosen:
        raise BadRequest("name the generator: send 'issuer', or set ACCORD_GUARD_ISSUER")
    if chosen != configured and Scope.CURATE.value not in caller.scopes:
        own = repr(configured) if configured else "(ACCORD_GUARD_ISSUER is not set)"
        msg = (
            f"this key may stamp only as the instance's generator {own}; "
            f"stamping as {chosen!r} needs the curate scope too"
        )
        raise Forbidden(msg)
    return chosen


@router.post("/prompt", summary="Screen a generation prompt before generating")
def screen(
    body: PromptIn, caller: GuardCaller, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """``verdict`` is allow, review or block; ``reasons`` say why (category
    protected_person, voting_process, official_impersonation, or user_banned for a user
    banned for earlier blocked prompts: their prompt is then not screened, and
    ``user_status.until`` says until when). Each block is a strike on ``user``; the one
    that reaches ``ACCORD_GUARD_BAN_AFTER`` within ``ACCORD_GUARD_WINDOW_HOURS`` bans them
    for ``ACCORD_GUARD_BAN_HOURS``. The decision is kept (the prompt only as its SHA-256
    and a redacted excerpt) as ``decision_id``. An empty prompt or an unknown tool or
    language is 400, a prompt over 10,000 characters 413."""
    answer = screen_prompt_for(
        session,
        settings,
        prompt=body.prompt,
        tool=body.tool,
        user=body.user,
        language=body.language,
        client=_client(caller),
    )
    # Committed here, in this worker thread: the session's own commit would cost the
    # request a second hop to the thread pool (generators call this for every prompt).
    session.commit()
    return answer_json(answer)


@router.get("/users/{user}", summary="Whether a user is banned, and their strikes")
def user(
    user: UserPath, caller: GuardCaller, session: SessionDep, settings: SettingsDep
) -> dict[str, Any]:
    """The caller's user of that name: another service's user of the same name is
    another person, with bans of their own."""
    name = user_name(user)
    status = user_status(session, settings, _client(caller), name, utc_now())
    session.rollback()  # nothing written; ends the read here, not in another thread hop
    return {"user": name, **status_json(status)}


@router.post("/appeals", status_code=201, summary="Forward a banned user's appeal")
def appeal(body: AppealIn, caller: GuardCaller, session: SessionDep) -> dict[str, Any]:
    """The appeal of the caller's user. One pending appeal per ban (409 for a second);
    404 when the user is not banned. An admin grants it (the ban is lifted) or rejects it
    on the generation gate page."""
    name = user_name(body.user)
    appealed = appeal_ban(session, _client(caller), name, body.statement, utc_now())
    return {"user": name, **appeal_json(appealed)}


@router.post(
    "/output",
    summary="Screen a generated file, then stamp it as AI-generated",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": {}}},
        422: {"description": "The file shows or voices a registered protected person"},
    },
)
def output(
    file: UploadFile,
    caller: GuardCaller,
    runtime: RuntimeDep,
    session: SessionDep,
    *,
    user: Annotated[str, Form(min_length=1, max_length=200, description="The service's user")],
    prompt: Annotated[str | None, Form(max_length=10_000)] = None,
    issuer: Annotated[
        str | None,
        Form(max_length=200, description="The generator; ACCORD_GUARD_ISSUER if omitted"),
    ] = None,
) -> Response:
    """A banned user's file is refused (403, ``guard.user_banned``), and so is a file
    where a face or voice resembles a registered protected person (422); nothing is
    signed or registered then. Otherwise the answer is the file signed with Content
    Credentials (digital source type trainedAlgorithmicMedia, the issuer as the
    generator), watermarked, and registered in the GENERATED bank; ``Accord-Record``
    names its provenance record. The same bytes stamped again get the same record.

    A ``guard`` key stamps as ``ACCORD_GUARD_ISSUER`` only; naming another issuer needs
    the ``curate`` scope too (403 otherwise)."""
    settings = runtime.settings
    chosen = _issuer(issuer, settings.guard_issuer, caller)
    request = StampRequest(
        issuer=chosen,
        user=user,
        prompt=prompt or None,
        client=_client(caller),
        name=file.filename,
    )
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        stamped = stamp_output(runtime, session, path, request)
    return Response(
        stamped.data,
        media_type=stamped.media_type,
        headers={
            "Accord-Record": stamped.record_id,
            "Content-Disposition": f'attachment; filename="{stamped.file_name}"',
        },
    )
