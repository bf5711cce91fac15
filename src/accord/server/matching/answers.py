"""Answering ``POST /v1/match``: each lookup in one worker thread, in arrival order, with
JSON serialised here; the post's text, when sent, screened for false claims about voting
(``text_claims``, ``text_flagged`` when it makes any, and ``text_screening``: how), whatever
the banks say of its file.

Shared by the route and ``RawUploadMatching``, which answers a file sent as the whole body
before FastAPI routes the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from accord.claims.statements import MAX_TEXT_CHARS
from accord.errors import BadRequest, MediaError
from accord.media.cost import head_picture_pixels
from accord.media.kinds import MediaKind
from accord.media.sniff import sniff_bytes
from accord.server.assessments.service import screen_text
from accord.server.decoding import Lane
from accord.server.matching.schemas import MatchOptionsIn
from accord.server.matching.service import MatchOptions, match_file
from accord.server.runtime import Runtime
from accord.server.uploads import body_spooled_to_disk
from accord.signals.registry import signal_type_classes

#: Content types of a file sent as the whole body, without a multipart form.
RAW_FILE_TYPES = ("image/", "video/", "audio/", "application/octet-stream")


async def match_body(request: Request, runtime: Runtime) -> JSONResponse:
    """Match a file sent as the whole body; options as JSON in the ``options`` parameter."""
    options = parse_body(MatchOptionsIn, request.query_params.get("options", "{}")).options()
    settings = runtime.settings
    async with body_spooled_to_disk(
        request, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        with path.open("rb") as spooled:  # just written: a page-cache read
            lane = lane_of_upload(runtime, spooled.read(HEAD_BYTES))
        return await answer(
            runtime, lambda session: match_path(runtime, session, path, options), lane
        )


def match_path(
    runtime: Runtime, session: Session, path: Path, options: MatchOptions, text: str = ""
) -> dict[str, Any]:
    result, report = match_file(runtime, session, path, options)
    types = signal_type_classes()  # bulky intermediates (keypoints, mirrors) are left out
    signals = {s.type: s.value for s in result.signals if types[s.type].answered}
    return screened(runtime, session, {"signals": signals, **report.to_json()}, text)


def check_text(text: str) -> str:
    """The post's text, refused beyond ``MAX_TEXT_CHARS`` before any work is done: 422, as
    FastAPI answers any other form field over its length (``/v1/notices``, ``/v1/assess``)."""
    if len(text) > MAX_TEXT_CHARS:
        too_long = {
            "type": "string_too_long",
            "loc": ("body", "text"),
            "msg": f"String should have at most {MAX_TEXT_CHARS} characters",
            "input": None,  # not echoed back
            "ctx": {"max_length": MAX_TEXT_CHARS},
        }
        raise RequestValidationError([too_long])
    return text


#: ``text_screening`` when no text was sent.
NOT_SENT = "no text"


def screened(
    runtime: Runtime, session: Session, content: dict[str, Any], text: str
) -> dict[str, Any]:
    """``content`` with the claims the post's ``text`` makes (``text_claims``),
    ``text_flagged`` when it makes any (the caption itself: whether the file is deceptive
    is what the matches say) and ``text_screening``, how it was screened ("rules and
    classifier"; "rules only: ..." when the classifier is off or failed)."""
    if not text.strip():
        return content | {"text_claims": [], "text_flagged": False, "text_screening": NOT_SENT}
    found = screen_text(session, runtime.settings, text, said="caption")
    return content | {
        "text_claims": found.claims,
        "text_flagged": bool(found.claims),
        "text_screening": found.how,
    }


#: Bytes of an upload read to choose its lane: a picture's size is in its header, which a
#: JPEG may put after tens of kilobytes of metadata.
HEAD_BYTES = 64 * 1024


def lane_of_upload(runtime: Runtime, head: bytes) -> Lane:
    """The lane whose line a file starting with ``head`` waits in: a video's, or a huge
    picture's, is not a small picture's. One accord cannot read waits with the pictures;
    opening it refuses it."""
    try:
        kind = sniff_bytes(head).kind
    except MediaError:
        kind = None
    pixels = head_picture_pixels(head) if kind is MediaKind.IMAGE else None
    return runtime.admissions.lane_of(kind, pixels)


async def answer(
    runtime: Runtime, lookup: Callable[[Session], dict[str, Any]], lane: Lane = Lane.PICTURES
) -> JSONResponse:
    """Run ``lookup`` in its own session, in one worker thread, in arrival order in its
    decoding lane's line (lookups by signals: the pictures'); answer its JSON.

    A worker with as many lookups waiting as it runs at once asks the client to reconnect
    after this answer: connections stay with the worker process that accepted them, so
    one that holds more than it can serve sheds some, and they reconnect to idler ones.
    """

    def work() -> dict[str, Any]:
        with runtime.sessions() as session:
            content = lookup(session)
            session.commit()
            return content

    limiter = runtime.lookups.limiter(lane)
    content = await anyio.to_thread.run_sync(work, limiter=limiter)
    if limiter.statistics().tasks_waiting >= limiter.total_tokens:
        return JSONResponse(content, headers={"Connection": "close"})
    return JSONResponse(content)


Model = TypeVar("Model", bound=BaseModel)


def parse_body(model: type[Model], raw: bytes | str) -> Model:
    """``raw`` JSON as ``model``, or a 400 naming the first problem."""
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise BadRequest(f"{where}: {first['msg']}") from None
    except json.JSONDecodeError as error:
        raise BadRequest(f"the body is not JSON: {error}") from None
