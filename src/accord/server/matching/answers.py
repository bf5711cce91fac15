"""Answering ``POST /v1/match``: each lookup in one worker thread, in arrival order, with
JSON serialised here.

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
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.index.registry import second_stage_type
from accord.server.matching.schemas import MatchOptionsIn
from accord.server.matching.service import MatchOptions, match_file
from accord.server.runtime import Runtime
from accord.server.uploads import body_spooled_to_disk

#: Content types of a file sent as the whole body, without a multipart form.
RAW_FILE_TYPES = ("image/", "video/", "audio/", "application/octet-stream")


async def match_body(request: Request, runtime: Runtime) -> JSONResponse:
    """Match a file sent as the whole body; options as JSON in the ``options`` parameter."""
    options = parse_body(MatchOptionsIn, request.query_params.get("options", "{}")).options()
    settings = runtime.settings
    async with body_spooled_to_disk(
        request, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        return await answer(runtime, lambda session: match_path(runtime, session, path, options))


def match_path(
    runtime: Runtime, session: Session, path: Path, options: MatchOptions
) -> dict[str, Any]:
    result, report = match_file(runtime, session, path, options)
    hidden = second_stage_type()  # bulky, and only an intermediate here
    signals = {s.type: s.value for s in result.signals if s.type != hidden}
    return {"signals": signals, **report.to_json()}


async def answer(runtime: Runtime, lookup: Callable[[Session], dict[str, Any]]) -> JSONResponse:
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
