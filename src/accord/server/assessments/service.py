"""Assessing a file with what this instance knows: the one entry other domains (triage)
and the CLI call, instead of the HTTP router. The report's HTML and PDF (``report``) are
named from here."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from accord.assessment.pipeline import assess_file
from accord.assessment.result import Assessment
from accord.server.assessments.lookup import bank_lookup
from accord.server.assessments.report import render_html, write_pdf
from accord.server.issuers.service import trust_anchors
from accord.server.persons.service import load_gallery, load_voice_gallery
from accord.server.runtime import Runtime
from accord.signals.hashing import OpenedFile

__all__ = ["assess_path", "assessment_of", "render_html", "write_pdf"]


def assessment_of(runtime: Runtime, session: Session, path: Path | OpenedFile) -> Assessment:
    """Assess with this instance's trust anchors, banks, registry and protected people; a
    file the caller opened (``hashing.service.open_file``) is decoded once for both."""
    return assess_file(
        path,
        anchors=trust_anchors(session, runtime.trust_anchors),
        banks=bank_lookup(runtime, session),
        limits=runtime.settings.media_limits,
        detector_dir=runtime.settings.detector_dir,
        gallery=load_gallery(session),
        voices=load_voice_gallery(session),
    )


def assess_path(
    runtime: Runtime, session: Session, path: Path, *, figures: bool = False
) -> dict[str, Any]:
    """The assessment's JSON, with its figures as base64 PNG if asked."""
    assessment = assessment_of(runtime, session, path)
    answer = assessment.to_json()
    if figures:
        for finding, shown in zip(assessment.findings, answer["findings"], strict=True):
            for figure, entry in zip(finding.figures, shown["figures"], strict=True):
                entry["png_base64"] = base64.b64encode(figure.png).decode()
    return answer
