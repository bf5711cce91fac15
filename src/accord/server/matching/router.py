"""``POST /v1/match``: a file (multipart) or signals (JSON) in; bank matches out."""

from __future__ import annotations

import json
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.errors import BadRequest
from accord.index.registry import second_stage_type
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import ServicesDep, SessionDep
from accord.server.matching.lookup import match_file, match_signals
from accord.server.matching.service import MatchOptions
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["matching"], dependencies=[Depends(require(Scope.MATCH))])


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


_OPENAPI = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary"},
                        "options": {
                            "type": "string",
                            "description": "MatchOptionsIn as JSON",
                        },
                    },
                }
            },
            "application/json": {"schema": {"$ref": "#/components/schemas/MatchRequest"}},
        },
        "required": True,
    }
}


@router.post(
    "/v1/match",
    summary="Match a file or its signals against every enabled bank",
    openapi_extra=_OPENAPI,
)
async def match(request: Request, services: ServicesDep, session: SessionDep) -> dict[str, Any]:
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("application/json"):
        body = _parse(MatchRequest, await request.body())
        report = await run_in_threadpool(
            match_signals, services, session, body.signals, body.options()
        )
        return {"signals": body.signals, **report.to_json()}
    if not content_type.startswith("multipart/form-data"):
        msg = "send a multipart form with a 'file', or a JSON body with 'signals'"
        raise BadRequest(msg)
    async with request.form(max_files=1, max_fields=2) as form:
        upload = form.get("file")
        if not isinstance(upload, UploadFile):
            raise BadRequest("the multipart form needs a 'file' part")
        raw_options = form.get("options")
        raw = raw_options if isinstance(raw_options, str) else "{}"
        options = _parse(MatchOptionsIn, raw).options()

        def work() -> dict[str, Any]:
            settings = services.settings
            with spooled_to_disk(
                upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
            ) as path:
                result, report = match_file(services, session, path, options)
            hidden = second_stage_type()  # bulky, and only an intermediate here
            signals = {s.type: s.value for s in result.signals if s.type != hidden}
            return {"signals": signals, **report.to_json()}

        return await run_in_threadpool(work)


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
