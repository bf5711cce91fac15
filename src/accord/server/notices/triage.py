"""Triage: assess each new notice's file, match it against the banks, and file it in the
case for its content, so notices about the same content (matched by its signals, not its
URL) join one case.

Each notice is triaged in three steps so that no database write lock is held while a file
is assessed (seconds for a video, and SQLite has one writer):

1. claim it for a few minutes (a short transaction);
2. assess and hash its file, reading only;
3. in one transaction, find or open its case, record where it was posted, and, when the
   case was already decided, apply that decision to this new copy.

A notice whose triager died is claimed again once the claim lapses.
"""

from __future__ import annotations

import logging
import math
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import Session

from accord.errors import AccordError
from accord.media.sniff import sniff_file
from accord.server.assessments.service import assessment_of
from accord.server.background import BackgroundLoop
from accord.server.banks.models import BankKind
from accord.server.banks.service import EntryFields, add_entry, ensure_bank, lock_index_feeds
from accord.server.cases.models import Case, CaseItem, CaseStatus
from accord.server.cases.queue import SlaHours, breached_unwarned, priority
from accord.server.db.base import utc_now
from accord.server.decisions.service import (
    apply_standing_decision,
    current_decision,
    decision_for_notice,
)
from accord.server.elections.service import next_election
from accord.server.hashing.service import hash_for_bank, reliable_signals
from accord.server.matching.service import Matcher, MatchOptions
from accord.server.notices.models import Notice, NoticeStatus, NotifierKind
from accord.server.notices.notifications import tell_decision
from accord.server.notices.service import platform_key
from accord.server.persons.models import ProtectedPersonRow
from accord.server.runtime import Runtime
from accord.server.tokens import new_reference

logger = logging.getLogger("accord.triage")

#: The internal bank whose entries are the contents of cases, one entry per case.
CASES_BANK = "ACCORD_CASES"
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
            session.info["actor"] = "system:triage"
            # Locked, so that of two triagers that both ended up with it, one files it.
            notice = session.get(Notice, notice_id, with_for_update=True)
            if notice is not None and notice.triaged_at is None:
                file_notice(runtime, session, notice, findings)
                done += 1
            session.commit()
    return done


def _claim(runtime: Runtime) -> int | None:
    with runtime.sessions() as session:
        session.info["actor"] = "system:triage"
        now = utc_now()
        notice = session.scalar(
            select(Notice)
            .where(
                Notice.status == NoticeStatus.RECEIVED,
                Notice.triaged_at.is_(None),
                or_(Notice.triage_lease_until.is_(None), Notice.triage_lease_until <= now),
            )
            .order_by(Notice.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        )
        if notice is None:
            return None
        notice.triage_lease_until = now + LEASE
        session.commit()
        return notice.id


def _examine(runtime: Runtime, notice_id: int) -> Findings:
    with runtime.sessions() as session:
        notice = session.get(Notice, notice_id)
        if notice is None or notice.media_sha256 is None:
            return Findings()
        path = runtime.blobs.path_for(notice.media_sha256)
        try:
            return _examine_file(runtime, session, path)
        except AccordError as error:
            return Findings(error=f"{error.title}: {error.detail}")
        except OSError as error:  # the blob store lost the file
            return Findings(error=f"the file could not be read: {error}")
        except Exception as error:  # a file that breaks a producer still goes to review
            logger.exception("assessing notice %d failed", notice_id)
            return Findings(error=f"the file could not be assessed: {type(error).__name__}")


def _examine_file(runtime: Runtime, session: Session, path: Path) -> Findings:
    kind = str(sniff_file(path).kind)
    assessment = assessment_of(runtime, session, path).to_json()
    signals = reliable_signals(hash_for_bank(runtime, path))
    return Findings(media_kind=kind, assessment=assessment, signals=signals)


def file_notice(runtime: Runtime, session: Session, notice: Notice, findings: Findings) -> Case:
    """Put a notice in its case (opening one if it is the first), then set its status."""
    lock_index_feeds(session)  # one triager at a time decides what is new content
    case = _case_by_content(runtime, session, notice, findings)
    opened = case is None
    if case is None:
        case = _open_case(runtime, session, notice, findings)
    item, new_item = _item_for(session, case, notice)
    notice.case_id, notice.item_id = case.id, item.id
    notice.triaged_at, notice.triage_error = utc_now(), findings.error
    _prioritise(runtime, session, case, new=opened)
    standing = current_decision(session, case) if case.status == CaseStatus.DECIDED else None
    if standing is not None:
        notice.status = NoticeStatus.DECIDED
        copy = apply_standing_decision(runtime, session, case, item) if new_item else None
        # The copy's own decision if it got one (automated), else the one already on it.
        applied = copy or decision_for_notice(session, notice) or standing
        tell_decision(session, runtime.settings, notice, applied)
    else:
        notice.status = NoticeStatus.IN_REVIEW
    session.flush()
    return case


def _case_by_content(
    runtime: Runtime, session: Session, notice: Notice, findings: Findings
) -> Case | None:
    if notice.media_sha256 is not None:
        same_file = session.scalar(
            select(Case).where(Case.media_sha256 == notice.media_sha256).order_by(Case.id)
        )
        if same_file is not None:
            return same_file
    if findings.signals:
        runtime.indexes.refresh(session)
        report = Matcher(runtime.indexes, session).match(
            findings.signals, MatchOptions(banks=[CASES_BANK], bypass_coinflip=True)
        )
        for match in sorted(report.matches, key=lambda found: found.distance):
            reference = match.entry.case_reference
            if reference:
                matched = session.scalar(select(Case).where(Case.reference == reference))
                if matched is not None:
                    return matched
    # Without a file, the place it was posted is all there is to go by.
    return _case_by_location(session, notice)


def _case_by_location(session: Session, notice: Notice) -> Case | None:
    conditions: list[ColumnElement[bool]] = []
    if notice.platform_content_id:
        conditions.append(
            (CaseItem.platform == platform_key(notice))
            & (CaseItem.platform_content_id == notice.platform_content_id)
        )
    if notice.url:
        conditions.append(CaseItem.url == notice.url)
    if not conditions:
        return None
    item = session.scalar(select(CaseItem).where(or_(*conditions)).order_by(CaseItem.id))
    return None if item is None else session.get(Case, item.case_id)


def _open_case(runtime: Runtime, session: Session, notice: Notice, findings: Findings) -> Case:
    people = findings.assessment.get("protected_people", [])
    case = Case(
        reference=new_reference("C-"),
        person_id=notice.person_id or (people[0]["person_id"] if people else None),
        media_sha256=notice.media_sha256,
        media_kind=findings.media_kind,
        assessment=findings.assessment,
        band=findings.assessment.get("band", ""),
        due_at=utc_now(),  # set by _prioritise
    )
    session.add(case)
    session.flush()
    if findings.signals:
        bank = ensure_bank(
            session,
            CASES_BANK,
            kind=BankKind.WATCH,
            description="Content reported in notices, one entry per case (internal)",
        )
        entry = add_entry(
            session,
            bank,
            findings.signals,
            EntryFields(
                source="notice",
                case_reference=case.reference,
                asset_sha256=notice.media_sha256,
                added_by="system:triage",
            ),
        )
        case.watch_entry_id = entry.id
        runtime.indexes.dirty = True
    return case


def _item_for(session: Session, case: Case, notice: Notice) -> tuple[CaseItem, bool]:
    """The copy the notice names, and whether it is new to the case."""
    items = session.scalars(select(CaseItem).where(CaseItem.case_id == case.id)).all()
    for item in items:
        same_id = bool(notice.platform_content_id) and (
            (item.platform, item.platform_content_id)
            == (platform_key(notice), notice.platform_content_id)
        )
        same_url = bool(notice.url) and item.url == notice.url
        nowhere = not (notice.url or notice.platform_content_id) and not (
            item.url or item.platform_content_id
        )
        if same_id or same_url or nowhere:
            item.reach = max(item.reach, notice.reach)
            item.uploader = item.uploader or notice.uploader
            item.url = item.url or notice.url
            return item, False
    item = CaseItem(
        case_id=case.id,
        url=notice.url,
        platform=platform_key(notice),
        platform_content_id=notice.platform_content_id,
        uploader=notice.uploader,
        reach=notice.reach,
    )
    session.add(item)
    session.flush()
    return item, True


def _prioritise(runtime: Runtime, session: Session, case: Case, *, new: bool) -> None:
    notices = session.scalars(select(Notice).where(Notice.case_id == case.id)).all()
    items = session.scalars(select(CaseItem).where(CaseItem.case_id == case.id)).all()
    person = session.get(ProtectedPersonRow, case.person_id) if case.person_id else None
    today = utc_now().date()
    election = next_election(session, today, person.election if person else None)
    points, reasons = priority(
        protected_person=person is not None,
        band=case.band,
        days_to_election=(election.polling_date - today).days if election else None,
        reach=max((item.reach for item in items), default=0),
        trusted_flagger=any(n.notifier_kind == NotifierKind.TRUSTED_FLAGGER for n in notices),
    )
    settings = runtime.settings
    hours = SlaHours(
        settings.sla_hours_urgent, settings.sla_hours_priority, settings.sla_hours_standard
    )
    due = case.created_at + hours.for_priority(points)
    if new:
        case.priority, case.priority_reasons, case.due_at = points, reasons, due
    elif points > case.priority:
        # A case only gets more urgent: a higher priority brings its deadline forward.
        case.priority, case.priority_reasons, case.due_at = points, reasons, min(due, case.due_at)
    session.flush()


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
        session.info["actor"] = "system:triage"
        cases = session.scalars(select(Case).where(Case.status == CaseStatus.OPEN)).all()
        for case in cases:
            _prioritise(runtime, session, case, new=False)
        session.commit()
        return len(cases)


def warn_breaches(runtime: Runtime) -> int:
    with runtime.sessions() as session:
        session.info["actor"] = "system:triage"
        late = breached_unwarned(session)
        for case in late:
            logger.warning(
                "case %s is past its review deadline (%s, priority %d)",
                case.reference, case.due_at.isoformat(), case.priority,
            )  # fmt: skip
            case.breach_warned_at = utc_now()
        session.commit()
        return len(late)
