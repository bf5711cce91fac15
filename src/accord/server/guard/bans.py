"""Strikes and bans: ``guard_ban_after`` blocked prompts within ``guard_window_hours`` ban
a user for ``guard_ban_hours``; an admin (or a granted appeal) lifts a ban early.

A user is a generation service's user: (client, user), the API key's name and the name
the service gives them. Two services' users of one name are two people, with strikes and
bans of their own.

A user has at most one live ban, also when two of their prompts are blocked at once: the
strikes are counted under a lock on the user (PostgreSQL: an advisory lock; SQLite lets
one writer in at a time, and the decision is written before the count). Appealing and
deciding an appeal lock the ban's row (``FOR UPDATE``; SQLite serialises writes anyway),
so two appeals at once never both wait, and no appeal is decided twice."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from accord.claims.verdicts import Category, Reason, Screening, Verdict
from accord.errors import BadRequest, Conflict, Forbidden, NotFound
from accord.server.guard.models import (
    AppealStatus,
    DecisionKind,
    GuardAppeal,
    GuardBan,
    GuardDecision,
)
from accord.server.guard.schemas import BAN_SOURCE, UserStatus
from accord.server.guard.users import user_name
from accord.server.settings import Settings

#: The first half of the guard's advisory lock keys (``pg_advisory_xact_lock(int, int)``),
#: so they never meet another domain's single-key locks.
_LOCK_SPACE = 0x47554152  # "GUAR"


class UserBanned(Forbidden):
    """A banned user's generated file is not stamped (403): the ban covers all they ask."""

    code = "guard.user_banned"
    title = "The user is banned"


def live_ban(
    session: Session, client: str, user: str, now: datetime, *, lock: bool = False
) -> GuardBan | None:
    """The ban ``client``'s ``user`` is under at ``now``: not lifted, not yet over.
    ``lock``: hold its row until the transaction ends."""
    query = (
        select(GuardBan)
        .where(GuardBan.client == client, GuardBan.user == user)
        .where(GuardBan.lifted_at.is_(None), GuardBan.until > now)
        .order_by(GuardBan.until.desc(), GuardBan.id.desc())
        .limit(1)
    )
    return session.scalar(query.with_for_update() if lock else query)


def ban_refusal(ban: GuardBan, language: str | None) -> Screening:
    """The answer to a banned user: what they ask is not screened."""
    until = f"{ban.until:%Y-%m-%d %H:%M} UTC"
    reason = Reason(
        category=Category.USER_BANNED,
        explanation=f"the user is banned until {until} for {ban.strikes} blocked prompts",
        evidence=f"ban #{ban.id}, since {ban.started_at:%Y-%m-%d %H:%M} UTC",
        verdict=Verdict.BLOCK,
        source=BAN_SOURCE,
    )
    return Screening(verdict=Verdict.BLOCK, language=language or "", reasons=(reason,))


def count_strikes(
    session: Session, settings: Settings, client: str, user: str, now: datetime
) -> int:
    """The user's blocked prompts that count towards a ban: within the window, and after
    their latest ban began (a lifted or served ban wipes the slate)."""
    since = now - timedelta(hours=settings.guard_window_hours)
    latest_ban = (
        select(func.max(GuardBan.started_at))
        .where(GuardBan.client == client, GuardBan.user == user)
        .scalar_subquery()
    )
    # One statement: it runs for every prompt a user sends.
    query = select(func.count(GuardDecision.id)).where(
        GuardDecision.client == client,
        GuardDecision.user == user,
        GuardDecision.kind == DecisionKind.PROMPT.value,
        GuardDecision.verdict == Verdict.BLOCK.value,
        GuardDecision.category != Category.USER_BANNED.value,
        GuardDecision.created_at >= since,
        GuardDecision.created_at <= now,
        or_(latest_ban.is_(None), GuardDecision.created_at > latest_ban),
    )
    return int(session.scalar(query) or 0)


def user_status(
    session: Session, settings: Settings, client: str, user: str, now: datetime
) -> UserStatus:
    """Whether ``client``'s ``user`` is banned (until when), and their strikes."""
    user = user_name(user)
    ban = live_ban(session, client, user, now)
    if ban is not None:
        return UserStatus(True, ban.until, ban.strikes, settings.guard_ban_after)
    strikes = count_strikes(session, settings, client, user, now)
    return UserStatus(False, None, strikes, settings.guard_ban_after)


def strike(
    session: Session, settings: Settings, client: str, user: str, now: datetime
) -> UserStatus:
    """After a blocked prompt of ``client``'s ``user`` was recorded: ban them if it was
    one too many. Returns where they stand now (banned, by a new or a live ban, or not)."""
    _lock_user(session, client, user)
    ban = live_ban(session, client, user, now)
    if ban is None:
        strikes = count_strikes(session, settings, client, user, now)
        if strikes < settings.guard_ban_after:
            return UserStatus(False, None, strikes, settings.guard_ban_after)
        ban = GuardBan(
            client=client,
            user=user,
            started_at=now,
            until=now + timedelta(hours=settings.guard_ban_hours),
            strikes=strikes,
        )
        session.add(ban)
        session.flush()
    return UserStatus(True, ban.until, ban.strikes, settings.guard_ban_after)


def _lock_user(session: Session, client: str, user: str) -> None:
    """Hold the user's lock until the transaction ends; each statement after it sees
    every decision committed before it was granted."""
    if session.get_bind().dialect.name != "postgresql":
        return
    digest = hashlib.sha256(f"{client}\0{user}".encode()).digest()
    key = int.from_bytes(digest[:4], "big", signed=True)
    session.execute(
        text("SELECT pg_advisory_xact_lock(:space, :key)"), {"space": _LOCK_SPACE, "key": key}
    )


def unban(
    session: Session, user: str, *, client: str | None, reason: str, by: str, now: datetime
) -> GuardBan:
    """Lift the live ban of ``client``'s ``user``; the audit log keeps ``reason`` and who
    lifted it. Without ``client``: the one client whose user of that name is banned (a
    BadRequest names them when several are)."""
    reason = _required(reason, "unbanning")
    user = user_name(user)
    if client is None:
        client = _only_client_banning(session, user, now)
    ban = live_ban(session, client, user, now, lock=True)
    if ban is None:
        raise NotFound(f"user {user!r} of {client!r} is not banned")
    # A pending appeal has got what it asked: it is granted with the unban's reason.
    for appeal in session.scalars(
        select(GuardAppeal).where(
            GuardAppeal.ban_id == ban.id, GuardAppeal.status == AppealStatus.PENDING.value
        )
    ):
        appeal.status = AppealStatus.GRANTED.value
        appeal.decided_at = now
        appeal.decided_by = by[:320]
        appeal.decision_reason = f"the ban was lifted: {reason}"
    _lift(session, ban, reason=reason, by=by, now=now)
    return ban


def _only_client_banning(session: Session, user: str, now: datetime) -> str:
    query = (
        select(GuardBan.client)
        .where(GuardBan.user == user, GuardBan.lifted_at.is_(None), GuardBan.until > now)
        .distinct()
        .order_by(GuardBan.client)
    )
    clients = list(session.scalars(query))
    if not clients:
        raise NotFound(f"user {user!r} is not banned")
    if len(clients) > 1:
        names = ", ".join(repr(client) for client in clients)
        raise BadRequest(f"user {user!r} is banned by several clients ({names}): name one")
    return clients[0]


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


def appeal_ban(
    session: Session, client: str, user: str, statement: str, now: datetime
) -> GuardAppeal:
    """The appeal of ``client``'s banned ``user`` against their live ban; one pending at a
    time (the ban's row is locked while it is checked)."""
    statement = _required(statement, "an appeal")
    user = user_name(user)
    ban = live_ban(session, client, user, now, lock=True)
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
    ban_id = session.scalar(select(GuardAppeal.ban_id).where(GuardAppeal.id == appeal_id))
    if ban_id is None:
        raise NotFound(f"no appeal has the id {appeal_id}")
    # The ban's row first, as appeal_ban locks it; then the appeal, read afresh.
    ban = session.scalar(
        select(GuardBan)
        .where(GuardBan.id == ban_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    appeal = session.scalar(
        select(GuardAppeal)
        .where(GuardAppeal.id == appeal_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if appeal is None:
        raise NotFound(f"no appeal has the id {appeal_id}")
    if appeal.status != AppealStatus.PENDING.value:
        raise Conflict(f"appeal {appeal_id} was {appeal.status} already")
    appeal.status = (AppealStatus.GRANTED if grant else AppealStatus.REJECTED).value
    appeal.decided_at = now
    appeal.decided_by = by[:320]
    appeal.decision_reason = reason
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


def decided_appeals(session: Session, limit: int = 20) -> list[tuple[GuardAppeal, GuardBan]]:
    """The latest decided (granted or rejected) appeals, newest first, each with its ban."""
    query = (
        select(GuardAppeal, GuardBan)
        .join(GuardBan, GuardBan.id == GuardAppeal.ban_id)
        .where(GuardAppeal.status != AppealStatus.PENDING.value)
        .order_by(GuardAppeal.decided_at.desc(), GuardAppeal.id.desc())
        .limit(limit)
    )
    return [(appeal, ban) for appeal, ban in session.execute(query)]
