"""Appeals (DSA Art. 20): the uploader and the notifiers may contest a decision for six
months; a senior reviewer who did not take it decides, and a reversal undoes it."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, and_, func, or_, select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, Forbidden, NotFound
from accord.server.appeals.models import Appeal, AppealStatus
from accord.server.auth.roles import Role
from accord.server.cases.service import case_by_id, item_by_id
from accord.server.db.base import utc_now
from accord.server.decisions.schemas import appeal_deadline
from accord.server.decisions.service import (
    action_for_token,
    deciders,
    decision_by_id,
    item_action_by_id,
    latest_decision_for_notice,
    lock_decision,
    reverse,
    reversed_in_case,
    with_decision_facts,
)
from accord.server.mail.service import queue_mail
from accord.server.notices.service import SIGNATURE, get_notice
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from accord.server.tokens import new_reference
from accord.server.webhooks.service import enqueue_for_platform

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.decisions.models import Decision, ItemAction
    from accord.server.notices.models import Notice

MIN_REASON = 10
MAX_REASON = 5000
#: What an appeal closed as moot tells its appellant.
MOOT_REASONS = (
    "Moot: the decision was already reversed on another appeal ({reference}), so its "
    "consequences are undone and there is nothing left to decide on this appeal."
)


def appeal_as_uploader(
    settings: Settings, session: Session, token: str, reason: str, *, contact_email: str = ""
) -> Appeal:
    """The uploader's appeal, with the token the platform passed on from the action;
    ``contact_email``, if given, hears the outcome."""
    item_action, decision = action_for_token(session, token)
    email = contact_email.strip().lower()
    if email and ("@" not in email or " " in email):
        raise BadRequest(f"contact_email: {contact_email!r} is not an email address")
    _check_open_to_appeal(settings, session, decision, item_action=item_action)
    appeal = _file(settings, session, decision, reason, item_action=item_action)
    appeal.contact_email = email
    return appeal


def appeals_of(session: Session, item_action: ItemAction) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal).where(Appeal.item_action_id == item_action.id).order_by(Appeal.id)
        )
    )


def appeals_of_decision(session: Session, decision_id: int) -> list[Appeal]:
    """The appeals against ``decision_id``, oldest first."""
    return list(
        session.scalars(select(Appeal).where(Appeal.decision_id == decision_id).order_by(Appeal.id))
    )


def appeals_of_notice(session: Session, notice: Notice) -> list[Appeal]:
    """The appeals a notifier made from ``notice``, oldest first."""
    return list(
        session.scalars(select(Appeal).where(Appeal.notice_id == notice.id).order_by(Appeal.id))
    )


def appeal_as_notifier(settings: Settings, session: Session, notice: Notice, reason: str) -> Appeal:
    """A notifier's appeal against the decision that applies to the copy they reported."""
    # The latest, reversed or not: a reversed one is refused with the reason, below.
    decision = latest_decision_for_notice(session, notice)
    if decision is None:
        raise Conflict(f"notice {notice.tracking_number} has no decision to appeal yet")
    _check_open_to_appeal(settings, session, decision, notice=notice)
    return _file(settings, session, decision, reason, notice=notice)


def open_appeals(session: Session, limit: int = 100) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal)
            .where(Appeal.status == AppealStatus.OPEN)
            .order_by(Appeal.due_at, Appeal.id)
            .limit(limit)
        )
    )


def appeals_received(
    session: Session, start: datetime, end: datetime
) -> Iterator[Row[*tuple[Any, ...]]]:
    """The appeals received at ``start <= moment < end``, streamed for a report: their
    ``appellant_kind``, ``status``, ``received_at``, ``due_at`` and ``decided_at``, with the
    appealed decision's ``action`` and whether it was ``automated``."""
    rows = select(
        Appeal.decision_id,
        Appeal.appellant_kind,
        Appeal.status,
        Appeal.received_at,
        Appeal.due_at,
        Appeal.decided_at,
    ).where(Appeal.received_at >= start, Appeal.received_at < end)
    return with_decision_facts(session, rows)


def appeals_decided(
    session: Session, start: datetime, end: datetime
) -> Iterator[Row[*tuple[Any, ...]]]:
    """The appeals upheld or reversed at ``start <= moment < end`` (not those closed as
    moot), streamed: their ``status``, with the appealed decision's ``action`` and whether it
    was ``automated``. Each counts once, against the decision it contested, even where a
    reversal undid that decision's automated copies with it."""
    rows = select(Appeal.decision_id, Appeal.status).where(
        Appeal.decided_at >= start,
        Appeal.decided_at < end,
        Appeal.status.in_([AppealStatus.UPHELD, AppealStatus.REVERSED]),
    )
    return with_decision_facts(session, rows)


def find_appeal(session: Session, reference: str) -> Appeal:
    found = session.scalar(select(Appeal).where(Appeal.reference == reference.strip().upper()))
    if found is None:
        raise NotFound(f"no appeal has the reference {reference!r}")
    return found


def decide_appeal(
    runtime: Runtime,
    session: Session,
    appeal: Appeal,
    senior: User,
    *,
    reverse_decision: bool,
    reasons: str,
) -> Appeal:
    if senior.role != Role.SENIOR_REVIEWER:
        raise Forbidden("only a senior reviewer decides appeals")
    # Two seniors deciding appeals on one decision at once: the second waits here, then
    # sees what the first did (a reversal, or this appeal decided or made moot).
    decision = lock_decision(session, appeal.decision_id)
    session.refresh(appeal)
    if appeal.status == AppealStatus.MOOT:
        raise Conflict(
            f"appeal {appeal.reference} is closed: the decision it contests was reversed "
            "already, on another appeal"
        )
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(f"appeal {appeal.reference} was decided already")
    if senior.id in deciders(session, decision):
        raise Forbidden("a decision's appeal is heard by someone other than who took it")
    if decision.reversed_at is not None:
        # Upholding it would tell the appellant something false: it no longer stands.
        raise Conflict(
            f"the decision appealed in {appeal.reference} was reversed already, on another "
            "appeal: there is nothing left to uphold or reverse"
        )
    if len(reasons.strip()) < MIN_REASON:
        raise BadRequest("reasons: say why the decision stands or falls")
    appeal.status = AppealStatus.REVERSED if reverse_decision else AppealStatus.UPHELD
    appeal.decided_by, appeal.decided_at, appeal.reasons = senior.id, utc_now(), reasons.strip()
    if reverse_decision:
        reverse(runtime, session, decision, reopen=appeal.appellant_kind == "notifier")
    _tell_platform(session, appeal, decision)
    tell_appeal_outcome(session, runtime.settings, appeal)
    if reverse_decision:
        _close_moot(runtime.settings, session, appeal, decision)
    session.flush()
    return appeal


def _close_moot(
    settings: Settings, session: Session, reversing: Appeal, decision: Decision
) -> None:
    """Close the other open appeals on what ``reversing`` undid (the decision and the
    automated copies that fell with it), telling each appellant why."""
    undone = reversed_in_case(session, decision.case_id)
    others = session.scalars(
        select(Appeal).where(
            Appeal.decision_id.in_(undone),
            Appeal.status == AppealStatus.OPEN,
            Appeal.id != reversing.id,
        )
    ).all()
    for other in others:
        other.status, other.decided_at = AppealStatus.MOOT, utc_now()
        other.decided_by = reversing.decided_by
        other.reasons = MOOT_REASONS.format(reference=reversing.reference)
        appealed = decision_by_id(session, other.decision_id)
        _tell_platform(session, other, appealed if appealed is not None else decision)
        tell_appeal_outcome(session, settings, other)


def _check_open_to_appeal(
    settings: Settings,
    session: Session,
    decision: Decision,
    *,
    item_action: ItemAction | None = None,
    notice: Notice | None = None,
) -> None:
    if decision.reversed_at is not None:
        raise Conflict("that decision was reversed already")
    if utc_now() > appeal_deadline(settings, decision):
        raise Conflict("the time to appeal that decision has passed")
    pending = select(Appeal.id).where(
        Appeal.decision_id == decision.id, Appeal.status == AppealStatus.OPEN
    )
    if item_action is not None:
        pending = pending.where(Appeal.item_action_id == item_action.id)
    if notice is not None:
        pending = pending.where(Appeal.notice_id == notice.id)
    if session.scalar(pending) is not None:
        raise Conflict("an appeal against that decision is waiting already")


def _file(
    settings: Settings,
    session: Session,
    decision: Decision,
    reason: str,
    *,
    item_action: ItemAction | None = None,
    notice: Notice | None = None,
) -> Appeal:
    if not MIN_REASON <= len(reason.strip()) <= MAX_REASON:
        raise BadRequest(
            f"reason: say why the decision is wrong, in {MIN_REASON} to {MAX_REASON} characters"
        )
    now = utc_now()
    appeal = Appeal(
        reference=new_reference("A-"),
        decision_id=decision.id,
        appellant_kind="uploader" if item_action is not None else "notifier",
        item_action_id=item_action.id if item_action is not None else None,
        notice_id=notice.id if notice is not None else None,
        reason=reason.strip(),
        received_at=now,
        due_at=now + timedelta(hours=settings.appeal_sla_hours),
    )
    session.add(appeal)
    session.flush()
    return appeal


def _tell_platform(session: Session, appeal: Appeal, decision: Decision) -> None:
    """The uploader's platform hears the outcome of its user's appeal."""
    if appeal.item_action_id is None:
        return
    item_action = item_action_by_id(session, appeal.item_action_id)
    item = item_by_id(session, item_action.item_id) if item_action is not None else None
    case = case_by_id(session, decision.case_id)
    if item is None or case is None:
        return
    enqueue_for_platform(
        session,
        item.platform,
        "appeal.decided",
        {
            "appeal": appeal.reference,
            "case": case.reference,
            "outcome": appeal.status,
            "reasons": appeal.reasons,
            "puid": item_action.puid if item_action is not None else None,
        },
    )


def tell_appeal_outcome(session: Session, settings: Settings, appeal: Appeal) -> None:
    """The notifier who appealed, or the uploader if they left an address (their platform
    is told in any case)."""
    notice = get_notice(session, appeal.notice_id) if appeal.notice_id else None
    recipient = notice.notifier_email if notice is not None else appeal.contact_email
    about = f" on notice {notice.tracking_number}" if notice is not None else ""
    verdict = {
        AppealStatus.REVERSED: "the decision is reversed",
        AppealStatus.MOOT: "it is closed, as the decision was already reversed on another appeal",
    }.get(AppealStatus(appeal.status), "the decision is upheld")
    body = (
        f"Your appeal {appeal.reference}{about} is decided: {verdict}.\nReasons: {appeal.reasons}"
    )
    queue_mail(
        session, settings, recipient, f"Your appeal {appeal.reference} is decided",
        body + SIGNATURE,
    )  # fmt: skip


def erase_contact(session: Session, address: str) -> int:
    """Blank the contact address ``address`` on every appeal that gave it: an erasure."""
    wanted = address.strip().lower()
    appeals = session.scalars(
        select(Appeal).where(func.lower(Appeal.contact_email) == wanted)
    ).all()
    for appeal in appeals:
        appeal.contact_email = ""
    session.flush()
    return len(appeals)


def erase_expired_contacts(session: Session, cutoff: datetime) -> set[str]:
    """Blank the contact address of appeals closed before ``cutoff``; the addresses."""
    # A moot appeal closed undecided: its receipt is the latest date it has.
    closed_before = or_(
        Appeal.decided_at < cutoff, and_(Appeal.decided_at.is_(None), Appeal.received_at < cutoff)
    )
    appeals = session.scalars(
        select(Appeal).where(
            Appeal.contact_email != "", Appeal.status != AppealStatus.OPEN, closed_before
        )
    ).all()
    addresses = {appeal.contact_email.strip().lower() for appeal in appeals}
    for appeal in appeals:
        appeal.contact_email = ""
    session.flush()
    return addresses


def names_address(session: Session, address: str) -> bool:
    """Whether an appeal still gives ``address`` to be told at."""
    query = select(Appeal.id).where(func.lower(Appeal.contact_email) == address.strip().lower())
    return session.scalar(query.limit(1)) is not None
