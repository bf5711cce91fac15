"""``POST /v1/match``: a file (sent as is, or in a multipart form) or signals (JSON) in;
bank matches out.

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
from starlette.datastructures import UploadFile

from accord.errors import BadRequest
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep
from accord.server.matching.answers import (
    RAW_FILE_TYPES,
    answer,
    match_body,
    match_path,
    parse_body,
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

        def lookup(session: Session) -> dict[str, Any]:
            report = match_signals(runtime, session, body.signals, body.options())
            return {"signals": body.signals, **report.to_json()}

        return await answer(runtime, lookup)
    if content_type.startswith(RAW_FILE_TYPES):
        return await match_body(request, runtime)  # RawUploadMatching answers it first
    settings = runtime.settings
    if not content_type.startswith("multipart/form-data"):
        msg = (
            "send the file as the body (an image/, video/ or audio/ type), in a multipart "
            "form as 'file', or a JSON body with 'signals'"
        )
        raise BadRequest(msg)
    async with request.form(max_files=1, max_fields=2) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("the multipart form needs a 'file' part")
        raw_options = form.get("options")
        raw = raw_options if isinstance(raw_options, str) else "{}"
        form_options = parse_body(MatchOptionsIn, raw).options()

        def lookup_upload(session: Session) -> dict[str, Any]:
            with spooled_to_disk(
                upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
            ) as path:
                return match_path(runtime, session, path, form_options)

        return await answer(runtime, lookup_upload)
