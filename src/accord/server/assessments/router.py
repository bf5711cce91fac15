"""``POST /v1/assess``: what is known about a file, with the evidence and how it weighs."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Query, UploadFile

from accord.assessment.result import assessment_schema
from accord.claims.statements import MAX_TEXT_CHARS
from accord.server.assessments.service import assess_path
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["assessment"], dependencies=[Depends(require(Scope.MATCH))])


@router.post("/v1/assess", summary="Assess a file: a band, the findings, what they weigh")
def assess_upload(
    file: UploadFile,
    runtime: RuntimeDep,
    session: SessionDep,
    figures: Annotated[bool, Query(description="Include the findings' maps as base64 PNG")] = False,
    text: Annotated[
        str,
        Form(
            max_length=MAX_TEXT_CHARS,
            description="The post's text or caption, screened for false claims about voting",
        ),
    ] = "",
) -> dict[str, Any]:
    """Content Credentials, generator metadata and watermarks, the banks and registry
    (with a map of what an altered copy changed), and forensic maps, weighed into one
    band: confirmed deceptive, altered from an authentic original, likely AI-generated,
    no evidence either way, likely authentic, or verified authentic. What the file says
    (its sound transcribed) and the post's ``text`` are screened for false claims about
    voting: ``transcript``, ``claims``, ``robocall``."""
    settings = runtime.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        answer = assess_path(runtime, session, path, figures=figures, text=text)
    answer["input"]["name"] = file.filename
    return answer


@router.get("/v1/assess/schema", summary="The JSON Schema of an assessment")
def schema() -> dict[str, Any]:
    return assessment_schema()
