"""From findings to one band, or an honest "no evidence either way".

Only strong and conclusive findings decide; weak and moderate ones are shown but never
move the band, so an assessment abstains rather than guesses. When decisive findings
disagree, the more serious reading wins (confirmed deceptive, then altered, then
AI-generated, then authentic) and the disagreement is reported beside it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from accord.assessment.evidence import Direction, Finding, Strength


class Band(StrEnum):
    CONFIRMED_DECEPTIVE = "confirmed_deceptive"
    ALTERED = "altered_from_authentic"
    LIKELY_AI = "likely_ai_generated"
    NO_EVIDENCE = "no_evidence_either_way"
    LIKELY_AUTHENTIC = "likely_authentic"
    VERIFIED_AUTHENTIC = "verified_authentic"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Band.CONFIRMED_DECEPTIVE: "Confirmed deceptive",
    Band.ALTERED: "Altered from an authentic original",
    Band.LIKELY_AI: "Likely AI-generated",
    Band.NO_EVIDENCE: "No evidence either way",
    Band.LIKELY_AUTHENTIC: "Likely authentic",
    Band.VERIFIED_AUTHENTIC: "Verified authentic",
}
#: Directions in the order in which they win a disagreement.
_PRECEDENCE = (Direction.DECEPTIVE, Direction.ALTERED, Direction.SYNTHETIC, Direction.AUTHENTIC)
_BAND_OF = {
    Direction.DECEPTIVE: Band.CONFIRMED_DECEPTIVE,
    Direction.ALTERED: Band.ALTERED,
    Direction.SYNTHETIC: Band.LIKELY_AI,
}


@dataclass(frozen=True, slots=True)
class Decision:
    band: Band
    #: The findings that decided the band (empty when abstaining).
    deciding: tuple[Finding, ...]
    #: Decisive findings that pointed elsewhere.
    conflicting: tuple[Finding, ...]


def decide(findings: Sequence[Finding]) -> Decision:
    decisive = [f for f in findings if f.strength.rank >= Strength.STRONG.rank]
    for direction in _PRECEDENCE:
        deciding = tuple(f for f in decisive if f.direction is direction)
        if not deciding:
            continue
        conflicting = tuple(
            f for f in decisive if f.direction not in (direction, Direction.NEUTRAL)
        )
        return Decision(_band(direction, deciding, findings), deciding, conflicting)
    return Decision(Band.NO_EVIDENCE, (), ())


def _band(direction: Direction, deciding: Sequence[Finding], all_: Sequence[Finding]) -> Band:
    if direction is not Direction.AUTHENTIC:
        return _BAND_OF[direction]
    # Authentic is verified only by conclusive evidence that nothing moderate contradicts.
    doubts = any(
        f.direction in (Direction.SYNTHETIC, Direction.ALTERED, Direction.DECEPTIVE)
        and f.strength.rank >= Strength.MODERATE.rank
        for f in all_
    )
    conclusive = any(f.strength is Strength.CONCLUSIVE for f in deciding)
    if conclusive and not doubts:
        return Band.VERIFIED_AUTHENTIC
    return Band.LIKELY_AUTHENTIC if not doubts else Band.NO_EVIDENCE
