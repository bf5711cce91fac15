"""Decisions are kept ``guard_retention_days``; older ones are counted into daily tallies
and deleted, so the transparency figures of any period stay whole without the excerpts.

Bans and appeals have no retention: they are the record of the measures taken against
users (and of their appeals), which the figures and any later dispute rest on.
An operator's trials (user "") are deleted untallied: they are no one's prompts."""

from __future__ import annotations

import logging
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from accord.claims.verdicts import Verdict
from accord.server.audit import service as audit
from accord.server.background import BackgroundLoop
from accord.server.guard.models import (
    TRIAL_USER,
    AppealStatus,
    DecisionKind,
    GuardAppeal,
    GuardBan,
    GuardDecision,
    GuardTally,
)
from accord.server.settings import Settings

logger = logging.getLogger("accord.guard")

#: Decisions read and deleted per statement, so a long backlog never loads at once.
_CHUNK = 5000
#: How often the server purges (and once when it starts).
PURGE_INTERVAL_SECONDS = 24 * 3600.0

_Key = tuple[date, str, str, str]
#: The purge's advisory lock on PostgreSQL ("GPRG").
_PURGE_LOCK_KEY = 0x47505247


def purge_expired(session: Session, settings: Settings, now: datetime) -> int:
    """Tally and delete the decisions older than the retention; returns how many.

    Each chunk is deleted first and tallied from what the delete returns, so two purges
    at once (two server processes) never count a decision twice; on PostgreSQL a lock
    also keeps them from adding the same new tally at once."""
    cutoff = now - timedelta(days=settings.guard_retention_days)
    expired = select(GuardDecision.id).where(GuardDecision.created_at < cutoff).limit(1)
    if session.scalar(expired) is None:
        return 0  # a read alone: most rounds take no write lock at all
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PURGE_LOCK_KEY})
    purged = 0
    while True:
        chunk = (
            select(GuardDecision.id)
            .where(GuardDecision.created_at < cutoff)
            .order_by(GuardDecision.id)
            .limit(_CHUNK)
            .scalar_subquery()
        )
        rows = session.execute(
            delete(GuardDecision)
            .where(GuardDecision.id.in_(chunk))
            .returning(
                GuardDecision.created_at,
                GuardDecision.kind,
                GuardDecision.verdict,
                GuardDecision.blocked_for,
                GuardDecision.user,
            )
        ).all()
        if not rows:
            break
        counts = Counter(
            (row.created_at.astimezone(UTC).date(), row.kind, row.verdict, row.blocked_for)
            for row in rows
            if row.user != TRIAL_USER
        )
        _add_to_tallies(session, counts)
        purged += len(rows)
    if purged:
        # The bulk delete is unseen by the ORM's audit trail: one entry says what went.
        audit.record(
            session, "purge", GuardDecision.__tablename__, f"before {cutoff.isoformat()}",
            after={"deleted": purged, "retention_days": settings.guard_retention_days},
        )  # fmt: skip
    session.flush()
    return purged


def _add_to_tallies(session: Session, counts: Counter[_Key]) -> None:
    for (day, kind, verdict, blocked_for), count in counts.items():
        tally = session.get(GuardTally, (day, kind, verdict, blocked_for))
        if tally is None:
            session.add(
                GuardTally(
                    day=day, kind=kind, verdict=verdict, blocked_for=blocked_for, count=count
                )
            )
        else:
            tally.count += count
    session.flush()


def figures(session: Session, start: datetime, end: datetime) -> dict[str, Any]:
    """The gate's figures for ``start <= moment < end``: decisions still kept and the
    tallies of purged ones (a tally counts when its day begins within the period); an
    operator's trials are left out.

    ``prompts_blocked_by_category`` counts a blocked prompt once per category it was
    blocked for (a reason of that category said block), so its sum may exceed
    ``prompts_by_verdict["block"]``."""
    counts = _decision_counts(session, start, end)
    prompts = {key[1:]: n for key, n in counts.items() if key[0] == DecisionKind.PROMPT.value}
    outputs = {key[1:]: n for key, n in counts.items() if key[0] == DecisionKind.OUTPUT.value}
    blocked_by_category = Counter[str]()
    for (verdict, blocked_for), count in prompts.items():
        if verdict == Verdict.BLOCK.value:
            for category in filter(None, blocked_for.split(",")):
                blocked_by_category[category] += count
    return {
        "prompts_screened": sum(prompts.values()),
        "prompts_by_verdict": _by_verdict(prompts),
        "prompts_blocked_by_category": dict(sorted(blocked_by_category.items())),
        "outputs_checked": sum(outputs.values()),
        "outputs_by_verdict": _by_verdict(outputs),
        "bans": _bans(session, start, end),
        "appeals_of_bans": _appeals(session, start, end),
    }


def _decision_counts(
    session: Session, start: datetime, end: datetime
) -> Counter[tuple[str, str, str]]:
    """(kind, verdict, blocked_for) -> count, from kept decisions (not trials) and tallies
    together."""
    counts: Counter[tuple[str, str, str]] = Counter()
    kept = session.execute(
        select(
            GuardDecision.kind,
            GuardDecision.verdict,
            GuardDecision.blocked_for,
            func.count(GuardDecision.id),
        )
        .where(GuardDecision.created_at >= start, GuardDecision.created_at < end)
        .where(GuardDecision.user != TRIAL_USER)
        .group_by(GuardDecision.kind, GuardDecision.verdict, GuardDecision.blocked_for)
    )
    for kind, verdict, blocked_for, count in kept:
        counts[kind, verdict, blocked_for] += int(count)
    first = start.astimezone(UTC).date()
    if datetime.combine(first, time(), UTC) < start:
        first += timedelta(days=1)
    tallied = session.execute(
        select(
            GuardTally.kind, GuardTally.verdict, GuardTally.blocked_for, func.sum(GuardTally.count)
        )
        .where(GuardTally.day >= first, GuardTally.day < _day_of(end))
        .group_by(GuardTally.kind, GuardTally.verdict, GuardTally.blocked_for)
    )
    for kind, verdict, blocked_for, count in tallied:
        counts[kind, verdict, blocked_for] += int(count or 0)
    return counts


def _day_of(end: datetime) -> date:
    """The first day whose beginning is at or after ``end``."""
    day = end.astimezone(UTC).date()
    return day if datetime.combine(day, time(), UTC) >= end else day + timedelta(days=1)


def _by_verdict(counts: dict[tuple[str, str], int]) -> dict[str, int]:
    totals = {verdict.value: 0 for verdict in Verdict}
    for (verdict, _blocked_for), count in counts.items():
        totals[verdict] = totals.get(verdict, 0) + count
    return totals


def _between(column: Any, start: datetime, end: datetime) -> Any:
    return (column >= start) & (column < end)


def _bans(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    started = select(func.count(GuardBan.id)).where(_between(GuardBan.started_at, start, end))
    lifted = select(func.count(GuardBan.id)).where(_between(GuardBan.lifted_at, start, end))
    return {
        "started": int(session.scalar(started) or 0),
        "lifted_early": int(session.scalar(lifted) or 0),
    }


def _appeals(session: Session, start: datetime, end: datetime) -> dict[str, int]:
    def count(*where: Any) -> int:
        return int(session.scalar(select(func.count(GuardAppeal.id)).where(*where)) or 0)

    decided = _between(GuardAppeal.decided_at, start, end)
    return {
        "submitted": count(_between(GuardAppeal.submitted_at, start, end)),
        "granted": count(decided, GuardAppeal.status == AppealStatus.GRANTED.value),
        "rejected": count(decided, GuardAppeal.status == AppealStatus.REJECTED.value),
    }


class GuardRetention(BackgroundLoop):
    """Purges expired decisions once a day (and when the server starts)."""

    def __init__(self, sessions: sessionmaker[Session], settings: Settings) -> None:
        super().__init__("accord-guard-retention", PURGE_INTERVAL_SECONDS)
        self._sessions = sessions
        self._settings = settings

    def step(self) -> None:
        try:
            with self._sessions() as session:
                session.info["actor"] = "guard-retention"
                purged = purge_expired(session, self._settings, datetime.now(UTC))
                session.commit()
            if purged:
                logger.info("purged %d generation-gate decisions past their retention", purged)
        except Exception:  # a bad round must not end the purging for good
            logger.exception("generation-gate purge failed")
