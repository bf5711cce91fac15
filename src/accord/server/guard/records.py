"""Each screening kept as a ``GuardDecision``: the prompt's digest and a redacted excerpt,
the verdict and its reasons, who asked and when."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.claims.verdicts import Reason, Verdict
from accord.server.db.base import utc_now
from accord.server.guard.models import DecisionKind, GuardDecision
from accord.server.guard.redaction import excerpt, prompt_digest, redact


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
    The reasons' evidence is redacted too: it quotes the prompt."""
    ranked = sorted(reasons, key=lambda reason: -reason.verdict.severity)
    decision = GuardDecision(
        created_at=at or utc_now(),
        user=user[:200],
        client=client[:200],
        kind=DecisionKind(kind).value,
        tool=tool,
        language=language,
        verdict=verdict.value,
        category=ranked[0].category.value if ranked and verdict is not Verdict.ALLOW else "",
        reasons=[_kept(reason) for reason in ranked],
        prompt_sha256=prompt_digest(prompt) if prompt else "",
        excerpt=excerpt(prompt) if prompt else "",
    )
    session.add(decision)
    session.flush()
    return decision


def _kept(reason: Reason) -> dict[str, str]:
    return {
        "category": reason.category.value,
        "explanation": redact(reason.explanation),
        "evidence": redact(reason.evidence),
        "verdict": reason.verdict.value,
        "source": reason.source,
    }


def latest_blocks(session: Session, limit: int = 50) -> list[GuardDecision]:
    """The newest blocked decisions (prompts and outputs), newest first."""
    query = (
        select(GuardDecision)
        .where(GuardDecision.verdict == Verdict.BLOCK.value)
        .order_by(GuardDecision.created_at.desc(), GuardDecision.id.desc())
        .limit(limit)
    )
    return list(session.scalars(query))
