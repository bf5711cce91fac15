"""``POST /v1/match``: a file (sent as is, or in a multipart form) or signals (JSON) in;
bank matches out. A multipart form or a JSON body may carry the post's ``text`` (its
caption), screened for false claims about voting: ``text_claims``, ``text_flagged`` and
``text_screening``.

The route is the hot path of a platform's upload pipeline, so it crosses to a worker
thread once per request (hash, look up and commit together) and answers with JSON it
serialises itself (``answers``); a file sent as the body is answered by ``match_body``
from ``RawUploadMatching``, before FastAPI routes the request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from sqlalchemy.orm import Session
from starlette.datastructures import FormData, UploadFile

from accord.claims.statements import MAX_TEXT_CHARS
from accord.errors import BadRequest
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep
from accord.server.matching.answers import (
    HEAD_BYTES,
    RAW_FILE_TYPES,
    answer,
    check_text,
    lane_of_upload,
    match_body,
    match_path,
    parse_body,
    screened,
)
from accord.server.matching.schemas import MatchOptionsIn, MatchRequest
from accord.server.matching.service import match_signals
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["matching"], dependencies=[Depends(require(Scope.MATCH))])


_OPTIONS_JSON = "MatchOptionsIn as JSON"
_OPENAPI = {
    "parameters": [
        {
            "name": "options",
            "in": "query",
            "required": False,
            "schema": {"type": "string"},
            "description": f"{_OPTIONS_JSON}, for a file sent as the whole body",
        }
    ],
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "options": {"type": "string", "description": _OPTIONS_JSON},
                        "text": {
                            "type": "string",
                            "maxLength": MAX_TEXT_CHARS,
                            "description": "The post's text or caption, screened for false "
                            "claims about voting",
                        },
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "image/*": {"schema": {"type": "string", "format": "binary"}},
            "video/*": {"schema": {"type": "string", "format": "binary"}},
            "audio/*": {"schema": {"type": "string", "format": "binary"}},
        },
        "required": True,
    },
}


@router.post(
    "/v1/match",
    summary="Match a file or its signals against every enabled bank",
    openapi_extra=_OPENAPI,
)
async def match(request: Request, runtime: RuntimeDep) -> JSONResponse:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = parse_body(MatchRequest, await request.body())
        text = check_text(body.text)

        def lookup(session: Session) -> dict[str, Any]:
            report = match_signals(runtime, session, body.signals, body.options())
            return screened(runtime, session, {"signals": body.signals, **report.to_json()}, text)

        return await answer(runtime, lookup)
    if content_type.startswith(RAW_FILE_TYPES):
        return await match_body(request, runtime)  # RawUploadMatching answers it first
    settings = runtime.settings
    if not content_type.startswith("multipart/form-data"):
        msg = (
            "send the file as the body (an image/, video/ or audio/ type), in a multipart "
            "form as 'file' (with the post's 'text' if any), or a JSON body with 'signals' "
            "(and 'text')"
        )
        raise BadRequest(msg)
    # Two files at most: a 'text' or 'options' sent as a file is refused by name below.
    async with request.form(max_files=2, max_fields=3) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("the multipart form needs a 'file' part")
        form_options = parse_body(MatchOptionsIn, _field(form, "options") or "{}").options()
        text = check_text(_field(form, "text"))
        lane = lane_of_upload(runtime, await upload.read(HEAD_BYTES))
        await upload.seek(0)

        def lookup_upload(session: Session) -> dict[str, Any]:
            with spooled_to_disk(
                upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
            ) as path:
                return match_path(runtime, session, path, form_options, text)

        return await answer(runtime, lookup_upload, lane)


def _field(form: FormData, name: str) -> str:
    """A form field's value ("" when absent); a 400 when it was sent as a file, which
    would otherwise be read as nothing (a caption never screened)."""
    value = form.get(name)
    if isinstance(value, UploadFile):
        raise BadRequest(f"{name}: send it as a form field, not as a file")
    return value or ""
