"""Each screening kept as a ``GuardDecision``: the prompt's digest and a redacted excerpt,
the verdict and its reasons, who asked and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.claims.verdicts import Category, Reason, Verdict
from accord.server.db.base import utc_now
from accord.server.guard.models import DecisionKind, GuardDecision
from accord.server.guard.redaction import excerpt, prompt_digest
from accord.server.metrics.instruments import count_guard_verdict


def record_decision(
    session: Session,
    *,
    kind: str,
    user: str,
    client: str,
    tool: str,
    language: str,
    verdict: Verdict,
    reasons: Sequence[Reason],
    prompt: str | None,
    at: datetime | None = None,
) -> GuardDecision:
    """Keep one decision (``kind``: prompt or output). ``prompt`` is kept only as its
    SHA-256 and a redacted excerpt; an output stamped without one keeps empty strings.
    Each reason's evidence and explanation are kept as the same redacted excerpt: they
    quote the prompt, maybe at length. ``user`` "" is an operator's trial."""
    ranked = sorted(reasons, key=lambda reason: -reason.verdict.severity)
    blocked_for = sorted(
        {reason.category.value for reason in ranked if reason.verdict is Verdict.BLOCK}
    )
    decision = GuardDecision(
        created_at=at or utc_now(),
        user=user[:200],
        client=client[:200],
        kind=DecisionKind(kind).value,
        tool=tool,
        language=language,
        verdict=verdict.value,
        category=ranked[0].category.value if ranked and verdict is not Verdict.ALLOW else "",
        blocked_for=",".join(blocked_for) if verdict is Verdict.BLOCK else "",
        reasons=[_kept(reason) for reason in ranked],
        prompt_sha256=prompt_digest(prompt) if prompt else "",
        excerpt=excerpt(prompt) if prompt else "",
    )
    session.add(decision)
    session.flush()
    count_guard_verdict(decision.kind, decision.verdict)
    return decision


def _kept(reason: Reason) -> dict[str, str]:
    return {
        **reason.to_json(),
        "explanation": excerpt(reason.explanation),
        "evidence": excerpt(reason.evidence),
    }


def latest_blocks(session: Session, limit: int = 50) -> list[GuardDecision]:
    """The newest blocked decisions (prompts and outputs), newest first; a banned user's
    refusals are left out (``banned_refusals`` counts them): they would crowd out the
    blocks that say something."""
    query = (
        select(GuardDecision)
        .where(GuardDecision.verdict == Verdict.BLOCK.value)
        .where(GuardDecision.category != Category.USER_BANNED.value)
        .order_by(GuardDecision.created_at.desc(), GuardDecision.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def banned_refusals(session: Session, since: datetime) -> int:
    """How many decisions since ``since`` refused a banned user."""
    query = select(func.count(GuardDecision.id)).where(
        GuardDecision.category == Category.USER_BANNED.value, GuardDecision.created_at >= since
    )
    return int(session.scalar(query) or 0)
