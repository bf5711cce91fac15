"""``POST /v1/match``: a file (sent as is, or in a multipart form) or signals (JSON) in;
bank matches out.

The route is the hot path of a platform's upload pipeline, so it crosses to a worker
thread once per request (hash, look up and commit together) and answers with JSON it
serialises itself; a file sent as the body is answered by ``match_body`` from
``RawUploadMatching``, before FastAPI routes the request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy.orm import Session
from starlette.datastructures import UploadFile

from accord.errors import BadRequest
from accord.index.registry import second_stage_type
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep
from accord.server.matching.lookup import match_file, match_signals
from accord.server.matching.service import MatchOptions
from accord.server.runtime import Runtime
from accord.server.uploads import body_spooled_to_disk, spooled_to_disk

router = APIRouter(tags=["matching"], dependencies=[Depends(require(Scope.MATCH))])

#: Content types of a file sent as the whole body, without a multipart form.
RAW_FILE_TYPES = ("image/", "video/", "audio/", "application/octet-stream")


class MatchOptionsIn(BaseModel):
    """How to look up: which banks, rollout handling, the second stage."""

    model_config = ConfigDict(extra="forbid")

    banks: list[str] | None = Field(default=None, description="Only these banks")
    bypass_coinflip: bool = Field(default=False, description="Ignore bank rollout ratios")
    seed: int | None = Field(default=None, description="Seeds the rollout coin")
    second_stage: bool = Field(default=True, description="Search crops and screenshots")

    def options(self) -> MatchOptions:
        return MatchOptions(
            banks=self.banks,
            bypass_coinflip=self.bypass_coinflip,
            seed=self.seed,
            second_stage=self.second_stage,
        )


class MatchRequest(MatchOptionsIn):
    """Signals to look up, and how."""

    signals: dict[str, str] = Field(min_length=1, max_length=16)


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
        body = _parse(MatchRequest, await request.body())

        def lookup(session: Session) -> dict[str, Any]:
            report = match_signals(runtime, session, body.signals, body.options())
            return {"signals": body.signals, **report.to_json()}

        return await _answer(runtime, lookup)
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
        form_options = _parse(MatchOptionsIn, raw).options()

        def lookup_upload(session: Session) -> dict[str, Any]:
            with spooled_to_disk(
                upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
            ) as path:
                return _match_path(runtime, session, path, form_options)

        return await _answer(runtime, lookup_upload)


async def match_body(request: Request, runtime: Runtime) -> JSONResponse:
    """Match a file sent as the whole body; options as JSON in the ``options`` parameter."""
    options = _parse(MatchOptionsIn, request.query_params.get("options", "{}")).options()
    settings = runtime.settings
    async with body_spooled_to_disk(
        request, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        return await _answer(runtime, lambda session: _match_path(runtime, session, path, options))


def _match_path(
    runtime: Runtime, session: Session, path: Path, options: MatchOptions
) -> dict[str, Any]:
    result, report = match_file(runtime, session, path, options)
    hidden = second_stage_type()  # bulky, and only an intermediate here
    signals = {s.type: s.value for s in result.signals if s.type != hidden}
    return {"signals": signals, **report.to_json()}


async def _answer(runtime: Runtime, lookup: Callable[[Session], dict[str, Any]]) -> JSONResponse:
    """Run ``lookup`` in its own session, in one worker thread, in arrival order; answer
    its JSON.

    A worker with as many lookups waiting as it runs at once asks the client to reconnect
    after this answer: connections stay with the worker process that accepted them, so
    one that holds more than it can serve sheds some, and they reconnect to idler ones.
    """

    def work() -> dict[str, Any]:
        with runtime.sessions() as session:
            content = lookup(session)
            session.commit()
            return content

    limiter = runtime.lookups.limiter()
    content = await anyio.to_thread.run_sync(work, limiter=limiter)
    if limiter.statistics().tasks_waiting >= limiter.total_tokens:
        return JSONResponse(content, headers={"Connection": "close"})
    return JSONResponse(content)


Model = TypeVar("Model", bound=BaseModel)


def _parse(model: type[Model], raw: bytes | str) -> Model:
    try:
        return model.model_validate_json(raw)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first.get("loc", ())) or "body"
        raise BadRequest(f"{where}: {first['msg']}") from None
    except json.JSONDecodeError as error:
        raise BadRequest(f"the body is not JSON: {error}") from None
