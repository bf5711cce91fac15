"""What a decision does to each copy it covers, and how a reversal undoes it.

For every restricted copy: a statement of reasons (checked as the Transparency Database
would, and queued for it), an appeal code, a strike for its uploader and a message to its
platform; for the content, an entry in the deceptive bank so that later copies match. A
reversal restores or unlabels each copy, tells its platform, removes the strikes and lifts
the measures they caused, and disables the bank entry. ``decisions.service`` decides
when; this module knows what each effect is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.banks.schemas import BankKind, EntryFields
from accord.server.banks.service import (
    add_entry,
    ensure_bank,
    entry_signals,
    find_bank,
    get_entry,
    update_entry,
)
from accord.server.cases.service import item_by_id
from accord.server.db.base import utc_now
from accord.server.decisions.appeal_codes import issue_code
from accord.server.decisions.models import Action, Decision, ItemAction
from accord.server.decisions.schemas import appeal_deadline
from accord.server.decisions.statements import statement_for
from accord.server.measures.schemas import SubjectKind
from accord.server.measures.service import add_strike, strike_policy, undo_strikes
from accord.server.notices.service import notices_of_case
from accord.server.statements.schemas import StatementOfReasons
from accord.server.tdb.service import queue_statement
from accord.server.webhooks.service import enqueue_for_platform

if TYPE_CHECKING:
    from accord.server.cases.models import Case, CaseItem
    from accord.server.measures.models import AccountMeasure
    from accord.server.notices.models import Notice
    from accord.server.settings import Settings

#: Where confirmed deceptive content goes, so every later copy matches.
DECEPTIVE_BANK = "ACCORD_DECEPTIVE"
#: What undoing each action tells the platform.
_UNDO_EVENT = {
    Action.REMOVE: "content.restore",
    Action.DISABLE: "content.restore",
    Action.LABEL_AI_GENERATED: "content.unlabel",
    Action.LABEL_ALTERED: "content.unlabel",
    Action.DEMOTE: "content.undemote",
}


@dataclass(slots=True)
class Outcome:
    decision: Decision
    actions: list[ItemAction] = field(default_factory=list)
    measures: list[AccountMeasure] = field(default_factory=list)


def apply_to_copy(
    settings: Settings, session: Session, outcome: Outcome, case: Case, item: CaseItem
) -> None:
    """The decision for one copy: its record, statement, strike and message to the platform."""
    decision = outcome.decision
    action = Action(decision.action)
    item_action = ItemAction(decision_id=decision.id, item_id=item.id)
    session.add(item_action)
    session.flush()
    if not action.restrictive:
        outcome.actions.append(item_action)
        return
    measure = None
    if item.uploader:
        measure = add_strike(
            session,
            strike_policy(settings),
            subject_kind=SubjectKind.UPLOADER,
            subject=f"{item.platform}:{item.uploader}",
            decision=decision,
            weight=settings.strike_weights.get(action.value, 0),
        )
    item_action.puid = f"accord-{case.reference}-{item.id}-{decision.id}"
    statement = statement_for(
        puid=item_action.puid,
        decision=decision,
        case=case,
        item=item,
        # A copy decided automatically was caught by accord's own matching against content
        # already decided: an own-initiative measure (DSA Art. 15(1)(c)), not a notice's.
        notices=notices_of_case(session, case.id) if decision.reviewer_id is not None else (),
        measure=measure,
    )
    # Checked as the Transparency Database would: a bad statement fails the decision.
    item_action.statement = StatementOfReasons.from_json(statement).to_json()
    queue_statement(session, settings, item_action)
    token = issue_code(settings, item_action)
    payload = _content_payload(case, item, decision, item_action) | {
        "appeal": {"token": token, "until": _iso(appeal_deadline(settings, decision))},
        "statement_of_reasons": item_action.statement,
    }
    enqueue_for_platform(session, item.platform, f"content.{action.value}", payload)
    if measure is not None:
        outcome.measures.append(measure)
        enqueue_for_platform(
            session,
            item.platform,
            f"account.{measure.kind}",
            {
                "account": item.uploader,
                "measure": measure.kind,
                "until": _iso(measure.until) if measure.until else None,
                "points": measure.points,
                "case": case.reference,
            },
        )
    outcome.actions.append(item_action)
    session.flush()


def undo(session: Session, case: Case, decision: Decision) -> None:
    """Restore or unlabel every copy ``decision`` restricted, telling each platform, and
    remove its strikes, lifting the measures they caused."""
    action = Action(decision.action)
    done = session.scalars(
        select(ItemAction).where(
            ItemAction.decision_id == decision.id, ItemAction.undone_at.is_(None)
        )
    ).all()
    for item_action in done:
        item_action.undone_at = utc_now()
        item = item_by_id(session, item_action.item_id)
        if item is not None and action.restrictive:
            enqueue_for_platform(
                session,
                item.platform,
                _UNDO_EVENT[action],
                _content_payload(case, item, decision, item_action) | {"reversed": True},
            )
    for measure in undo_strikes(session, decision):
        if measure.subject_kind == SubjectKind.UPLOADER:
            platform, _, account = measure.subject.partition(":")
            enqueue_for_platform(
                session,
                platform,
                "account.measure_lifted",
                {"account": account, "measure": measure.kind, "case": case.reference},
            )


def bank_content(session: Session, case: Case, decision: Decision) -> int | None:
    """Put the case's content in the deceptive bank, so that every copy matches."""
    if case.watch_entry_id is None:
        return None  # no file, so no signals to bank
    signals = entry_signals(session, [case.watch_entry_id])[case.watch_entry_id]
    if not signals:
        return None
    bank = ensure_bank(
        session,
        DECEPTIVE_BANK,
        kind=BankKind.DECEPTIVE,
        description="Content reviewers found deceptive, one entry per decision",
    )
    entry = add_entry(
        session,
        bank,
        signals,
        EntryFields(
            source="decision",
            case_reference=case.reference,
            labels=[decision.action],
            note=decision.explanation[:500],
            asset_sha256=case.media_sha256,
            added_by=f"decision:{decision.id}",
        ),
    )
    return entry.id


def unbank_content(session: Session, decision: Decision) -> bool:
    """Disable the deceptive bank entry ``decision`` made; whether there was one."""
    if decision.bank_entry_id is None or decision.reviewer_id is None:
        return False
    bank = find_bank(session, DECEPTIVE_BANK)
    if bank is None:
        return False
    update_entry(session, get_entry(session, bank, decision.bank_entry_id), {"enabled": False})
    return True


def strike_notifiers(
    settings: Settings, session: Session, case: Case, decision: Decision
) -> list[AccountMeasure]:
    """A strike for each notifier of the case, whose notices ``decision`` found manifestly
    unfounded; the measures they led to."""
    measures = []
    subjects = {_notifier_subject(notice) for notice in notices_of_case(session, case.id)}
    for subject in sorted(subjects):
        measure = add_strike(
            session,
            strike_policy(settings),
            subject_kind=SubjectKind.NOTIFIER,
            subject=subject,
            decision=decision,
            weight=settings.strike_unfounded_notice_weight,
        )
        if measure is not None:
            measures.append(measure)
    return measures


def _notifier_subject(notice: Notice) -> str:
    if notice.notifier_user_id is not None:
        return f"user:{notice.notifier_user_id}"
    if notice.notifier_key:
        return f"key:{notice.notifier_key}"
    return f"email:{notice.notifier_email}"


def _content_payload(
    case: Case, item: CaseItem, decision: Decision, item_action: ItemAction
) -> dict[str, Any]:
    return {
        "case": case.reference,
        "decision": decision.id,
        "action": decision.action,
        "item": {
            "url": item.url,
            "platform": item.platform,
            "platform_content_id": item.platform_content_id,
            "uploader": item.uploader,
        },
        "media_sha256": case.media_sha256,
        "puid": item_action.puid,
        "automated": decision.reviewer_id is None,
    }


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
