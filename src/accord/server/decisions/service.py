"""Decide a case, and carry the decision out without losing any of it.

Everything a decision causes is written in the decision's own transaction: a statement of
reasons and an action message (outbox) for every copy, the deceptive bank entry that
catches later copies, strikes and the measures they lead to (``effects``). Nothing is
done if any of it fails, and a crash after the commit loses nothing: the outbox delivers
what is pending. This module is what other domains call: it decides, reverses and answers
what was decided.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, NamedTuple

from sqlalchemy import (
    ColumnElement,
    Float,
    Row,
    Select,
    SQLColumnExpression,
    Subquery,
    cast,
    extract,
    func,
    null,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from accord.errors import Conflict, Forbidden, InvalidFields, NotFound
from accord.server.auth.roles import Role
from accord.server.cases.schemas import CaseStatus
from accord.server.cases.service import (
    case_by_id,
    case_items,
    copies_on_platform,
    copies_with_references,
    mark_case_decided,
    reopen_case,
)
from accord.server.db.base import utc_now
from accord.server.decisions.appeal_codes import AppealCode, open_code
from accord.server.decisions.effects import (
    Outcome,
    apply_to_copy,
    bank_content,
    strike_notifiers,
    unbank_content,
    undo,
)
from accord.server.decisions.models import Action, Decision, Ground, ItemAction
from accord.server.decisions.schemas import DEFAULT_CATEGORY, DEFAULT_KEYWORDS, MAX_CODES
from accord.server.decisions.statements import CONTENT_TYPE_OF_KIND, SYNTHETIC
from accord.server.elections.service import next_election
from accord.server.notices.service import mark_decided, mark_in_review, tell_decided
from accord.server.persons.service import get_person
from accord.server.runtime import Runtime
from accord.server.statements.schemas import StatementOfReasons
from accord.server.tokens import token_digest

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.cases.models import Case, CaseItem
    from accord.server.notices.models import Notice
    from accord.server.settings import Settings

MIN_EXPLANATION = 10
MAX_GROUND = 500
_NOT_AUTOMATED = "AUTOMATED_DECISION_NOT_AUTOMATED"
#: Rows read at a time when streaming statements for a report.
_CHUNK = 10_000
_PARTIALLY_AUTOMATED = "AUTOMATED_DECISION_PARTIALLY"


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
    settings = runtime.settings
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
        territories=list(draft.territories) or _territories(settings, session, case),
        automated_detection=False,
        automated_decision=_NOT_AUTOMATED,
        notices_unfounded=draft.notices_unfounded,
    )
    session.add(decision)
    session.flush()
    outcome = Outcome(decision)
    if action.restrictive:
        decision.bank_entry_id = bank_content(session, case, decision)
        runtime.indexes.dirty = True
    for item in case_items(session, case):
        apply_to_copy(settings, session, outcome, case, item)
    if draft.notices_unfounded:
        outcome.measures += strike_notifiers(settings, session, case, decision)
    mark_case_decided(case, reviewer.id)
    mark_decided(session, case.id)
    session.flush()
    tell_decided(session, settings, decision)
    return outcome


def apply_standing_decision(
    settings: Settings, session: Session, case: Case, item: CaseItem
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
    apply_to_copy(settings, session, Outcome(copy), case, item)
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
    case = case_by_id(session, notice.case_id) if notice.case_id is not None else None
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
    case = case_by_id(session, decision.case_id)
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
        undo(session, case, copy)
    if unbank_content(session, decision):
        runtime.indexes.dirty = True
    if reopen:
        reopen_case(case, due_at=now + timedelta(hours=runtime.settings.sla_hours_priority))
        mark_in_review(session, case.id)
    session.flush()


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


def _content_types(case: Case, synthetic: bool) -> list[str]:
    kind = CONTENT_TYPE_OF_KIND.get(case.media_kind, "CONTENT_TYPE_OTHER")
    types = [kind] if kind != "CONTENT_TYPE_OTHER" else []
    if synthetic:
        types.append(SYNTHETIC)
    return types or ["CONTENT_TYPE_OTHER"]


def _territories(settings: Settings, session: Session, case: Case) -> list[str]:
    person = get_person(session, case.person_id) if case.person_id else None
    election = next_election(session, utc_now().date(), person.election if person else None)
    if election is not None and election.territories:
        return list(election.territories)
    return list(settings.statement_territories)


def lock_decision(session: Session, decision_id: int) -> Decision:
    """The decision, read afresh and locked until the transaction ends: two seniors
    deciding appeals on one decision at once take turns."""
    decision = session.get(Decision, decision_id, with_for_update=True, populate_existing=True)
    assert decision is not None  # noqa: S101 - its appeals cascade with it
    return decision


def deciders(session: Session, decision: Decision) -> set[int]:
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


def reversed_in_case(session: Session, case_id: int) -> list[int]:
    """The ids of the case's reversed decisions."""
    return list(
        session.scalars(
            select(Decision.id).where(
                Decision.case_id == case_id, Decision.reversed_at.is_not(None)
            )
        )
    )


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


def item_action_by_id(session: Session, item_action_id: int) -> ItemAction | None:
    return session.get(ItemAction, item_action_id)


def codes_for_platform(
    settings: Settings,
    session: Session,
    platform: str,
    *,
    platform_content_id: str = "",
    since: datetime | None = None,
    limit: int = 100,
) -> list[AppealCode]:
    """The appeal codes of ``platform``'s restricted copies, newest first."""
    copies = copies_on_platform(platform, platform_content_id)
    query = (
        select(ItemAction, Decision)
        .join(Decision, Decision.id == ItemAction.decision_id)
        .where(ItemAction.item_id.in_(copies), ItemAction.appeal_token_sealed.is_not(None))
        .order_by(ItemAction.id.desc())
        .limit(min(limit, MAX_CODES))
    )
    if since is not None:
        query = query.where(ItemAction.created_at >= since)
    rows = session.execute(query).all()
    found = copies_with_references(session, (action.item_id for action, _ in rows))
    return [
        AppealCode(action, decision, *found[action.item_id], open_code(settings, action) or "")
        for action, decision in rows
    ]


def issued_statements(
    session: Session, *, since: datetime | None = None, limit: int | None = None
) -> list[StatementOfReasons]:
    """The statements of reasons issued (on or after ``since``), in order of issue."""
    query = select(ItemAction.statement).where(ItemAction.statement.is_not(None))
    if since is not None:
        query = query.where(ItemAction.created_at >= since)
    query = query.order_by(ItemAction.id)
    if limit is not None:
        query = query.limit(limit)
    return [StatementOfReasons.from_json(body) for body in session.scalars(query)]


#: Maps a timestamp column to the index of the day it falls on (built by the caller, who
#: knows the days and their time zone; the database need not).
DayOf = Callable[[SQLColumnExpression[datetime]], ColumnElement[int]]


class StatementGroup(NamedTuple):
    """Statements of reasons issued on one day that agree on every attribute asked for."""

    day: int
    #: The attributes, as the statement's JSON holds them (None when it leaves one out).
    attributes: dict[str, Any]
    statements: int


def statement_groups(
    session: Session, start: datetime, end: datetime, *, day: DayOf, keys: Sequence[str]
) -> list[StatementGroup]:
    """The statements issued at ``start <= moment < end``, counted in the database by the
    day they were issued and the values of ``keys`` in their JSON (a report groups
    millions: they never leave the database one by one)."""
    issued = (
        select(
            day(ItemAction.created_at).label("day"),
            *(ItemAction.statement[key].label(f"key_{n}") for n, key in enumerate(keys)),
        )
        .where(
            ItemAction.statement.is_not(None),
            ItemAction.created_at >= start,
            ItemAction.created_at < end,
        )
        .subquery()
    )
    return [
        StatementGroup(int(row[0]), dict(zip(keys, row[1:-1], strict=True)), int(row[-1]))
        for row in _counted(session, issued)
    ]


def _counted(session: Session, rows: Subquery) -> Sequence[Sequence[Any]]:
    """``rows`` counted by all their columns (the count last). Grouped outside the subquery:
    PostgreSQL cannot tell that a GROUP BY expression with bound parameters is the one
    selected."""
    columns = list(rows.c)
    return session.connection().execute(select(*columns, func.count()).group_by(*columns)).all()


class StatementTally(NamedTuple):
    """How many statements of reasons of one kind were issued on one day: by their
    decision's ground, category and action, whether a person decided, what they answered
    (``source_type``) and the account measure they announced (``decision_account``)."""

    ground: str
    category: str
    action: str
    automated: bool
    source_type: str
    decision_account: str
    day: int
    statements: int


def statement_tallies(
    session: Session, start: datetime, end: datetime, *, day: DayOf
) -> list[StatementTally]:
    """The statements issued at ``start <= moment < end``, counted in the database by kind
    and day."""
    issued = (
        select(
            Decision.ground,
            Decision.category,
            Decision.action,
            Decision.reviewer_id.is_(None).label("automated"),
            ItemAction.statement["source_type"].as_string().label("source_type"),
            ItemAction.statement["decision_account"].as_string().label("decision_account"),
            day(ItemAction.created_at).label("day"),
        )
        .join(Decision, Decision.id == ItemAction.decision_id)
        .where(
            ItemAction.statement.is_not(None),
            ItemAction.created_at >= start,
            ItemAction.created_at < end,
        )
        .subquery()
    )
    return [
        StatementTally(
            row[0],
            row[1],
            row[2],
            bool(row[3]),
            row[4] or "",
            row[5] or "",
            int(row[6]),
            int(row[7]),
        )
        for row in _counted(session, issued)
    ]


def decision_tallies(session: Session, start: datetime, end: datetime) -> tuple[int, int]:
    """Decisions taken at ``start <= moment < end``: (automated, by reviewers). A decision
    is automated when no person took it (a standing decision applied to a later copy)."""
    automated = Decision.reviewer_id.is_(None)
    counts = {
        bool(key): int(count)
        for key, count in session.execute(
            select(automated, func.count(Decision.id))
            .where(Decision.decided_at >= start, Decision.decided_at < end)
            .group_by(automated)
        )
    }
    return counts.get(True, 0), counts.get(False, 0)


def seconds_to_first_decision(
    session: Session, rows: Select[*tuple[Any, ...]]
) -> dict[tuple[Any, ...], list[float]]:
    """``rows`` (which must have the columns ``case_id`` and ``received_at``, e.g. notices)
    whose case was decided at or after ``received_at``: the seconds from ``received_at`` to
    that case's first such decision, grouped by the rows' other columns. The database looks
    each up by the case's index."""
    given = rows.subquery()
    first = (
        select(func.min(Decision.decided_at))
        .where(Decision.case_id == given.c.case_id, Decision.decided_at >= given.c.received_at)
        .correlate(given)
        .scalar_subquery()
    )
    kept = [column for column in given.c if column.key not in ("case_id", "received_at")]
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        # Exact (interval to numeric), then the nearest float: what timedelta.total_seconds()
        # gives. One array per group: a million floats come in one piece, far faster than a
        # million rows. NULLs (no decision) are removed there: a WHERE on the seconds would
        # look each notice's decision up twice.
        seconds = cast(extract("epoch", first - given.c.received_at), Float).label("seconds")
        timed = select(*kept, seconds).subquery()
        grouped = [timed.c[column.key] for column in kept]
        collected = func.array_remove(func.array_agg(timed.c.seconds), null(), type_=ARRAY(Float))
        query = select(*grouped, collected).group_by(*grouped)
        return {tuple(row[:-1]): row[-1] for row in connection.execute(query)}
    # SQLite: its julianday() arithmetic is not exact to the microsecond; Python's is.
    found: dict[tuple[Any, ...], list[float]] = {}
    query = select(*kept, given.c.received_at, first).execution_options(yield_per=_CHUNK)
    for row in connection.execute(query):
        *values, received_at, first_decided_at = row
        if first_decided_at is not None:
            found.setdefault(tuple(values), []).append(
                (first_decided_at - received_at).total_seconds()
            )
    return found


def with_decision_facts(
    session: Session, rows: Select[*tuple[Any, ...]]
) -> Iterator[Row[*tuple[Any, ...]]]:
    """``rows`` (which must have a ``decision_id`` column, e.g. appeals) streamed with the
    decision's ``action`` and whether it was ``automated`` (no person took it)."""
    given = rows.subquery()
    query = (
        select(
            *given.c,
            Decision.action.label("action"),
            Decision.reviewer_id.is_(None).label("automated"),
        )
        .join(Decision, Decision.id == given.c.decision_id)
        .execution_options(yield_per=_CHUNK)
    )
    yield from session.execute(query)


def decision_by_id(session: Session, decision_id: int) -> Decision | None:
    return session.get(Decision, decision_id)


def decision_for_statement(session: Session, puid: str) -> Decision | None:
    """The decision whose statement of reasons is ``puid``."""
    return session.scalar(
        select(Decision)
        .join(ItemAction, ItemAction.decision_id == Decision.id)
        .where(ItemAction.puid == puid)
    )


def statement_in_case(session: Session, case: Case, puid: str) -> dict[str, Any]:
    """The statement of reasons ``puid`` of one of ``case``'s copies, as the TDB takes it."""
    statement: dict[str, Any] | None = session.scalar(
        select(ItemAction.statement)
        .join(Decision, Decision.id == ItemAction.decision_id)
        .where(Decision.case_id == case.id, ItemAction.puid == puid)
    )
    if statement is None:
        raise NotFound(f"case {case.reference} has no statement of reasons {puid!r}")
    return statement


def decisions_of_case(session: Session, case_id: int) -> list[Decision]:
    """The case's decisions, by reviewers and automated alike, oldest first."""
    return list(
        session.scalars(select(Decision).where(Decision.case_id == case_id).order_by(Decision.id))
    )


def actions_of_decision(session: Session, decision_id: int) -> list[ItemAction]:
    """What ``decision_id`` did to each copy, in the order it was done."""
    return list(
        session.scalars(
            select(ItemAction).where(ItemAction.decision_id == decision_id).order_by(ItemAction.id)
        )
    )
