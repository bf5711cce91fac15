"""What notifiers are told by email (when SMTP is configured): that their notice arrived,
the decision on it with its reasons, and the outcome of their appeal. Uploaders hear
through their platform (the action's webhook), which knows how to reach them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.appeals.models import Appeal, AppealStatus
from accord.server.decisions.models import Action, Decision
from accord.server.mail.outbox import queue_mail
from accord.server.notices.models import Notice
from accord.server.notices.service import acknowledgement
from accord.server.settings import Settings

OUTCOME = {
    Action.REMOVE: "the content is removed",
    Action.DISABLE: "access to the content is disabled",
    Action.LABEL_AI_GENERATED: "the content is labelled as AI-generated",
    Action.LABEL_ALTERED: "the content is labelled as altered",
    Action.DEMOTE: "the content is shown less",
    Action.NO_ACTION: "no action is taken",
}
_SIGNATURE = "\n\nThis message was sent by accord. Do not reply to it."


def tell_received(session: Session, settings: Settings, notice: Notice) -> None:
    queue_mail(
        session,
        settings,
        notice.notifier_email,
        f"We received your notice {notice.tracking_number}",
        acknowledgement(notice) + _SIGNATURE,
    )


def tell_decided(session: Session, settings: Settings, decision: Decision) -> None:
    """Every notifier of the case, once each, about the decision."""
    notices = session.scalars(
        select(Notice).where(Notice.case_id == decision.case_id).order_by(Notice.id)
    ).all()
    told: set[str] = set()
    for notice in notices:
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
        f"Decision on your notice {notice.tracking_number}", body + _SIGNATURE,
    )  # fmt: skip


def tell_appeal_outcome(session: Session, settings: Settings, appeal: Appeal) -> None:
    """The notifier who appealed, or the uploader if they left an address (their platform
    is told in any case)."""
    notice = session.get(Notice, appeal.notice_id) if appeal.notice_id else None
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
        body + _SIGNATURE,
    )  # fmt: skip
