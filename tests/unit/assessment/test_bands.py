"""How findings become a band: only strong findings decide, seriousness wins, and the
assessment abstains rather than guesses."""

from __future__ import annotations

import pytest

from accord.assessment.bands import Band, decide
from accord.assessment.evidence import Direction, Finding, Strength


def finding(direction: Direction, strength: Strength, code: str = "x") -> Finding:
    return Finding("test", f"test.{code}", direction, strength, "because", "limits")


D, S = Direction, Strength


@pytest.mark.parametrize(
    ("findings", "band"),
    [
        ([], Band.NO_EVIDENCE),
        ([finding(D.SYNTHETIC, S.MODERATE), finding(D.ALTERED, S.WEAK)], Band.NO_EVIDENCE),
        ([finding(D.SYNTHETIC, S.STRONG)], Band.LIKELY_AI),
        ([finding(D.ALTERED, S.STRONG), finding(D.SYNTHETIC, S.CONCLUSIVE)], Band.ALTERED),
        ([finding(D.DECEPTIVE, S.CONCLUSIVE), finding(D.AUTHENTIC, S.CONCLUSIVE)],
         Band.CONFIRMED_DECEPTIVE),
        ([finding(D.AUTHENTIC, S.CONCLUSIVE)], Band.VERIFIED_AUTHENTIC),
        ([finding(D.AUTHENTIC, S.STRONG)], Band.LIKELY_AUTHENTIC),
        # Conclusive but doubted by moderate evidence: no longer verified.
        ([finding(D.AUTHENTIC, S.CONCLUSIVE), finding(D.SYNTHETIC, S.MODERATE)],
         Band.NO_EVIDENCE),
        ([finding(D.AUTHENTIC, S.STRONG), finding(D.NEUTRAL, S.CONCLUSIVE)],
         Band.LIKELY_AUTHENTIC),
    ],
)  # fmt: skip
def test_bands(findings: list[Finding], band: Band) -> None:
    assert decide(findings).band is band


def test_a_disagreement_is_reported_beside_the_band() -> None:
    ai = finding(D.SYNTHETIC, S.STRONG, "ai")
    camera = finding(D.AUTHENTIC, S.CONCLUSIVE, "camera")
    decision = decide([camera, ai])
    assert (decision.band, decision.deciding, decision.conflicting) == (
        Band.LIKELY_AI,
        (ai,),
        (camera,),
    )
