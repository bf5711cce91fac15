"""Cases: one piece of content, however many notices name it and wherever it was posted.

Triage (``triage.service``) brings each notice's content and where it was seen; this module finds
the case it belongs to (by the file, by its signals in the internal cases bank, or by the
place it was posted), opens one when there is none, records the copy, and keeps the case's
place in the review queue: its priority and deadline (``queue`` holds that policy), who
works on it, and a warning once its deadline has passed.
"""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Select, Text, cast, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from accord.errors import Conflict, Forbidden, NotFound
from accord.server.auth.roles import Role
from accord.server.banks.schemas import BankKind
from accord.server.banks.service import EntryFields, add_entry, ensure_bank
from accord.server.cases.models import Case, CaseItem, CaseStatus
from accord.server.cases.queue import DUE_SOON, PRIORITY, URGENT, SlaHours, SlaState, priority
from accord.server.db.base import utc_now
from accord.server.elections.service import next_election
from accord.server.matching.service import Matcher, MatchOptions
from accord.server.persons.service import get_person
from accord.server.settings import Settings
from accord.server.tokens import new_reference

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.matching.indexes import IndexSet

# The deadline warnings have always been triage's log lines.
logger = logging.getLogger("accord.triage")

#: The internal bank whose entries are the contents of cases, one entry per case.
CASES_BANK = "ACCORD_CASES"


@dataclass(frozen=True, slots=True)
class Sighting:
    """Where a notice says the content was posted, and what it knows of the post."""

    url: str = ""
    #: The platform's key (``notices.service.platform_key``).
    platform: str = ""
    platform_content_id: str = ""
    uploader: str = ""
    reach: int = 0


@dataclass(frozen=True, slots=True)
class Content:
    """The reported file, and what triage learnt of it."""

    media_sha256: str | None = None
    media_kind: str = ""
    assessment: dict[str, Any] = field(default_factory=dict)
    signals: dict[str, str] = field(default_factory=dict)


def case_for(
    session: Session, indexes: IndexSet, content: Content, sighting: Sighting
) -> Case | None:
    """The case of this content: the same file, else a match of its signals in the cases
    bank, else (without a file) a case with a copy posted at the same place."""
    if content.media_sha256 is not None:
        same_file = session.scalar(
            select(Case).where(Case.media_sha256 == content.media_sha256).order_by(Case.id)
        )
        if same_file is not None:
            return same_file
    if content.signals:
        indexes.refresh(session)
        report = Matcher(indexes, session).match(
            content.signals, MatchOptions(banks=[CASES_BANK], bypass_coinflip=True)
        )
        for match in sorted(report.matches, key=lambda found: found.distance):
            reference = match.entry.case_reference
            if reference:
                matched = session.scalar(select(Case).where(Case.reference == reference))
                if matched is not None:
                    return matched
    # Without a file, the place it was posted is all there is to go by.
    return _case_by_location(session, sighting)


def _case_by_location(session: Session, sighting: Sighting) -> Case | None:
    conditions: list[ColumnElement[bool]] = []
    if sighting.platform_content_id:
        conditions.append(
            (CaseItem.platform == sighting.platform)
            & (CaseItem.platform_content_id == sighting.platform_content_id)
        )
    if sighting.url:
        conditions.append(CaseItem.url == sighting.url)
    if not conditions:
        return None
    item = session.scalar(select(CaseItem).where(or_(*conditions)).order_by(CaseItem.id))
    return None if item is None else session.get(Case, item.case_id)


def open_case(
    session: Session, indexes: IndexSet, content: Content, *, person_id: str | None
) -> Case:
    """A new case for ``content``, about ``person_id`` (else the first protected person
    found in it), its signals entered in the cases bank for later notices to match."""
    case = Case(
        reference=new_reference("C-"),
        person_id=person_id or _first_person(content.assessment),
        media_sha256=content.media_sha256,
        media_kind=content.media_kind,
        assessment=content.assessment,
        band=content.assessment.get("band", ""),
        due_at=utc_now(),  # set by ``prioritise``
    )
    session.add(case)
    session.flush()
    _watch(session, indexes, case, content)
    return case


def _first_person(assessment: Mapping[str, Any]) -> str | None:
    people = assessment.get("protected_people") or []
    return str(people[0]["person_id"]) if people else None


def _watch(session: Session, indexes: IndexSet, case: Case, content: Content) -> None:
    """Enter the content's signals in the cases bank, for later notices to match."""
    if not content.signals:
        return
    bank = ensure_bank(
        session,
        CASES_BANK,
        kind=BankKind.WATCH,
        description="Content reported in notices, one entry per case (internal)",
    )
    entry = add_entry(
        session,
        bank,
        content.signals,
        EntryFields(
            source="notice",
            case_reference=case.reference,
            asset_sha256=content.media_sha256,
            added_by="system:triage",
        ),
    )
    case.watch_entry_id = entry.id
    indexes.dirty = True


def add_claims(session: Session, indexes: IndexSet, case: Case, content: Content) -> None:
    """Bring what a later notice's triage found into ``case``.

    A case opened from notices without a file knows only the claims in their words (no
    band): the first notice that brings the file gives it the file's assessment (band,
    kind, transcript, its protected person when the case names none, its signals in the
    cases bank), the claims found before kept beside the file's. Otherwise only the claims
    the later notice's words make that the case's did not (the same video posted with
    another caption that lies) are added; the rest stays the first triage's."""
    kept = dict(case.assessment or {})
    found = content.assessment
    adopted = bool(found.get("band")) and not kept.get("band")
    if adopted:
        earlier = list(kept.get("claims") or [])
        kept = dict(found)
        case.band = str(found["band"])
        case.media_kind = content.media_kind or case.media_kind
        case.person_id = case.person_id or _first_person(found)
        if case.media_sha256 is None:
            case.media_sha256 = content.media_sha256
        if case.watch_entry_id is None:
            _watch(session, indexes, case, content)
        found = {"claims": earlier, "robocall": False}  # what the case knew, merged below
    claims = list(kept.get("claims") or [])
    known = {_claim_key(claim) for claim in claims}
    new = [claim for claim in found.get("claims") or [] if _claim_key(claim) not in known]
    robocall = bool(kept.get("robocall")) or bool(found.get("robocall"))
    if adopted or new or robocall != bool(kept.get("robocall")):
        kept["claims"], kept["robocall"] = claims + new, robocall
        case.assessment = kept  # a new dict: the JSON column sees the change


def _claim_key(claim: Mapping[str, Any]) -> tuple[str, ...]:
    return tuple(str(claim.get(key)) for key in ("category", "from", "words", "start"))


def item_for(session: Session, case: Case, sighting: Sighting) -> tuple[CaseItem, bool]:
    """The copy of ``case`` posted where ``sighting`` says (made if it is new), and whether
    it is new to the case."""
    items = session.scalars(select(CaseItem).where(CaseItem.case_id == case.id)).all()
    for item in items:
        same_id = bool(sighting.platform_content_id) and (
            (item.platform, item.platform_content_id)
            == (sighting.platform, sighting.platform_content_id)
        )
        same_url = bool(sighting.url) and item.url == sighting.url
        nowhere = not (sighting.url or sighting.platform_content_id) and not (
            item.url or item.platform_content_id
        )
        if same_id or same_url or nowhere:
            item.reach = max(item.reach, sighting.reach)
            item.uploader = item.uploader or sighting.uploader
            item.url = item.url or sighting.url
            return item, False
    item = CaseItem(
        case_id=case.id,
        url=sighting.url,
        platform=sighting.platform,
        platform_content_id=sighting.platform_content_id,
        uploader=sighting.uploader,
        reach=sighting.reach,
    )
    session.add(item)
    session.flush()
    return item, True


def prioritise(
    session: Session, settings: Settings, case: Case, *, new: bool, trusted_flagger: bool
) -> None:
    """Set a new case's priority and deadline, or raise an open one's: a case only ever
    gets more urgent, a higher priority bringing its deadline forward."""
    items = session.scalars(select(CaseItem).where(CaseItem.case_id == case.id)).all()
    person = get_person(session, case.person_id) if case.person_id else None
    today = utc_now().date()
    election = next_election(session, today, person.election if person else None)
    assessment = case.assessment or {}
    points, reasons = priority(
        protected_person=person is not None,
        band=case.band,
        days_to_election=(election.polling_date - today).days if election else None,
        reach=max((item.reach for item in items), default=0),
        trusted_flagger=trusted_flagger,
        claims=assessment.get("claims") or [],
        robocall=bool(assessment.get("robocall")),
    )
    due = case.created_at + SlaHours.of(settings).for_priority(points)
    if new:
        case.priority, case.priority_reasons, case.due_at = points, reasons, due
    elif points > case.priority:
        case.priority, case.priority_reasons, case.due_at = points, reasons, min(due, case.due_at)
    session.flush()


def reprioritise_open(session: Session, settings: Settings, trusted: Collection[int]) -> int:
    """Recompute every open case's priority (the days to its election shrink daily);
    ``trusted`` holds the ids of the cases a trusted flagger reported. How many there were."""
    cases = session.scalars(select(Case).where(Case.status == CaseStatus.OPEN)).all()
    for case in cases:
        prioritise(session, settings, case, new=False, trusted_flagger=case.id in trusted)
    return len(cases)


def warn_breaches(session: Session) -> int:
    """Log once about each open case past its deadline; how many were new."""
    late = session.scalars(
        select(Case)
        .where(
            Case.status == CaseStatus.OPEN,
            Case.due_at <= utc_now(),
            Case.breach_warned_at.is_(None),
        )
        # Several nodes look at once: each late case is one node's to warn about.
        .with_for_update(skip_locked=True)
    ).all()
    for case in late:
        logger.warning(
            "case %s is past its review deadline (%s, priority %d)",
            case.reference, case.due_at.isoformat(), case.priority,
        )  # fmt: skip
        case.breach_warned_at = utc_now()
    session.flush()
    return len(late)


def breached_cases(session: Session, now: datetime) -> list[Case]:
    """Open cases past their deadline at ``now``, longest overdue first (for alerts)."""
    query = select(Case).where(Case.status == CaseStatus.OPEN, Case.due_at <= now)
    return list(session.scalars(query.order_by(Case.due_at, Case.id)))


def open_case_counts(session: Session) -> dict[tuple[str, str], int]:
    """Open cases by priority band (urgent, priority, standard: ``queue``'s thresholds) and
    deadline state (``SlaState``'s values), for metrics."""
    now = utc_now()
    band = when(
        (Case.priority >= URGENT, "urgent"),
        (Case.priority >= PRIORITY, "priority"),
        else_="standard",
    )
    state = when(
        (Case.due_at <= now, SlaState.BREACHED.value),
        (Case.due_at <= now + DUE_SOON, SlaState.DUE_SOON.value),
        else_=SlaState.ON_TIME.value,
    )
    query = (
        select(band, state, func.count())
        .where(Case.status == CaseStatus.OPEN)
        .group_by(band, state)
    )
    return {(row_band, row_state): count for row_band, row_state, count in session.execute(query)}


def open_queue(session: Session, *, assignee_id: int | None = None, limit: int = 100) -> list[Case]:
    """Open cases, most urgent first: breached deadlines, then priority, then deadline."""
    query = select(Case).where(Case.status == CaseStatus.OPEN)
    if assignee_id is not None:
        query = query.where(Case.assignee_id == assignee_id)
    breached = when((Case.due_at <= utc_now(), 0), else_=1)
    return list(
        session.scalars(
            query.order_by(breached, Case.priority.desc(), Case.due_at, Case.id).limit(limit)
        )
    )


def find_case(session: Session, reference: str) -> Case:
    found = session.scalar(select(Case).where(Case.reference == reference.strip().upper()))
    if found is None:
        raise NotFound(f"no case has the reference {reference!r}")
    return found


def case_items(session: Session, case: Case) -> list[CaseItem]:
    return list(
        session.scalars(select(CaseItem).where(CaseItem.case_id == case.id).order_by(CaseItem.id))
    )


def claim(session: Session, case: Case, reviewer: User) -> None:
    """Take an open case; one reviewer at a time (a senior reviewer may reassign)."""
    _check_open(case)
    if case.assignee_id not in {None, reviewer.id}:
        raise Conflict(f"case {case.reference} is assigned to someone else already")
    case.assignee_id = reviewer.id
    session.flush()


def assign(session: Session, case: Case, assignee: User, by: User) -> None:
    if by.role not in {Role.SENIOR_REVIEWER, Role.ADMIN}:
        raise Forbidden("only a senior reviewer or an admin assigns cases to others")
    if assignee.role not in {Role.REVIEWER, Role.SENIOR_REVIEWER} or not assignee.active:
        raise Conflict(f"{assignee.email} is not an active reviewer")
    _check_open(case)
    case.assignee_id = assignee.id
    session.flush()


def release(session: Session, case: Case, reviewer: User) -> None:
    if case.assignee_id != reviewer.id:
        raise Conflict(f"case {case.reference} is not yours to release")
    case.assignee_id = None
    session.flush()


def _check_open(case: Case) -> None:
    if case.status != CaseStatus.OPEN:
        raise Conflict(f"case {case.reference} is {case.status}, not open")


def case_by_id(session: Session, case_id: int) -> Case | None:
    """The case a decision (or anything else holding its id) is on."""
    return session.get(Case, case_id)


def item_by_id(session: Session, item_id: int) -> CaseItem | None:
    """The copy a decision's action (or an appeal of it) is about."""
    return session.get(CaseItem, item_id)


def mark_case_decided(case: Case, reviewer_id: int) -> None:
    """The case is decided, by ``reviewer_id``: it leaves the queue."""
    case.status, case.decided_at, case.assignee_id = CaseStatus.DECIDED, utc_now(), reviewer_id


def reopen_case(case: Case, due_at: datetime) -> None:
    """Back in the queue, unassigned, for a new decision by ``due_at`` (its decision was
    reversed on a notifier's appeal)."""
    case.status, case.decided_at, case.assignee_id = CaseStatus.OPEN, None, None
    case.due_at = due_at


def people_of_case(case: Case) -> set[str]:
    """The protected people a case is about: the one named, and those triage's likeness
    check found in its content."""
    found = case.assessment.get("protected_people", []) if case.assessment else []
    people = {str(person["person_id"]) for person in found if person.get("person_id")}
    return people | ({case.person_id} if case.person_id else set())


def cases_about(session: Session, people: Collection[str]) -> list[int]:
    """The ids of the cases about any of ``people``."""
    if not people:
        return []
    # Cases name one person; triage's likeness findings may name more, kept in the
    # assessment's JSON: a text match finds the candidates, ``people_of_case`` checks.
    likeness = or_(*(cast(Case.assessment, Text).contains(person) for person in people))
    cases = session.scalars(select(Case).where(or_(Case.person_id.in_(people), likeness))).all()
    return [case.id for case in cases if people_of_case(case) & set(people)]


def copies_on_platform(platform: str, platform_content_id: str = "") -> Select[int]:
    """The ids of the copies posted on ``platform`` (of one content id, if given), as a
    query for another domain's query to filter by: a platform's copies stay in the
    database, however many there are."""
    query = select(CaseItem.id).where(CaseItem.platform == platform)
    if platform_content_id:
        query = query.where(CaseItem.platform_content_id == platform_content_id)
    return query


def copies_with_references(
    session: Session, item_ids: Iterable[int]
) -> dict[int, tuple[CaseItem, str]]:
    """The copies ``item_ids`` name, each with its case's reference, by id."""
    wanted = set(item_ids)
    if not wanted:
        return {}
    rows = session.execute(
        select(CaseItem, Case.reference)
        .join(Case, Case.id == CaseItem.case_id)
        .where(CaseItem.id.in_(wanted))
    )
    return {item.id: (item, reference) for item, reference in rows}


def erase_expired_uploaders(session: Session, cutoff: datetime) -> set[tuple[str, str]]:
    """Blank the uploader's account on the copies of cases decided before ``cutoff``;
    the (platform, account) pairs blanked."""
    items = session.scalars(
        select(CaseItem).where(
            CaseItem.uploader != "", CaseItem.case_id.in_(decided_before(cutoff))
        )
    ).all()
    blanked = {(item.platform, item.uploader) for item in items}
    for item in items:
        item.uploader = ""
    session.flush()
    return blanked


def names_uploader(session: Session, platform: str, account: str) -> bool:
    """Whether a copy still names this account."""
    query = select(CaseItem.id).where(CaseItem.platform == platform, CaseItem.uploader == account)
    return session.scalar(query.limit(1)) is not None


def forget_person_in_assessments(
    session: Session, person_id: str, names: Collection[str]
) -> list[int]:
    """Take an erased person out of the assessments of the cases about them: their
    findings go, and their names read "[erased]" wherever else they appear. The ids of
    those cases, whose assessments' keys in the audit log the caller destroys."""
    ids = cases_about(session, [person_id])
    names = sorted((name for name in names if name.strip()), key=len, reverse=True)
    for case in session.scalars(select(Case).where(Case.id.in_(ids))):
        case.assessment = _without_person(case.assessment or {}, person_id, names)
        if case.person_id == person_id:
            case.person_id = None
    session.flush()
    return ids


#: What ``_without_person`` leaves of a finding about the erased person: nothing.
_DROPPED = object()


def _without_person(value: Any, person_id: str, names: list[str]) -> Any:
    if isinstance(value, dict):
        if value.get("person_id") == person_id:
            return _DROPPED
        kept = {key: _without_person(item, person_id, names) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item is not _DROPPED}
    if isinstance(value, list):
        kept_items = (_without_person(item, person_id, names) for item in value)
        return [item for item in kept_items if item is not _DROPPED]
    if isinstance(value, str):
        for name in names:
            value = value.replace(name, "[erased]")
    return value


def decided_before(cutoff: datetime) -> Select[int]:
    """The ids of cases decided before ``cutoff`` and not reopened since."""
    return select(Case.id).where(Case.status == CaseStatus.DECIDED, Case.decided_at < cutoff)
