"""Strikes and bans: ``guard_ban_after`` blocked prompts within ``guard_window_hours`` ban
a user for ``guard_ban_hours``; an admin (or a granted appeal) lifts a ban early.

A user has at most one live ban, also when two of their prompts are blocked at once: the
strikes are counted under a lock on the user (PostgreSQL: an advisory lock; SQLite lets
one writer in at a time, and the decision is written before the count)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from accord.claims.verdicts import Category, Verdict
from accord.errors import BadRequest, Conflict, NotFound
from accord.server.guard.models import (
    AppealStatus,
    DecisionKind,
    GuardAppeal,
    GuardBan,
    GuardDecision,
)
from accord.server.guard.schemas import UserStatus
from accord.server.settings import Settings

#: The first half of the guard's advisory lock keys (``pg_advisory_xact_lock(int, int)``),
#: so they never meet another domain's single-key locks.
_LOCK_SPACE = 0x47554152  # "GUAR"


def live_ban(session: Session, user: str, now: datetime) -> GuardBan | None:
    """The ban ``user`` is under at ``now``: not lifted, not yet over."""
    query = (
        select(GuardBan)
        .where(GuardBan.user == user, GuardBan.lifted_at.is_(None), GuardBan.until > now)
        .order_by(GuardBan.until.desc())
        .limit(1)
    )
    return session.scalar(query)


def count_strikes(session: Session, settings: Settings, user: str, now: datetime) -> int:
    """The user's blocked prompts that count towards a ban: within the window, and after
    their latest ban began (a lifted or served ban wipes the slate)."""
    since = now - timedelta(hours=settings.guard_window_hours)
    latest = session.scalar(select(func.max(GuardBan.started_at)).where(GuardBan.user == user))
    query = select(func.count(GuardDecision.id)).where(
        GuardDecision.user == user,
        GuardDecision.kind == DecisionKind.PROMPT.value,
        GuardDecision.verdict == Verdict.BLOCK.value,
        GuardDecision.category != Category.USER_BANNED.value,
        GuardDecision.created_at >= since,
        GuardDecision.created_at <= now,
    )
    if latest is not None:
        query = query.where(GuardDecision.created_at > latest)
    return int(session.scalar(query) or 0)


def user_status(session: Session, settings: Settings, user: str, now: datetime) -> UserStatus:
    ban = live_ban(session, user, now)
    if ban is not None:
        return UserStatus(True, ban.until, ban.strikes, settings.guard_ban_after)
    strikes = count_strikes(session, settings, user, now)
    return UserStatus(False, None, strikes, settings.guard_ban_after)


def strike(session: Session, settings: Settings, user: str, now: datetime) -> GuardBan | None:
    """After a blocked prompt of ``user`` was recorded: ban them if it was one too many.
    Returns the ban they are under (new or live already), or None."""
    _lock_user(session, user)
    ban = live_ban(session, user, now)
    if ban is not None:
        return ban
    strikes = count_strikes(session, settings, user, now)
    if strikes < settings.guard_ban_after:
        return None
    ban = GuardBan(
        user=user,
        started_at=now,
        until=now + timedelta(hours=settings.guard_ban_hours),
        strikes=strikes,
    )
    session.add(ban)
    session.flush()
    return ban


def _lock_user(session: Session, user: str) -> None:
    """Hold the user's lock until the transaction ends; each statement after it sees
    every decision committed before it was granted."""
    if session.get_bind().dialect.name != "postgresql":
        return
    key = int.from_bytes(hashlib.sha256(user.encode()).digest()[:4], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": _LOCK_SPACE, "key": key}
    )


def unban(session: Session, user: str, *, reason: str, by: str, now: datetime) -> GuardBan:
    """Lift ``user``'s live ban; the audit log keeps ``reason`` and who lifted it."""
    reason = _required(reason, "unbanning")
    ban = live_ban(session, user, now)
    if ban is None:
        raise NotFound(f"user {user!r} is not banned")
    _lift(session, ban, reason=reason, by=by, now=now)
    return ban


def _lift(session: Session, ban: GuardBan, *, reason: str, by: str, now: datetime) -> None:
    ban.lifted_at = now
    ban.lifted_by = by[:320]
    ban.lift_reason = reason
    with _audit_reason(session, reason):
        session.flush()


@contextmanager
def _audit_reason(session: Session, reason: str) -> Iterator[None]:
    """The audit log's "why" for the changes flushed inside the block."""
    before = session.info.get("reason")
    session.info["reason"] = reason
    try:
        yield
    finally:
        if before is None:
            session.info.pop("reason", None)
        else:
            session.info["reason"] = before


def _required(reason: str, what: str) -> str:
    reason = reason.strip()
    if not reason:
        raise BadRequest(f"{what} needs a reason")
    return reason


def list_bans(session: Session, now: datetime, *, live_only: bool = True) -> list[GuardBan]:
    """Bans, newest first: only the live ones unless ``live_only`` is false."""
    query = select(GuardBan).order_by(GuardBan.started_at.desc(), GuardBan.id.desc())
    if live_only:
        query = query.where(GuardBan.lifted_at.is_(None), GuardBan.until > now)
    return list(session.scalars(query))


def appeal_ban(session: Session, user: str, statement: str, now: datetime) -> GuardAppeal:
    """A banned user's appeal against their live ban; one pending at a time."""
    statement = _required(statement, "an appeal")
    ban = live_ban(session, user, now)
    if ban is None:
        raise NotFound(f"user {user!r} is not banned, so there is nothing to appeal")
    pending = select(GuardAppeal.id).where(
        GuardAppeal.ban_id == ban.id, GuardAppeal.status == AppealStatus.PENDING.value
    )
    if session.scalar(pending) is not None:
        raise Conflict(f"user {user!r} has appealed this ban already; the appeal is pending")
    appeal = GuardAppeal(ban_id=ban.id, statement=statement, submitted_at=now)
    session.add(appeal)
    session.flush()
    return appeal


def decide_appeal(
    session: Session, appeal_id: int, *, grant: bool, reason: str, by: str, now: datetime
) -> GuardAppeal:
    """Grant an appeal (which lifts the ban, if it still runs) or reject it; audited."""
    reason = _required(reason, "deciding an appeal")
    appeal = session.get(GuardAppeal, appeal_id)
    if appeal is None:
        raise NotFound(f"no appeal has the id {appeal_id}")
    if appeal.status != AppealStatus.PENDING.value:
        raise Conflict(f"appeal {appeal_id} was {appeal.status} already")
    appeal.status = (AppealStatus.GRANTED if grant else AppealStatus.REJECTED).value
    appeal.decided_at = now
    appeal.decided_by = by[:320]
    appeal.decision_reason = reason
    ban = session.get(GuardBan, appeal.ban_id)
    if grant and ban is not None and ban.lifted_at is None and ban.until > now:
        _lift(session, ban, reason=f"appeal granted: {reason}", by=by, now=now)
    with _audit_reason(session, reason):
        session.flush()
    return appeal


def pending_appeals(session: Session) -> list[tuple[GuardAppeal, GuardBan]]:
    """Appeals waiting for a decision, oldest first, each with its ban."""
    query = (
        select(GuardAppeal, GuardBan)
        .join(GuardBan, GuardBan.id == GuardAppeal.ban_id)
        .where(GuardAppeal.status == AppealStatus.PENDING.value)
        .order_by(GuardAppeal.submitted_at, GuardAppeal.id)
    )
    return [(appeal, ban) for appeal, ban in session.execute(query)]
