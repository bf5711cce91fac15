"""Appeals (DSA Art. 20): the uploader and the notifiers may contest a decision for six
months; a senior reviewer who did not take it decides, and a reversal undoes it."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import BadRequest, Conflict, Forbidden, NotFound
from accord.server.accounts.models import Role, User
from accord.server.appeals.models import Appeal, AppealStatus
from accord.server.cases.models import Case, CaseItem
from accord.server.db.base import utc_now
from accord.server.decisions.models import Decision, ItemAction
from accord.server.decisions.service import (
    appeal_deadline,
    latest_decision_for_notice,
    reverse,
)
from accord.server.notices.models import Notice
from accord.server.notices.notifications import tell_appeal_outcome
from accord.server.runtime import Runtime
from accord.server.tokens import new_reference, token_digest
from accord.server.webhooks.outbox import enqueue_for_platform

MIN_REASON = 10
MAX_REASON = 5000
#: What an appeal closed as moot tells its appellant.
MOOT_REASONS = (
    "Moot: the decision was already reversed on another appeal ({reference}), so its "
    "consequences are undone and there is nothing left to decide on this appeal."
)


def appeal_as_uploader(
    runtime: Runtime, session: Session, token: str, reason: str, *, contact_email: str = ""
) -> Appeal:
    """The uploader's appeal, with the token the platform passed on from the action;
    ``contact_email``, if given, hears the outcome."""
    item_action, decision = action_for_token(session, token)
    email = contact_email.strip().lower()
    if email and ("@" not in email or " " in email):
        raise BadRequest(f"contact_email: {contact_email!r} is not an email address")
    _check_open_to_appeal(runtime, session, decision, item_action=item_action)
    appeal = _file(runtime, session, decision, reason, item_action=item_action)
    appeal.contact_email = email
    return appeal


def action_for_token(session: Session, token: str) -> tuple[ItemAction, Decision]:
    """What was done to an uploader's content, found by the appeal token they were given."""
    item_action = session.scalar(
        select(ItemAction).where(ItemAction.appeal_token_sha256 == token_digest(token.strip()))
    )
    if item_action is None:
        raise NotFound("that appeal code is not valid")
    decision = session.get(Decision, item_action.decision_id)
    assert decision is not None  # noqa: S101 - item actions cascade with their decision
    return item_action, decision


def appeals_of(session: Session, item_action: ItemAction) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal).where(Appeal.item_action_id == item_action.id).order_by(Appeal.id)
        )
    )


def appeal_as_notifier(runtime: Runtime, session: Session, notice: Notice, reason: str) -> Appeal:
    """A notifier's appeal against the decision that applies to the copy they reported."""
    # The latest, reversed or not: a reversed one is refused with the reason, below.
    decision = latest_decision_for_notice(session, notice)
    if decision is None:
        raise Conflict(f"notice {notice.tracking_number} has no decision to appeal yet")
    _check_open_to_appeal(runtime, session, decision, notice=notice)
    return _file(runtime, session, decision, reason, notice=notice)


def open_appeals(session: Session, limit: int = 100) -> list[Appeal]:
    return list(
        session.scalars(
            select(Appeal)
            .where(Appeal.status == AppealStatus.OPEN)
            .order_by(Appeal.due_at, Appeal.id)
            .limit(limit)
        )
    )


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
    decision = session.get(
        Decision, appeal.decision_id, with_for_update=True, populate_existing=True
    )
    assert decision is not None  # noqa: S101 - appeals cascade with their decision
    session.refresh(appeal)
    if appeal.status == AppealStatus.MOOT:
        raise Conflict(
            f"appeal {appeal.reference} is closed: the decision it contests was reversed "
            "already, on another appeal"
        )
    if appeal.status != AppealStatus.OPEN:
        raise Conflict(f"appeal {appeal.reference} was decided already")
    if senior.id in _deciders(session, decision):
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
        _close_moot(runtime, session, appeal, decision)
    session.flush()
    return appeal


def _close_moot(runtime: Runtime, session: Session, reversing: Appeal, decision: Decision) -> None:
    """Close the other open appeals on what ``reversing`` undid (the decision and the
    automated copies that fell with it), telling each appellant why."""
    undone = select(Decision.id).where(
        Decision.case_id == decision.case_id, Decision.reversed_at.is_not(None)
    )
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
        appealed = session.get(Decision, other.decision_id)
        _tell_platform(session, other, appealed if appealed is not None else decision)
        tell_appeal_outcome(session, runtime.settings, other)


def _deciders(session: Session, decision: Decision) -> set[int]:
    """Who took ``decision``: its reviewer, or for a copy decided automatically, whoever
    took the decision it copied."""
    if decision.reviewer_id is not None:
        return {decision.reviewer_id}
    earlier = session.scalars(
        select(Decision.reviewer_id).where(
            Decision.case_id == decision.case_id,
            Decision.reviewer_id.is_not(None),
            Decision.id < decision.id,
        )
    )
    return {reviewer for reviewer in earlier if reviewer is not None}


def _check_open_to_appeal(
    runtime: Runtime,
    session: Session,
    decision: Decision,
    *,
    item_action: ItemAction | None = None,
    notice: Notice | None = None,
) -> None:
    if decision.reversed_at is not None:
        raise Conflict("that decision was reversed already")
    if utc_now() > appeal_deadline(runtime, decision):
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
    runtime: Runtime,
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
        due_at=now + timedelta(hours=runtime.settings.appeal_sla_hours),
    )
    session.add(appeal)
    session.flush()
    return appeal


def _tell_platform(session: Session, appeal: Appeal, decision: Decision) -> None:
    """The uploader's platform hears the outcome of its user's appeal."""
    if appeal.item_action_id is None:
        return
    item_action = session.get(ItemAction, appeal.item_action_id)
    item = session.get(CaseItem, item_action.item_id) if item_action is not None else None
    case = session.get(Case, decision.case_id)
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
