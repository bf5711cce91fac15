"""``POST /v1/assess``: what is known about a file, with the evidence and how it weighs."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, UploadFile
from sqlalchemy.orm import Session

from accord.assessment.assessing import assess_file
from accord.assessment.assessment import Assessment, assessment_schema
from accord.server.assessments.lookup import bank_lookup
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import ServicesDep, SessionDep
from accord.server.issuers.service import trust_anchors
from accord.server.persons.service import load_gallery, load_voice_gallery
from accord.server.services import Services
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["assessment"], dependencies=[Depends(require(Scope.MATCH))])


@router.post("/v1/assess", summary="Assess a file: a band, the findings, what they weigh")
def assess_upload(
    file: UploadFile,
    services: ServicesDep,
    session: SessionDep,
    figures: Annotated[bool, Query(description="Include the findings' maps as base64 PNG")] = False,
) -> dict[str, Any]:
    """Content Credentials, generator metadata and watermarks, the banks and registry
    (with a map of what an altered copy changed), and forensic maps, weighed into one
    band: confirmed deceptive, altered from an authentic original, likely AI-generated,
    no evidence either way, likely authentic, or verified authentic."""
    settings = services.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        answer = assess_path(services, session, path, figures=figures)
    answer["input"]["name"] = file.filename
    return answer


@router.get("/v1/assess/schema", summary="The JSON Schema of an assessment")
def schema() -> dict[str, Any]:
    return assessment_schema()


def assessment_of(services: Services, session: Session, path: Path) -> Assessment:
    """Assess with this instance's trust anchors, banks, registry and protected people."""
    return assess_file(
        path,
        anchors=trust_anchors(services, session),
        banks=bank_lookup(services, session),
        limits=services.settings.media_limits,
        detector_dir=services.settings.detector_dir,
        gallery=load_gallery(session),
        voices=load_voice_gallery(session),
    )


def assess_path(
    services: Services, session: Session, path: Path, *, figures: bool = False
) -> dict[str, Any]:
    """The assessment's JSON, with its figures as base64 PNG if asked."""
    assessment = assessment_of(services, session, path)
    answer = assessment.to_json()
    if figures:
        for finding, shown in zip(assessment.findings, answer["findings"], strict=True):
            for figure, entry in zip(finding.figures, shown["figures"], strict=True):
                entry["png_base64"] = base64.b64encode(figure.png).decode()
    return answer
