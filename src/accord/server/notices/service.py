"""Take notices in (DSA Art. 16): check them, keep them and their file, acknowledge them.

A notice is acknowledged only once it and its file are stored: the file goes to the blob
store (flushed to disk) before the transaction that records the notice commits. Triage
(``notices.triage``) runs after, in the background, and picks up whatever a crash left.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import Text, cast, or_, select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Forbidden, InvalidFields, NotFound
from accord.media.sniff import sniff_file
from accord.server.accounts.models import Role, User
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from accord.server.decisions.models import AccountMeasure, MeasureKind, SubjectKind
from accord.server.notices.models import Notice, NoticeReason, NotifierKind
from accord.server.persons.models import ProtectedPersonRow
from accord.server.persons.service import may_report_for
from accord.server.storage.blobs import FolderBlobStore
from accord.server.tokens import new_reference, new_token, token_digest

MIN_EXPLANATION = 10
MAX_EXPLANATION = 5000
MAX_URL = 2000


@dataclass(frozen=True, slots=True)
class Notifier:
    """Who sends a notice: a signed-in user, a partner's API key, or anyone."""

    user: User | None = None
    key_name: str = ""
    trusted_flagger: bool = False
    name: str = ""
    email: str = ""

    @property
    def subject(self) -> str:
        """Whom strikes for manifestly unfounded notices count against."""
        if self.user is not None:
            return f"user:{self.user.id}"
        if self.key_name:
            return f"key:{self.key_name}"
        return f"email:{self.email.strip().lower()}"


@dataclass(frozen=True, slots=True)
class NoticeDraft:
    reason: str
    explanation: str
    good_faith: bool
    person_id: str | None = None
    url: str = ""
    platform: str = ""
    platform_content_id: str = ""
    uploader: str = ""
    reach: int = 0
    media_name: str = ""


def submit_notice(
    session: Session,
    blobs: FolderBlobStore,
    draft: NoticeDraft,
    notifier: Notifier,
    media: Path | None = None,
) -> tuple[Notice, str]:
    """The stored notice and its status token (shown once)."""
    problems = _notice_problems(draft, notifier, has_media=media is not None)
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


def acknowledgement(notice: Notice) -> str:
    return (
        f"We received your notice {notice.tracking_number} on {notice.received_at:%Y-%m-%d %H:%M} "
        "UTC. A reviewer will decide on it; you will see the decision and the reasons on its "
        "status page, and may appeal the decision there for six months."
    )


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
    people = session.scalars(
        select(ProtectedPersonRow).where(
            ProtectedPersonRow.id.in_(people_of_notice(session, notice))
        )
    )
    return any(may_report_for(session, user, person) for person in people)


def people_of_notice(session: Session, notice: Notice) -> set[str]:
    """The protected people a notice is about: the one it named, and those its case is
    about (named by another notice, or found by triage's likeness check)."""
    people = {notice.person_id} if notice.person_id else set()
    case = session.get(Case, notice.case_id) if notice.case_id is not None else None
    if case is not None:
        people |= people_of_case(case)
    return people


def people_of_case(case: Case) -> set[str]:
    found = case.assessment.get("protected_people", []) if case.assessment else []
    people = {str(person["person_id"]) for person in found if person.get("person_id")}
    return people | ({case.person_id} if case.person_id else set())


def notices_about(session: Session, people: Collection[str], limit: int) -> list[Notice]:
    """The notices about any of ``people``, newest first, whoever sent them."""
    if not people:
        return []
    # Cases name one person; triage's likeness findings may name more, kept in the
    # assessment's JSON: a text match finds the candidates, ``people_of_case`` checks.
    likeness = or_(*(cast(Case.assessment, Text).contains(person) for person in people))
    cases = session.scalars(select(Case).where(or_(Case.person_id.in_(people), likeness))).all()
    case_ids = [case.id for case in cases if people_of_case(case) & set(people)]
    return list(
        session.scalars(
            select(Notice)
            .where(or_(Notice.person_id.in_(people), Notice.case_id.in_(case_ids)))
            .order_by(Notice.id.desc())
            .limit(limit)
        )
    )


def _notice_problems(draft: NoticeDraft, notifier: Notifier, *, has_media: bool) -> list[str]:
    """Every way ``draft`` is incomplete or malformed, so a form can list them all at
    once; empty when it may be stored."""
    problems = []
    if draft.reason not in set(NoticeReason):
        problems.append(f"reason must be one of {', '.join(NoticeReason)}")
    problems += _content_problems(draft, has_media=has_media)
    if draft.reason == NoticeReason.DEEPFAKE_OF_ME and not draft.person_id:
        problems.append("person: say which protected person the deepfake shows")
    if notifier.user is None and not notifier.key_name:
        problems += _identity_problems(notifier.name.strip(), notifier.email.strip())
    return problems


def _content_problems(draft: NoticeDraft, *, has_media: bool) -> list[str]:
    problems = []
    explanation = draft.explanation.strip()
    if not MIN_EXPLANATION <= len(explanation) <= MAX_EXPLANATION:
        problems.append(
            f"explanation: say why this is deceptive, in {MIN_EXPLANATION} to "
            f"{MAX_EXPLANATION} characters"
        )
    if not draft.good_faith:
        problems.append("good_faith: confirm that the notice is accurate and made in good faith")
    url = draft.url.strip()
    if url and (not url.startswith(("https://", "http://")) or len(url) > MAX_URL):
        problems.append(f"url: an http(s) address of at most {MAX_URL} characters")
    if not has_media and not url and not draft.platform_content_id.strip():
        problems.append("give the file, its URL, or the platform and its content id")
    if draft.platform_content_id.strip() and not draft.platform.strip():
        problems.append("platform: say which platform the content id belongs to")
    if draft.reach < 0:
        problems.append("reach: a count of views or shares, not negative")
    return problems


def _person(session: Session, person_id: str | None) -> ProtectedPersonRow | None:
    if not person_id:
        return None
    person = session.get(ProtectedPersonRow, person_id)
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


def _identity_problems(name: str, email: str) -> list[str]:
    """DSA Art. 16(2)(c): a notice names who sends it, with an address for the answer."""
    problems = []
    if not name:
        problems.append("your name is required: DSA Art. 16 asks who sends a notice")
    if not email:
        problems.append(
            "your email address is required, for the receipt and the decision (DSA Art. 16)"
        )
        return problems
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email:
        problems.append(f"{email!r} is not an email address")
    return problems


def _check_not_suspended(session: Session, notifier: Notifier) -> None:
    """A notifier who kept sending manifestly unfounded notices is not heard for a while
    (DSA Art. 23(2)); they were warned first."""
    now = utc_now()
    measure = session.scalar(
        select(AccountMeasure)
        .where(
            AccountMeasure.subject_kind == SubjectKind.NOTIFIER,
            AccountMeasure.subject == notifier.subject,
            AccountMeasure.kind.in_([MeasureKind.SUSPENSION, MeasureKind.TERMINATION]),
            AccountMeasure.lifted_at.is_(None),
        )
        .order_by(AccountMeasure.id.desc())
    )
    if measure is None or (measure.until is not None and measure.until <= now):
        return
    until: datetime | None = measure.until
    when = f"until {until:%Y-%m-%d}" if until is not None else "for good"
    msg = (
        f"notices from you are not processed {when}: too many of your notices were "
        "manifestly unfounded (DSA Art. 23(2)); you may appeal that decision"
    )
    raise Forbidden(msg)
