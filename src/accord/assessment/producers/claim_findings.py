"""Claims as findings: the one shape both claims producers (``spoken_claims``,
``text_claims``) report a claim in, ``Assessment.claims`` reads back, and a server answers
for words screened without a file."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from accord.assessment.evidence import Direction, Finding, Strength
from accord.claims.statements import Claim
from accord.claims.verdicts import Verdict
from accord.speech.transcript import clock

__all__ = ["SAID", "claim_findings", "claim_json"]

#: Where a claim's words came from ("from" in its JSON): the file's sound, the post's
#: caption, or the notifier's explanation in a notice.
SAID = ("speech", "caption", "notice")


def claim_json(claim: Claim, said: str) -> dict[str, Any]:
    """The claim's JSON (``Claim.to_json``) with where its words came from (``SAID``)."""
    return claim.to_json() | {"from": said}


def claim_findings(
    producer: str, claims: Sequence[Claim], *, said: str, limits: str
) -> list[Finding]:
    """One neutral finding per claim, code ``<producer>.<category>``: strong for a block,
    moderate for a review. ``said``: where the words came from (``SAID``)."""
    return [
        Finding(
            producer=producer,
            code=f"{producer}.{claim.category.value}",
            direction=Direction.NEUTRAL,
            strength=Strength.STRONG if claim.verdict is Verdict.BLOCK else Strength.MODERATE,
            explanation=f"{claim.explanation} {_where(claim)}",
            limits=limits,
            details=claim_json(claim, said),
        )
        for claim in claims
    ]


def _where(claim: Claim) -> str:
    if claim.start is None or claim.end is None:
        return f"Written: “{claim.words}”."
    return f"Said from {clock(claim.start)} to {clock(claim.end)}: “{claim.words}”."
