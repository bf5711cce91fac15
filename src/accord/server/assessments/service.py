"""Assessing a file with what this instance knows: the one entry other domains (triage)
and the CLI call, instead of the HTTP router. The report's HTML and PDF (``report``) are
named from here.

What a file says (its sound, the post's text) is screened against this instance's
protected people and elections, read per assessment: the tables are small, and a person
or an election added is screened for at once.
"""

from __future__ import annotations

import base64
import logging
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from accord.assessment.pipeline import assess_file
from accord.assessment.producers import ClaimsSetup, default_producers
from accord.assessment.producers.claim_findings import claim_json
from accord.assessment.producers.text_claims import TextClaimsProducer, text_claims
from accord.assessment.result import Assessment
from accord.claims.context import Context
from accord.errors import MediaError, MediaTooLarge, PayloadTooLarge
from accord.server.assessments.lookup import bank_lookup
from accord.server.assessments.report import render_html, write_pdf
from accord.server.db.base import utc_now
from accord.server.decoding import Lane
from accord.server.guard.service import guard_context
from accord.server.hashing.service import open_file
from accord.server.issuers.service import trust_anchors
from accord.server.persons.service import load_gallery, load_voice_gallery
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from accord.signals.hashing import OpenedFile

__all__ = [
    "ScreenedText",
    "assess_path",
    "assessment_of",
    "render_html",
    "screen_text",
    "write_pdf",
]

logger = logging.getLogger("accord.assessments")


def assessment_of(
    runtime: Runtime,
    session: Session,
    path: Path | OpenedFile,
    *,
    text: str = "",
    notice: str = "",
    patient: bool = False,
) -> Assessment:
    """Assess with this instance's trust anchors, banks, registry and protected people; a
    file the caller opened (``hashing.service.open_file``) is decoded once for both.
    ``text``: the post's own words (its caption) and ``notice``: a notifier's explanation,
    each screened for false claims as the file's sound is, its claims saying which
    ("from": "caption", "notice"). ``PayloadTooLarge`` for either over
    ``MAX_TEXT_CHARS``.

    The file is decoded in the assessments lane, within the memory budget
    (``Runtime.decoding``): ``ServerBusy`` when neither frees up in time, unless
    ``patient`` (background work) waits as long as it takes."""
    with ExitStack() as admitted:
        try:
            opened = path if isinstance(path, OpenedFile) else open_file(runtime, path)
            admitted.enter_context(
                runtime.decoding(opened.media, lane=Lane.ASSESSMENTS, patient=patient)
            )
        except MediaTooLarge:
            raise
        except MediaError:
            # Its headers cannot be read, so nothing of it will be decoded: the assessment
            # reports what could not be read.
            return _assessed(runtime, session, path, text=text, notice=notice)
        return _assessed(runtime, session, opened, text=text, notice=notice)


def _assessed(
    runtime: Runtime, session: Session, file: Path | OpenedFile, *, text: str, notice: str
) -> Assessment:
    settings = runtime.settings
    claims = _claims_setup(session, settings)
    producers = default_producers(
        settings.detector_dir, load_gallery(session), load_voice_gallery(session), claims
    )
    if notice.strip():
        producers.append(
            TextClaimsProducer(
                claims.context, classifier=claims.classifier, said="notice", text=notice
            )
        )
    with ExitStack() as copies:  # registered files lent for comparison
        return assess_file(
            file,
            anchors=trust_anchors(session, runtime.trust_anchors),
            banks=bank_lookup(runtime, session, copies),
            producers=producers,
            limits=settings.media_limits,
            text=text,
        )


@dataclass(frozen=True, slots=True)
class ScreenedText:
    """Words screened without a file: their claims (as an assessment lists them), and how
    they were screened."""

    claims: list[dict[str, Any]]
    #: "rules and classifier"; "rules only" where the classifier is turned off here; "rules
    #: only: ..." where it failed (it was logged).
    how: str


def screen_text(
    session: Session, settings: Settings, text: str, *, said: str = "caption"
) -> ScreenedText:
    """The false claims about voting and impersonations of election authorities in
    ``text`` (``said``: "caption", a post's; "notice", a notifier's explanation). A
    classifier that fails leaves the rules to answer alone, and says so: the words are
    still screened. ``PayloadTooLarge`` beyond ``MAX_TEXT_CHARS``."""
    context = _context(session, settings)
    if not settings.guard_classifier:
        return ScreenedText(_claims(text, context, said, classifier=False), "rules only")
    try:
        return ScreenedText(_claims(text, context, said, classifier=True), "rules and classifier")
    except PayloadTooLarge:
        raise
    except Exception as error:  # a broken model must not silence the rules
        logger.exception("the classifier failed screening a %s; the rules answer alone", said)
        why = f"the classifier failed ({type(error).__name__})"
        return ScreenedText(_claims(text, context, said, classifier=False), f"rules only: {why}")


def _claims(text: str, context: Context, said: str, *, classifier: bool) -> list[dict[str, Any]]:
    found = text_claims(text, context, said=said, classifier=classifier)
    return [claim_json(claim, said) for claim in found]


def _context(session: Session, settings: Settings) -> Context:
    """This instance's protected people, elections and policy, as the gate reads them."""
    return guard_context(session, settings, utc_now().date())


def _claims_setup(session: Session, settings: Settings) -> ClaimsSetup:
    engine = None if settings.speech_engine == "off" else settings.speech_engine
    return ClaimsSetup(
        context=_context(session, settings),
        engine=engine,
        max_seconds=settings.speech_max_seconds,
        classifier=settings.guard_classifier,
    )


def assess_path(
    runtime: Runtime, session: Session, path: Path, *, figures: bool = False, text: str = ""
) -> dict[str, Any]:
    """The assessment's JSON, with its figures as base64 PNG if asked."""
    assessment = assessment_of(runtime, session, path, text=text)
    answer = assessment.to_json()
    if figures:
        for finding, shown in zip(assessment.findings, answer["findings"], strict=True):
            for figure, entry in zip(finding.figures, shown["figures"], strict=True):
                entry["png_base64"] = base64.b64encode(figure.png).decode()
    return answer
