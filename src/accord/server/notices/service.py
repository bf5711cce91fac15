"""Take notices in (DSA Art. 16): check them, keep them and their file, acknowledge them,
and tell their notifiers what was decided.

A notice is acknowledged only once it and its file are stored: the file goes to the blob
store (flushed to disk) before the transaction that records the notice commits. Triage
(``triage.service``) runs after, in the background, and picks up whatever a crash left.
Notifiers hear by email (when SMTP is configured) that their notice arrived and the
decision on it; uploaders hear through their platform, which knows how to reach them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Select,
    SQLColumnExpression,
    and_,
    case,
    distinct,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Forbidden, InvalidFields, NotFound
from accord.media.sniff import sniff_file
from accord.server.auth.roles import Role
from accord.server.cases.service import case_by_id, cases_about, decided_before, people_of_case
from accord.server.db.base import utc_now
from accord.server.decisions.schemas import Action
from accord.server.mail.service import queue_mail
from accord.server.measures.schemas import SubjectKind
from accord.server.measures.service import standing_suspension
from accord.server.notices.models import Notice, NoticeReason, NoticeStatus, NotifierKind
from accord.server.notices.schemas import (
    REASON_CATEGORY,
    NoticeDraft,
    Notifier,
    acknowledgement,
    notice_problems,
)
from accord.server.outbox.lease import Lease
from accord.server.persons.service import get_person, may_report_for, may_report_for_any
from accord.server.settings import Settings
from accord.server.statements.schemas import Category
from accord.server.storage.store import BlobStore
from accord.server.tokens import new_reference, new_token, token_digest
from accord.server.uploads import spooled_to_disk

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.cases.models import Case
    from accord.server.decisions.models import Decision
    from accord.server.persons.models import ProtectedPersonRow

#: What each action did, as a notifier is told.
OUTCOME = {
    Action.REMOVE: "the content is removed",
    Action.DISABLE: "access to the content is disabled",
    Action.LABEL_AI_GENERATED: "the content is labelled as AI-generated",
    Action.LABEL_ALTERED: "the content is labelled as altered",
    Action.DEMOTE: "the content is shown less",
    Action.NO_ACTION: "no action is taken",
}
SIGNATURE = "\n\nThis message was sent by accord. Do not reply to it."


def receive(
    session: Session,
    settings: Settings,
    blobs: BlobStore,
    draft: NoticeDraft,
    notifier: Notifier,
    *,
    upload: BinaryIO | None = None,
) -> tuple[Notice, str]:
    """Store a notice and its file (``upload``, spooled to disk on the way), and queue
    its acknowledgement by email; the notice and its status token."""
    if upload is None:
        notice, token = submit_notice(session, blobs, draft, notifier)
    else:
        with spooled_to_disk(
            upload, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
        ) as path:
            notice, token = submit_notice(session, blobs, draft, notifier, path)
    tell_received(session, settings, notice)
    return notice, token


def submit_notice(
    session: Session,
    blobs: BlobStore,
    draft: NoticeDraft,
    notifier: Notifier,
    media: Path | None = None,
) -> tuple[Notice, str]:
    """The stored notice and its status token (shown once)."""
    problems = notice_problems(draft, notifier, has_media=media is not None)
    if problems:  # all of them at once: a sender should not fix one per try
        raise InvalidFields(problems)
    reason = NoticeReason(draft.reason)  # checked among the problems
    person = _person(session, draft.person_id)
    kind = _notifier_kind(session, reason, person, notifier)
    _check_not_suspended(session, notifier)
    media_sha256 = None
    if media is not None:
        sniff_file(media)  # an unreadable file is refused now, not at triage
        media_sha256 = blobs.put_file(media)
    token = new_token()
    user = notifier.user
    notice = Notice(
        tracking_number=new_reference(f"N-{utc_now():%Y}-"),
        status_token_sha256=token_digest(token),
        reason=reason,
        notifier_kind=kind,
        notifier_user_id=user.id if user is not None else None,
        notifier_key=notifier.key_name,
        notifier_name=(user.display_name if user is not None else notifier.name).strip(),
        notifier_email=(user.email if user is not None else notifier.email).strip().lower(),
        person_id=person.id if person is not None else None,
        explanation=draft.explanation.strip(),
        text=draft.text.strip(),
        good_faith=draft.good_faith,
        url=draft.url.strip(),
        platform=draft.platform.strip(),  # as typed, for people; ``platform_key`` matches
        platform_content_id=draft.platform_content_id.strip(),
        uploader=draft.uploader.strip(),
        reach=draft.reach,
        media_sha256=media_sha256,
        media_name=draft.media_name[:300],
    )
    session.add(notice)
    session.flush()
    return notice, token


def platform_key(notice: Notice) -> str:
    """The platform as copies, webhooks and keys name it: its name lower-cased (a notifier
    may type "X" or "x"; the page shows what they typed)."""
    return notice.platform.strip().lower()


def find_notice(session: Session, tracking_number: str) -> Notice:
    notice = session.scalar(
        select(Notice).where(Notice.tracking_number == tracking_number.strip().upper())
    )
    if notice is None:
        raise NotFound(f"no notice has the tracking number {tracking_number!r}")
    return notice


def notice_for_token(session: Session, tracking_number: str, token: str) -> Notice:
    """The notice, if ``token`` is its status token; the same error otherwise, so a wrong
    token does not tell whether the tracking number exists."""
    notice = session.scalar(
        select(Notice).where(
            Notice.tracking_number == tracking_number.strip().upper(),
            Notice.status_token_sha256 == token_digest(token),
        )
    )
    if notice is None:
        raise NotFound(f"no notice has the tracking number {tracking_number!r} and that token")
    return notice


def may_read_notice(session: Session, user: User, notice: Notice) -> bool:
    """Reviewers and auditors read every notice; a notifier their own; a protected person
    (or their representative) those whose case is about them."""
    if user.role in {Role.REVIEWER, Role.SENIOR_REVIEWER, Role.ADMIN, Role.AUDITOR}:
        return True
    if notice.notifier_user_id == user.id:
        return True
    return may_report_for_any(session, user, people_of_notice(session, notice))


def people_of_notice(session: Session, notice: Notice) -> set[str]:
    """The protected people a notice is about: the one it named, and those its case is
    about (named by another notice, or found by triage's likeness check)."""
    people = {notice.person_id} if notice.person_id else set()
    case = case_of(session, notice)
    if case is not None:
        people |= people_of_case(case)
    return people


def notices_about(session: Session, people: Collection[str], limit: int) -> list[Notice]:
    """The notices about any of ``people``, newest first, whoever sent them."""
    if not people:
        return []
    case_ids = cases_about(session, people)
    return list(
        session.scalars(
            select(Notice)
            .where(or_(Notice.person_id.in_(people), Notice.case_id.in_(case_ids)))
            .order_by(Notice.id.desc())
            .limit(limit)
        )
    )


def _person(session: Session, person_id: str | None) -> ProtectedPersonRow | None:
    if not person_id:
        return None
    person = get_person(session, person_id)
    if person is None:
        raise NotFound(f"no protected person has the id {person_id!r}")
    return person


def _notifier_kind(
    session: Session, reason: NoticeReason, person: ProtectedPersonRow | None, notifier: Notifier
) -> NotifierKind:
    if reason is NoticeReason.DEEPFAKE_OF_ME:
        if person is None:
            raise BadRequest("person: say which protected person the deepfake shows")
        if notifier.user is None or not may_report_for(session, notifier.user, person):
            msg = (
                f"only {person.name}, or someone they authorised, can report a deepfake of "
                "them as theirs; anyone can report it as deceptive_ai_content"
            )
            raise Forbidden(msg)
        return NotifierKind.PROTECTED_PERSON
    if notifier.key_name:
        return NotifierKind.TRUSTED_FLAGGER if notifier.trusted_flagger else NotifierKind.PARTNER
    return NotifierKind.PUBLIC


def _check_not_suspended(session: Session, notifier: Notifier) -> None:
    """A notifier who kept sending manifestly unfounded notices is not heard for a while
    (DSA Art. 23(2)); they were warned first."""
    now = utc_now()
    measure = standing_suspension(session, SubjectKind.NOTIFIER, notifier.subject)
    if measure is None or (measure.until is not None and measure.until <= now):
        return
    until: datetime | None = measure.until
    when = f"until {until:%Y-%m-%d}" if until is not None else "for good"
    msg = (
        f"notices from you are not processed {when}: too many of your notices were "
        "manifestly unfounded (DSA Art. 23(2)); you may appeal that decision"
    )
    raise Forbidden(msg)


def case_of(session: Session, notice: Notice) -> Case | None:
    """The case ``notice`` was filed in by triage, if it was."""
    return case_by_id(session, notice.case_id) if notice.case_id is not None else None


def get_notice(session: Session, notice_id: int) -> Notice | None:
    return session.get(Notice, notice_id)


def notices_of_case(session: Session, case_id: int) -> list[Notice]:
    """The notices filed in a case, oldest first."""
    return list(
        session.scalars(select(Notice).where(Notice.case_id == case_id).order_by(Notice.id))
    )


def mark_decided(session: Session, case_id: int) -> None:
    """The case's notices are decided."""
    for notice in notices_of_case(session, case_id):
        notice.status = NoticeStatus.DECIDED


def mark_in_review(session: Session, case_id: int) -> None:
    """The case's notices are reviewed again (its decision was reversed and it reopened)."""
    for notice in notices_of_case(session, case_id):
        notice.status = NoticeStatus.IN_REVIEW


class ReceivedTally(NamedTuple):
    """How many notices of one reason, DSA category and kind of notifier came in on one day."""

    reason: str
    category: str
    notifier_kind: str
    day: int
    notices: int


def received_tallies(
    session: Session,
    start: datetime,
    end: datetime,
    *,
    day: Callable[[SQLColumnExpression[datetime]], ColumnElement[int]],
) -> list[ReceivedTally]:
    """The notices received at ``start <= moment < end``, counted in the database; ``day``
    maps ``received_at`` to the index of its day."""
    received = (
        select(
            Notice.reason.label("reason"),
            _category_of_reason().label("category"),
            Notice.notifier_kind.label("notifier_kind"),
            day(Notice.received_at).label("day"),
        )
        .where(Notice.received_at >= start, Notice.received_at < end)
        .subquery()
    )
    # Grouped outside the subquery: PostgreSQL cannot tell that a GROUP BY expression with
    # bound parameters is the one selected.
    columns = list(received.c)
    query = select(*columns, func.count()).group_by(*columns)
    return [
        ReceivedTally(row[0], row[1], row[2], int(row[3]), int(row[4]))
        for row in session.connection().execute(query)
    ]


def triaged_query(start: datetime, end: datetime) -> Select[str, bool, datetime, int | None]:
    """The notices received at ``start <= moment < end`` that have a case, as rows to stream
    for a report: ``category`` (the DSA category the reason alleges), ``trusted`` (from a
    trusted flagger), ``received_at`` and ``case_id``."""
    return select(
        _category_of_reason().label("category"),
        (Notice.notifier_kind == NotifierKind.TRUSTED_FLAGGER).label("trusted"),
        Notice.received_at.label("received_at"),
        Notice.case_id.label("case_id"),
    ).where(Notice.received_at >= start, Notice.received_at < end, Notice.case_id.is_not(None))


@dataclass(frozen=True, slots=True)
class ItemsNamed:
    """Distinct copies of content the notices of a period named, by DSA category and in
    all; those of trusted flaggers' notices beside them."""

    by_category: dict[str, int]
    by_category_trusted_flaggers: dict[str, int]
    total: int
    total_trusted_flaggers: int


def items_named(session: Session, start: datetime, end: datetime) -> ItemsNamed:
    """A copy named by several notices counts once. A notice not yet triaged has no copy
    yet: it names one of its own (two such notices may turn out to name the same)."""
    trusted = Notice.notifier_kind == NotifierKind.TRUSTED_FLAGGER
    columns = (
        func.count(distinct(Notice.item_id)),
        func.count(distinct(case((trusted, Notice.item_id)))),
        func.count(case((Notice.item_id.is_(None), 1))),
        func.count(case((and_(trusted, Notice.item_id.is_(None)), 1))),
    )
    period = (Notice.received_at >= start, Notice.received_at < end)
    category = _category_of_reason()
    by_category: dict[str, int] = {}
    by_category_trusted: dict[str, int] = {}
    for key, items, items_trusted, unnamed, unnamed_trusted in session.execute(
        select(category, *columns).where(*period).group_by(category)
    ):
        by_category[key] = items + unnamed
        by_category_trusted[key] = items_trusted + unnamed_trusted
    total = session.execute(select(*columns).where(*period)).one()
    return ItemsNamed(
        by_category=by_category,
        by_category_trusted_flaggers=by_category_trusted,
        total=total[0] + total[2],
        total_trusted_flaggers=total[1] + total[3],
    )


def assessed_automatically(session: Session, start: datetime, end: datetime) -> int:
    """Notices received at ``start <= moment < end`` whose file triage assessed (provenance,
    watermark, forensic and likeness evidence, bank matching) without a person."""
    count = session.scalar(
        select(func.count(Notice.id)).where(
            Notice.received_at >= start,
            Notice.received_at < end,
            Notice.media_sha256.is_not(None),
            Notice.triaged_at.is_not(None),
            Notice.triage_error == "",
        )
    )
    return int(count or 0)


def _category_of_reason() -> ColumnElement[str]:
    """``REASON_CATEGORY`` in SQL, so reports count by category in the database."""
    return case(
        {reason: str(category) for reason, category in REASON_CATEGORY.items()},
        value=Notice.reason,
        else_=literal(str(Category.NOT_SPECIFIED_NOTICE)),
    )


def tell_received(session: Session, settings: Settings, notice: Notice) -> None:
    queue_mail(
        session,
        settings,
        notice.notifier_email,
        f"We received your notice {notice.tracking_number}",
        acknowledgement(notice) + SIGNATURE,
    )


def tell_decided(session: Session, settings: Settings, decision: Decision) -> None:
    """Every notifier of the case, once each, about the decision."""
    told: set[str] = set()
    for notice in notices_of_case(session, decision.case_id):
        if notice.notifier_email in told:
            continue
        told.add(notice.notifier_email)
        tell_decision(session, settings, notice, decision)


def tell_decision(session: Session, settings: Settings, notice: Notice, decision: Decision) -> None:
    how = (
        "by automated means, as a copy of content a reviewer had decided on"
        if decision.reviewer_id is None
        else "by a reviewer"
    )
    ground = f"\nGround: {decision.ground_text}" if decision.ground_text else ""
    body = (
        f"Decision on your notice {notice.tracking_number}: {OUTCOME[Action(decision.action)]}.\n"
        f"It was decided {how} on {decision.decided_at:%Y-%m-%d}.{ground}\n"
        f"Reasons: {decision.explanation}\n\n"
        "You may appeal this decision for six months from its status page."
    )
    queue_mail(
        session, settings, notice.notifier_email,
        f"Decision on your notice {notice.tracking_number}", body + SIGNATURE,
    )  # fmt: skip


def _waiting_for_triage() -> ColumnElement[bool]:
    return and_(Notice.status == NoticeStatus.RECEIVED, Notice.triaged_at.is_(None))


def claim_for_triage(session: Session, length: timedelta) -> int | None:
    """The next notice waiting for triage, held for ``length`` by the outbox engine's lease
    (so a triager that dies lets another take it over); the caller commits."""
    waiting = select(Notice).where(_waiting_for_triage()).order_by(Notice.id)
    claimed = Lease(Notice.triage_lease_until, length).claim(session, waiting, limit=1)
    return claimed[0].id if claimed else None


def triage_backlog(session: Session) -> tuple[int, datetime | None]:
    """How many notices wait for triage, and when the oldest of them came (for metrics)."""
    query = select(func.count(), func.min(Notice.received_at)).where(_waiting_for_triage())
    count, oldest = session.execute(query).one()
    return count, oldest


def notice_to_file(session: Session, notice_id: int) -> Notice | None:
    """The notice, locked, when it still waits to be filed: of two triagers that both ended
    up with it, one files it."""
    notice = session.get(Notice, notice_id, with_for_update=True)
    return notice if notice is not None and notice.triaged_at is None else None


def record_triage(notice: Notice, *, case_id: int, item_id: int, error: str, decided: bool) -> None:
    """Triage filed ``notice`` in a case (already decided or now in review)."""
    notice.case_id, notice.item_id = case_id, item_id
    notice.triaged_at, notice.triage_error = utc_now(), error
    notice.status = NoticeStatus.DECIDED if decided else NoticeStatus.IN_REVIEW


def cases_flagged_by_trusted_flaggers(session: Session, case_id: int | None = None) -> set[int]:
    """The cases (of all, or only ``case_id``) a trusted flagger sent a notice about."""
    query = select(Notice.case_id).where(
        Notice.notifier_kind == NotifierKind.TRUSTED_FLAGGER, Notice.case_id.is_not(None)
    )
    if case_id is not None:
        query = query.where(Notice.case_id == case_id)
    return {found for found in session.scalars(query.distinct()) if found is not None}


def erase_notifier(session: Session, address: str) -> int:
    """Blank the notifier's name, address and explanation on every notice sent from
    ``address``; the notices themselves (what was reported, where, and what became of it)
    stay for the cases and statements of reasons decided on them."""
    wanted = address.strip().lower()
    notices = session.scalars(select(Notice).where(func.lower(Notice.notifier_email) == wanted))
    return _blank_contacts(session, list(notices))


def erase_expired_contacts(session: Session, cutoff: datetime) -> tuple[int, set[str]]:
    """Blank the contact data of notices whose case was decided before ``cutoff`` (or that
    never led to a case and came before it); how many, and the addresses no notice holds
    any more."""
    expired = session.scalars(
        select(Notice).where(
            or_(Notice.notifier_email != "", Notice.notifier_name != ""),
            or_(
                Notice.case_id.in_(decided_before(cutoff)),
                and_(Notice.case_id.is_(None), Notice.received_at < cutoff),
            ),
        )
    ).all()
    addresses = {notice.notifier_email for notice in expired if notice.notifier_email}
    count = _blank_contacts(session, list(expired))
    still_held = set(
        session.scalars(select(Notice.notifier_email).where(Notice.notifier_email.in_(addresses)))
    )
    return count, addresses - still_held


def erase_expired_uploaders(session: Session, cutoff: datetime) -> set[tuple[str, str]]:
    """Blank the uploader's account on notices whose case was decided before ``cutoff``
    (or that never led to a case and came before it); the (platform, account) pairs."""
    notices = session.scalars(
        select(Notice).where(
            Notice.uploader != "",
            or_(
                Notice.case_id.in_(decided_before(cutoff)),
                and_(Notice.case_id.is_(None), Notice.received_at < cutoff),
            ),
        )
    ).all()
    blanked = {(notice.platform, notice.uploader) for notice in notices}
    for notice in notices:
        notice.uploader = ""
    session.flush()
    return blanked


def names_uploader(session: Session, platform: str, account: str) -> bool:
    """Whether a notice still names this account."""
    query = select(Notice.id).where(Notice.platform == platform, Notice.uploader == account)
    return session.scalar(query.limit(1)) is not None


def _blank_contacts(session: Session, notices: list[Notice]) -> int:
    for notice in notices:
        notice.notifier_name = notice.notifier_email = notice.explanation = ""
    session.flush()
    return len(notices)


def notice_count(session: Session) -> int:
    """Every notice this instance holds."""
    return session.scalar(select(func.count()).select_from(Notice)) or 0


def names_address(session: Session, address: str) -> bool:
    """Whether a notice still holds the notifier's address ``address``."""
    query = select(Notice.id).where(Notice.notifier_email == address.strip().lower())
    return session.scalar(query.limit(1)) is not None
