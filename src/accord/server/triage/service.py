"""Triage: assess each new notice's file, match it against the banks, and file it in the
case for its content, so notices about the same content (matched by its signals, not its
URL) join one case.

Each notice is triaged in three steps so that no database write lock is held while a file
is assessed (seconds for a video, and SQLite has one writer):

1. claim it for a few minutes with the outbox engine's lease (a short transaction);
2. assess and hash its file, reading only, with the words that came with it (the post's
   caption, the notifier's explanation) each screened for false claims about voting as
   the file's sound is; without a file, the words alone;
3. in one transaction, have ``cases.service`` find or open its case and record where it
   was posted, and, when the case was already decided, apply that decision to this copy.

A notice whose triager died is claimed again once the claim lapses.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from accord.errors import AccordError
from accord.server.assessments.service import assessment_of, screen_text
from accord.server.background import BackgroundLoop
from accord.server.banks.service import lock_index_feeds
from accord.server.cases import service as cases
from accord.server.cases.schemas import CaseStatus
from accord.server.decisions.service import (
    apply_standing_decision,
    current_decision,
    decision_for_notice,
)
from accord.server.decoding import Lane
from accord.server.hashing.service import hash_for_bank, open_file, reliable_signals
from accord.server.notices import service as notices
from accord.server.runtime import Runtime
from accord.server.storage.store import BlobStoreError

if TYPE_CHECKING:
    from accord.server.cases.models import Case
    from accord.server.notices.models import Notice

logger = logging.getLogger("accord.triage")

_ACTOR = "system:triage"
#: How long a triager may hold a notice before another takes it over.
LEASE = timedelta(minutes=10)
#: How often open cases' priorities are recomputed.
REPRIORITISE_SECONDS = 600.0


@dataclass(slots=True)
class Findings:
    """What step 2 learnt about a notice's file."""

    media_kind: str = ""
    assessment: dict[str, Any] = field(default_factory=dict)
    signals: dict[str, str] = field(default_factory=dict)
    error: str = ""


def triage_pending(runtime: Runtime) -> int:
    """Triage every notice waiting for it; how many were triaged."""
    done = 0
    while (notice_id := _claim(runtime)) is not None:
        findings = _examine(runtime, notice_id)
        with runtime.sessions() as session:
            session.info["actor"] = _ACTOR
            notice = notices.notice_to_file(session, notice_id)
            if notice is not None:
                file_notice(runtime, session, notice, findings)
                done += 1
            session.commit()
    return done


def _claim(runtime: Runtime) -> int | None:
    """The next notice waiting for triage, held for ``LEASE`` by the outbox's lease."""
    with runtime.sessions() as session:
        session.info["actor"] = _ACTOR
        claimed = notices.claim_for_triage(session, LEASE)
        session.commit()
        return claimed


def _examine(runtime: Runtime, notice_id: int) -> Findings:
    with runtime.sessions() as session:
        notice = notices.get_notice(session, notice_id)
        if notice is None:
            return Findings()
        # Without a file, only its words could not be screened.
        what = "the file" if notice.media_sha256 is not None else "the notice's words"
        try:
            if notice.media_sha256 is None:
                return _examine_words(runtime, session, notice)
            with runtime.blobs.local_copy(notice.media_sha256) as path:
                return _examine_file(runtime, session, path, notice)
        except AccordError as error:
            return Findings(error=f"{error.title}: {error.detail}")
        except BlobStoreError:  # unreachable for now: the lease runs out, a later round retries
            raise
        except OSError as error:  # the blob store lost the file
            return Findings(error=f"the file could not be read: {error}")
        except Exception as error:  # a file that breaks a producer still goes to review
            logger.exception("assessing notice %d failed", notice_id)
            return Findings(error=f"{what} could not be assessed: {type(error).__name__}")


def _examine_file(runtime: Runtime, session: Session, path: Path, notice: Notice) -> Findings:
    # Opened once: the assessment and the bank hashes share its decoded picture and signals,
    # and its one admission to decoding; in the background, it waits as long as it takes.
    opened = open_file(runtime, path)
    with runtime.decoding(opened.media, lane=Lane.ASSESSMENTS, patient=True):
        assessment = assessment_of(
            runtime, session, opened, text=notice.text, notice=notice.explanation
        ).to_json()
        signals = reliable_signals(hash_for_bank(runtime, opened))
    return Findings(media_kind=str(opened.media.kind), assessment=assessment, signals=signals)


def _examine_words(runtime: Runtime, session: Session, notice: Notice) -> Findings:
    """Without a file, the claims in its words are all triage can find: the post's caption
    and the notifier's explanation, each screened alone so each claim says which it is in,
    and kept where a file's assessment keeps them, so the queue and the case page read them
    alike."""
    claims = [
        claim
        for said, words in (("caption", notice.text), ("notice", notice.explanation))
        if words.strip()
        for claim in screen_text(session, runtime.settings, words, said=said).claims
    ]
    return Findings(assessment={"claims": claims, "robocall": False} if claims else {})


def file_notice(runtime: Runtime, session: Session, notice: Notice, findings: Findings) -> Case:
    """Put a notice in its case (opening one if it is the first), then set its status."""
    lock_index_feeds(session)  # one triager at a time decides what is new content
    content = cases.Content(
        media_sha256=notice.media_sha256,
        media_kind=findings.media_kind,
        assessment=findings.assessment,
        signals=findings.signals,
    )
    sighting = cases.Sighting(
        url=notice.url,
        platform=notices.platform_key(notice),
        platform_content_id=notice.platform_content_id,
        uploader=notice.uploader,
        reach=notice.reach,
    )
    case = cases.case_for(session, runtime.indexes, content, sighting)
    opened = case is None
    if case is None:
        case = cases.open_case(session, runtime.indexes, content, person_id=notice.person_id)
    else:  # a later notice may bring the file, or words that say what the first's did not
        cases.add_claims(session, runtime.indexes, case, content)
    item, new_item = cases.item_for(session, case, sighting)
    standing = current_decision(session, case) if case.status == CaseStatus.DECIDED else None
    notices.record_triage(
        notice, case_id=case.id, item_id=item.id, error=findings.error, decided=standing is not None
    )
    trusted = case.id in notices.cases_flagged_by_trusted_flaggers(session, case.id)
    cases.prioritise(session, runtime.settings, case, new=opened, trusted_flagger=trusted)
    if standing is not None:
        copy = apply_standing_decision(runtime.settings, session, case, item) if new_item else None
        # The copy's own decision if it got one (automated), else the one already on it.
        applied = copy or decision_for_notice(session, notice) or standing
        notices.tell_decision(session, runtime.settings, notice, applied)
    session.flush()
    return case


class Triager(BackgroundLoop):
    """Triages notices as they come, warns once about each case past its deadline, and
    now and then raises the priority of open cases whose election has come closer."""

    def __init__(self, runtime: Runtime, *, interval_seconds: float) -> None:
        super().__init__("accord-triage", interval_seconds)
        self._runtime = runtime
        self._reprioritised_at = -math.inf

    def step(self) -> None:
        try:
            triage_pending(self._runtime)
            warn_breaches(self._runtime)
            if time.monotonic() - self._reprioritised_at >= REPRIORITISE_SECONDS:
                reprioritise_open(self._runtime)
                self._reprioritised_at = time.monotonic()
        except Exception:  # a bad round must not end triage for good
            logger.exception("triage round failed")


def reprioritise_open(runtime: Runtime) -> int:
    """Recompute every open case's priority: the days to its election shrink daily. A case
    only ever gets more urgent (an earlier deadline), never less."""
    with runtime.sessions() as session:
        session.info["actor"] = _ACTOR
        trusted = notices.cases_flagged_by_trusted_flaggers(session)
        count = cases.reprioritise_open(session, runtime.settings, trusted)
        session.commit()
        return count


def warn_breaches(runtime: Runtime) -> int:
    """Warn once about each case past its review deadline (``cases.service``)."""
    with runtime.sessions() as session:
        session.info["actor"] = _ACTOR
        count = cases.warn_breaches(session)
        session.commit()
        return count
