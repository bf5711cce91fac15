"""Measures against misuse (DSA Art. 23) through strikes.

Each restrictive decision gives the uploader a strike weighted by its gravity; a
decision that finds notices manifestly unfounded gives their notifiers one. Strikes
expire. Their active total climbs a ladder, one rung at a time, so a suspension always
follows a prior warning and a termination a prior suspension, as Art. 23 asks:

- ``warning_at`` points: a warning;
- ``suspension_at`` points, once warned: a suspension for ``suspension_days``;
- ``termination_at`` points, once suspended: termination.

An appeal that reverses a decision removes its strikes and lifts the measures they caused.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from accord.server.db.base import utc_now
from accord.server.measures.models import AccountMeasure, MeasureKind, Strike, SubjectKind

#: The strikes whose subjects ``pseudonymise_lapsed`` looks at.
_Lapsed = aliased(Strike)

if TYPE_CHECKING:
    from accord.server.decisions.models import Decision
    from accord.server.settings import Settings


@dataclass(frozen=True, slots=True)
class StrikePolicy:
    #: Gravity of each action, by ``Action`` value; unlisted actions give no strike.
    weights: Mapping[str, int]
    unfounded_notice_weight: int
    expiry: timedelta
    warning_at: int
    suspension_at: int
    termination_at: int
    suspension: timedelta


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


def add_strike(
    session: Session,
    policy: StrikePolicy,
    *,
    subject_kind: SubjectKind,
    subject: str,
    decision: Decision,
    weight: int,
) -> AccountMeasure | None:
    """Record a strike; the measure it leads to, if it crosses the next threshold."""
    if weight <= 0:
        return None
    now = utc_now()
    session.add(
        Strike(
            subject_kind=subject_kind,
            subject=subject,
            decision_id=decision.id,
            weight=weight,
            created_at=now,
            expires_at=now + policy.expiry,
        )
    )
    session.flush()
    points = active_points(session, subject_kind, subject)
    measure = _next_measure(session, policy, subject_kind, subject, points)
    if measure is None:
        return None
    row = AccountMeasure(
        subject_kind=subject_kind,
        subject=subject,
        kind=measure,
        decision_id=decision.id,
        points=points,
        until=now + policy.suspension if measure is MeasureKind.SUSPENSION else None,
    )
    session.add(row)
    session.flush()
    return row


def active_points(session: Session, subject_kind: str, subject: str) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(Strike.weight), 0)).where(
            Strike.subject_kind == subject_kind,
            Strike.subject == subject,
            Strike.removed_at.is_(None),
            Strike.expires_at > utc_now(),
        )
    )
    return int(total or 0)


def _next_measure(
    session: Session, policy: StrikePolicy, subject_kind: str, subject: str, points: int
) -> MeasureKind | None:
    standing = set(
        session.scalars(
            select(AccountMeasure.kind).where(
                AccountMeasure.subject_kind == subject_kind,
                AccountMeasure.subject == subject,
                AccountMeasure.lifted_at.is_(None),
            )
        )
    )
    if MeasureKind.TERMINATION in standing:
        return None
    if MeasureKind.SUSPENSION in standing:
        return MeasureKind.TERMINATION if points >= policy.termination_at else None
    if MeasureKind.WARNING in standing:
        return MeasureKind.SUSPENSION if points >= policy.suspension_at else None
    return MeasureKind.WARNING if points >= policy.warning_at else None


def undo_strikes(session: Session, decision: Decision) -> list[AccountMeasure]:
    """Remove the decision's strikes and lift the measures it caused; the lifted ones."""
    now = utc_now()
    for strike in session.scalars(
        select(Strike).where(Strike.decision_id == decision.id, Strike.removed_at.is_(None))
    ):
        strike.removed_at = now
    lifted = list(
        session.scalars(
            select(AccountMeasure).where(
                AccountMeasure.decision_id == decision.id, AccountMeasure.lifted_at.is_(None)
            )
        )
    )
    for measure in lifted:
        measure.lifted_at = now
    session.flush()
    return lifted


def standing_suspension(session: Session, subject_kind: str, subject: str) -> AccountMeasure | None:
    """The latest suspension or termination of ``subject`` not lifted (a suspension may
    have run out: its ``until`` is past)."""
    return session.scalar(
        select(AccountMeasure)
        .where(
            AccountMeasure.subject_kind == subject_kind,
            AccountMeasure.subject == subject,
            AccountMeasure.kind.in_([MeasureKind.SUSPENSION, MeasureKind.TERMINATION]),
            AccountMeasure.lifted_at.is_(None),
        )
        .order_by(AccountMeasure.id.desc())
    )


def imposed_counts(session: Session, start: datetime, end: datetime) -> dict[tuple[str, str], int]:
    """How many measures were imposed at ``start <= moment < end``, by (subject kind, kind):
    ``("uploader", "suspension")``, ``("notifier", "warning")``, ..."""
    keys = (AccountMeasure.subject_kind, AccountMeasure.kind)
    query = (
        select(*keys, func.count(AccountMeasure.id))
        .where(AccountMeasure.created_at >= start, AccountMeasure.created_at < end)
        .group_by(*keys)
    )
    return {
        (subject_kind, kind): int(count) for subject_kind, kind, count in session.execute(query)
    }


def rename_subject(session: Session, subject: str, replacement: str) -> int:
    """Give ``subject``'s strikes and measures to ``replacement``: an erased notifier's
    address becomes a pseudonym, and the counts the transparency report needs stay."""
    rows = [
        *session.scalars(select(Strike).where(Strike.subject == subject)),
        *session.scalars(select(AccountMeasure).where(AccountMeasure.subject == subject)),
    ]
    for row in rows:
        row.subject = replacement
    session.flush()
    return len(rows)


def pseudonymise_lapsed(session: Session, cutoff: datetime) -> dict[tuple[str, str], str]:
    """Give a pseudonym to every uploader and notifier address whose strikes all expired
    or were removed before ``cutoff`` and who has no suspension running after it nor a
    termination: their strikes and measures count on in the transparency report, under a
    name that says nobody's. Their ladder starts again at a warning. The (kind, subject)
    renamed, with the pseudonym each got."""
    live = exists().where(
        Strike.subject_kind == _Lapsed.subject_kind,
        Strike.subject == _Lapsed.subject,
        Strike.removed_at.is_(None),
        Strike.expires_at >= cutoff,
    )
    standing = exists().where(
        AccountMeasure.subject_kind == _Lapsed.subject_kind,
        AccountMeasure.subject == _Lapsed.subject,
        AccountMeasure.lifted_at.is_(None),
        or_(
            AccountMeasure.kind == MeasureKind.TERMINATION,
            and_(AccountMeasure.kind == MeasureKind.SUSPENSION, AccountMeasure.until >= cutoff),
        ),
    )
    personal = or_(
        _Lapsed.subject_kind == SubjectKind.UPLOADER, _Lapsed.subject.startswith("email:")
    )
    lapsed = session.execute(
        select(_Lapsed.subject_kind, _Lapsed.subject).where(personal, ~live, ~standing).distinct()
    ).all()
    renamed: dict[tuple[str, str], str] = {}
    for kind, subject in lapsed:
        pseudonym = f"erased:{secrets.token_hex(8)}"
        rows: list[Strike | AccountMeasure] = [
            *session.scalars(
                select(Strike).where(Strike.subject_kind == kind, Strike.subject == subject)
            ),
            *session.scalars(
                select(AccountMeasure).where(
                    AccountMeasure.subject_kind == kind, AccountMeasure.subject == subject
                )
            ),
        ]
        for row in rows:
            row.subject = pseudonym
        renamed[(kind, subject)] = pseudonym
    session.flush()
    return renamed


def names_subject(session: Session, subject_kind: str, subject: str) -> bool:
    """Whether a strike or measure still names ``subject``."""
    return any(
        session.scalar(
            select(model.id)
            .where(model.subject_kind == subject_kind, model.subject == subject)
            .limit(1)
        )
        is not None
        for model in (Strike, AccountMeasure)
    )
