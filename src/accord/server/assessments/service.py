"""Assessing a file with what this instance knows: the one entry other domains (triage)
and the CLI call, instead of the HTTP router."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from accord.assessment.assessing import assess_file
from accord.assessment.assessment import Assessment
from accord.server.assessments.lookup import bank_lookup
from accord.server.issuers.service import trust_anchors
from accord.server.persons.service import load_gallery, load_voice_gallery
from accord.server.services import Services


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
