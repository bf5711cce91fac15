"""Decide a case, and carry the decision out without losing any of it.

Everything a decision causes is written in the decision's own transaction: a statement of
reasons and an action message (outbox) for every copy, the deceptive bank entry that
catches later copies, strikes and the measures they lead to. Nothing is done if any of it
fails, and a crash after the commit loses nothing: the outbox delivers what is pending.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.errors import Conflict, Forbidden, InvalidFields
from accord.server.accounts.models import Role, User
from accord.server.banks.models import BankKind
from accord.server.banks.service import (
    EntryFields,
    add_entry,
    ensure_bank,
    entry_signals,
    find_bank,
    get_entry,
    update_entry,
)
from accord.server.cases.models import Case, CaseItem, CaseStatus
from accord.server.db.base import utc_now
from accord.server.decisions.appeal_codes import issue_code
from accord.server.decisions.models import (
    AccountMeasure,
    Action,
    Decision,
    Ground,
    ItemAction,
    SubjectKind,
)
from accord.server.decisions.statements import (
    CONTENT_TYPE_OF_KIND,
    DEFAULT_CATEGORY,
    DEFAULT_KEYWORDS,
    SYNTHETIC,
    statement_for,
)
from accord.server.decisions.strikes import StrikePolicy, add_strike, undo_strikes
from accord.server.elections.service import next_election
from accord.server.notices.models import Notice, NoticeStatus
from accord.server.notices.notifications import tell_decided
from accord.server.persons.models import ProtectedPersonRow
from accord.server.runtime import Runtime
from accord.server.settings import Settings
from accord.server.statements.schema import StatementOfReasons
from accord.server.tdb.submitter import queue_statement
from accord.server.webhooks.outbox import enqueue_for_platform

#: Where confirmed deceptive content goes, so every later copy matches.
DECEPTIVE_BANK = "ACCORD_DECEPTIVE"
MIN_EXPLANATION = 10
MAX_GROUND = 500
_NOT_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED"
_PARTIALLY_AUTOMATED = "AUTOMATED_DECISION_PARTIALLY"
#: What undoing each action tells the platform.
_UNDO_EVENT = {
    Action.REMOVE: "content.restore",
    Action.DISABLE: "content.restore",
    Action.LABEL_AI_GENERATED: "content.unlabel",
    Action.LABEL_ALTERED: "content.unlabel",
    Action.DEMOTE: "content.undemote",
}


@dataclass(frozen=True, slots=True)
class DecisionDraft:
    action: str
    explanation: str
    ground: str = Ground.INCOMPATIBLE
    #: The terms clause or the law relied on; required for a restriction.
    ground_text: str = ""
    ground_url: str = ""
    category: str = DEFAULT_CATEGORY
    keywords: Sequence[str] = DEFAULT_KEYWORDS
    #: Empty: the file's kind, and synthetic media for a deepfake.
    content_types: Sequence[str] = ()
    #: Empty: the case's election's, else the instance's ``statement_territories``.
    territories: Sequence[str] = ()
    notices_unfounded: bool = False
    synthetic: bool = True


@dataclass(slots=True)
class Outcome:
    decision: Decision
    actions: list[ItemAction] = field(default_factory=list)
    measures: list[AccountMeasure] = field(default_factory=list)


def strike_policy(settings: Settings) -> StrikePolicy:
    return StrikePolicy(
        weights=dict(settings.strike_weights),
        unfounded_notice_weight=settings.strike_unfounded_notice_weight,
        expiry=timedelta(days=settings.strike_expiry_days),
        warning_at=settings.strike_warning_at,
        suspension_at=settings.strike_suspension_at,
        termination_at=settings.strike_termination_at,
        suspension=timedelta(days=settings.suspension_days),
    )


def decide(
    runtime: Runtime, session: Session, case: Case, reviewer: User, draft: DecisionDraft
) -> Outcome:
    if reviewer.role not in {Role.REVIEWER, Role.SENIOR_REVIEWER}:
        raise Forbidden("only reviewers decide cases")
    if case.status != CaseStatus.OPEN:
        raise Conflict(f"case {case.reference} is {case.status}: it was decided already")
    if case.assignee_id not in {None, reviewer.id}:
        raise Conflict(f"case {case.reference} is assigned to someone else")
    action = _check(draft)
    decision = Decision(
        case_id=case.id,
        reviewer_id=reviewer.id,
        action=action,
        ground=draft.ground,
        ground_text=draft.ground_text.strip(),
        ground_url=draft.ground_url.strip(),
        explanation=draft.explanation.strip(),
        category=draft.category,
        keywords=list(draft.keywords),
        content_types=list(draft.content_types) or _content_types(case, draft.synthetic),
        territories=list(draft.territories) or _territories(runtime, session, case),
        automated_detection=False,
        automated_decision=_NOT_AUTOMATED,
        notices_unfounded=draft.notices_unfounded,
    )
    session.add(decision)
    session.flush()
    outcome = Outcome(decision)
    if action.restrictive:
        decision.bank_entry_id = _bank_content(session, case, decision)
        runtime.indexes.dirty = True
    for item in _items(session, case):
        _apply(runtime, session, outcome, case, item)
    if draft.notices_unfounded:
        outcome.measures += _strike_notifiers(runtime, session, case, decision)
    case.status, case.decided_at, case.assignee_id = CaseStatus.DECIDED, utc_now(), reviewer.id
    for notice in _notices(session, case):
        notice.status = NoticeStatus.DECIDED
    session.flush()
    tell_decided(session, runtime.settings, decision)
    return outcome


def apply_standing_decision(
    runtime: Runtime, session: Session, case: Case, item: CaseItem
) -> Decision | None:
    """A new copy of already decided content gets the same decision, by automated means;
    the decision made for it, if the standing one restricts anything."""
    standing = current_decision(session, case)
    if standing is None or not Action(standing.action).restrictive:
        return None
    copy = Decision(
        case_id=case.id,
        reviewer_id=None,
        action=standing.action,
        ground=standing.ground,
        ground_text=standing.ground_text,
        ground_url=standing.ground_url,
        explanation=(
            f"A copy of content decided in case {case.reference} (decision {standing.id}): "
            f"{standing.explanation}"
        ),
        category=standing.category,
        keywords=list(standing.keywords),
        content_types=list(standing.content_types),
        territories=list(standing.territories),
        automated_detection=True,
        automated_decision=_PARTIALLY_AUTOMATED,
        bank_entry_id=standing.bank_entry_id,
    )
    session.add(copy)
    session.flush()
    _apply(runtime, session, Outcome(copy), case, item)
    return copy


def current_decision(session: Session, case: Case) -> Decision | None:
    """The case's latest decision by a reviewer that no appeal reversed."""
    return session.scalar(
        select(Decision)
        .where(
            Decision.case_id == case.id,
            Decision.reviewer_id.is_not(None),
            Decision.reversed_at.is_(None),
        )
        .order_by(Decision.id.desc())
        .limit(1)
    )


def decision_for_notice(session: Session, notice: Notice) -> Decision | None:
    """The decision that applies to what ``notice`` reported: the latest unreversed one
    taken on its copy (by a reviewer, or automatically for a copy found later), else the
    case's standing decision."""
    applied = _latest_on_copy(session, notice, standing_only=True)
    if applied is not None:
        return applied
    case = session.get(Case, notice.case_id) if notice.case_id is not None else None
    return current_decision(session, case) if case is not None else None


def latest_decision_for_notice(session: Session, notice: Notice) -> Decision | None:
    """What the notifier is shown: the latest decision on their copy (else the case's
    latest by a reviewer), reversed or not, so a reversal is told, never hidden."""
    applied = _latest_on_copy(session, notice, standing_only=False)
    if applied is not None or notice.case_id is None:
        return applied
    return session.scalar(
        select(Decision)
        .where(Decision.case_id == notice.case_id, Decision.reviewer_id.is_not(None))
        .order_by(Decision.id.desc())
        .limit(1)
    )


def _latest_on_copy(session: Session, notice: Notice, *, standing_only: bool) -> Decision | None:
    if notice.item_id is None:
        return None
    query = (
        select(Decision)
        .join(ItemAction, ItemAction.decision_id == Decision.id)
        .where(ItemAction.item_id == notice.item_id)
        .order_by(Decision.id.desc())
        .limit(1)
    )
    if standing_only:
        query = query.where(Decision.reversed_at.is_(None))
    return session.scalar(query)


def reverse(runtime: Runtime, session: Session, decision: Decision, *, reopen: bool) -> None:
    """Undo a decision's consequences: restore or unlabel every copy, disable its bank
    entry, remove its strikes and lift the measures they caused. ``reopen`` (a notifier
    was right to appeal) puts the case back in the queue for a new decision."""
    now = utc_now()
    decision.reversed_at = now
    case = session.get(Case, decision.case_id)
    assert case is not None  # noqa: S101 - decisions cascade with their case
    copies: Sequence[Decision] = ()
    if decision.reviewer_id is not None:  # the copies decided automatically fall with it
        copies = session.scalars(
            select(Decision).where(
                Decision.case_id == case.id,
                Decision.reversed_at.is_(None),
                Decision.reviewer_id.is_(None),
                Decision.id > decision.id,
            )
        ).all()
    for copy in [decision, *copies]:
        copy.reversed_at = now
        _undo(session, case, copy)
    if decision.bank_entry_id is not None and decision.reviewer_id is not None:
        bank = find_bank(session, DECEPTIVE_BANK)
        if bank is not None:
            update_entry(
                session, get_entry(session, bank, decision.bank_entry_id), {"enabled": False}
            )
            runtime.indexes.dirty = True
    if reopen:
        case.status, case.decided_at, case.assignee_id = CaseStatus.OPEN, None, None
        case.due_at = now + timedelta(hours=runtime.settings.sla_hours_priority)
        for notice in _notices(session, case):
            notice.status = NoticeStatus.IN_REVIEW
    session.flush()


def _undo(session: Session, case: Case, decision: Decision) -> None:
    action = Action(decision.action)
    done = session.scalars(
        select(ItemAction).where(
            ItemAction.decision_id == decision.id, ItemAction.undone_at.is_(None)
        )
    ).all()
    for item_action in done:
        item_action.undone_at = utc_now()
        item = session.get(CaseItem, item_action.item_id)
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


def _check(draft: DecisionDraft) -> Action:
    problems = _decision_problems(draft)
    if problems:  # all at once, so the reviewer fixes the form in one go
        raise InvalidFields(problems)
    return Action(draft.action)


def _decision_problems(draft: DecisionDraft) -> list[str]:
    """Every way ``draft`` cannot be recorded; empty when it can."""
    problems = []
    action = Action(draft.action) if draft.action in set(Action) else None
    if action is None:
        problems.append(f"action must be one of {', '.join(Action)}")
    if draft.ground not in set(Ground):
        problems.append(f"ground must be one of {', '.join(Ground)}")
    restrictive = action is not None and action.restrictive
    if restrictive and not draft.ground_text.strip():
        problems.append("ground_text: name the terms clause or the law the decision rests on")
    if len(draft.explanation.strip()) < MIN_EXPLANATION:
        problems.append("explanation: give the facts and the reasons for the decision")
    if len(draft.ground_text) > MAX_GROUND or len(draft.ground_url) > MAX_GROUND:
        problems.append(f"ground_text and ground_url: at most {MAX_GROUND} characters each")
    if draft.notices_unfounded and restrictive:
        problems.append("notices_unfounded: only a decision to take no action can find that")
    return problems


def _apply(
    runtime: Runtime, session: Session, outcome: Outcome, case: Case, item: CaseItem
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
            strike_policy(runtime.settings),
            subject_kind=SubjectKind.UPLOADER,
            subject=f"{item.platform}:{item.uploader}",
            decision=decision,
            weight=runtime.settings.strike_weights.get(action.value, 0),
        )
    item_action.puid = f"accord-{case.reference}-{item.id}-{decision.id}"
    statement = statement_for(
        puid=item_action.puid,
        decision=decision,
        case=case,
        item=item,
        notices=_notices(session, case),
        measure=measure,
    )
    # Checked as the Transparency Database would: a bad statement fails the decision.
    item_action.statement = StatementOfReasons.from_json(statement).to_json()
    queue_statement(session, runtime.settings, item_action)
    token = issue_code(runtime.settings, item_action)
    payload = _content_payload(case, item, decision, item_action) | {
        "appeal": {"token": token, "until": _iso(appeal_deadline(runtime, decision))},
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


def appeal_deadline(runtime: Runtime, decision: Decision) -> datetime:
    return decision.decided_at + timedelta(days=runtime.settings.appeal_window_days)


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


def _bank_content(session: Session, case: Case, decision: Decision) -> int | None:
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


def _strike_notifiers(
    runtime: Runtime, session: Session, case: Case, decision: Decision
) -> list[AccountMeasure]:
    measures = []
    subjects = {_notifier_subject(notice) for notice in _notices(session, case)}
    for subject in sorted(subjects):
        measure = add_strike(
            session,
            strike_policy(runtime.settings),
            subject_kind=SubjectKind.NOTIFIER,
            subject=subject,
            decision=decision,
            weight=runtime.settings.strike_unfounded_notice_weight,
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


def _content_types(case: Case, synthetic: bool) -> list[str]:
    kind = CONTENT_TYPE_OF_KIND.get(case.media_kind, "CONTENT_TYPE_OTHER")
    types = [kind] if kind != "CONTENT_TYPE_OTHER" else []
    if synthetic:
        types.append(SYNTHETIC)
    return types or ["CONTENT_TYPE_OTHER"]


def _territories(runtime: Runtime, session: Session, case: Case) -> list[str]:
    person = session.get(ProtectedPersonRow, case.person_id) if case.person_id else None
    election = next_election(session, utc_now().date(), person.election if person else None)
    if election is not None and election.territories:
        return list(election.territories)
    return list(runtime.settings.statement_territories)


def _items(session: Session, case: Case) -> list[CaseItem]:
    return list(
        session.scalars(select(CaseItem).where(CaseItem.case_id == case.id).order_by(CaseItem.id))
    )


def _notices(session: Session, case: Case) -> list[Notice]:
    return list(
        session.scalars(select(Notice).where(Notice.case_id == case.id).order_by(Notice.id))
    )


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
