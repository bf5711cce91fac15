"""Forensics for a person to read: error level analysis, noise residual inconsistency,
JPEG ghosts and copy-move detection, each with a heatmap and a reading guide.

Weak evidence by design, never decisive alone: a finding points towards *altered* only
when its method finds a localized anomaly over its threshold, and weighs at most
*moderate* (a copy-move that many geometrically consistent matches support).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, ClassVar

from accord.assessment.evidence import AssessedFile, Direction, Figure, Finding, Producer, Strength
from accord.media.kinds import MediaKind

if TYPE_CHECKING:
    from accord.assessment.forensics.reading import MethodReading


class ForensicsProducer(Producer):
    name: ClassVar[str] = "forensics"
    version: ClassVar[str] = "1"
    media_kinds: ClassVar[frozenset[MediaKind]] = frozenset({MediaKind.IMAGE})
    pixels_only: ClassVar[bool] = True
    description: ClassVar[str] = (
        "Classical image forensics (error level analysis, noise inconsistency, JPEG "
        "ghosts, copy-move), each as a heatmap with a reading guide; weak evidence of "
        "local editing, never decisive alone"
    )

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        # OpenCV takes half a second to import: only when a picture is examined.
        from accord.assessment.forensics.methods import read_all  # noqa: PLC0415

        return tuple(self._finding(reading) for reading in read_all(subject))

    def _finding(self, reading: MethodReading) -> Finding:
        strength = Strength.MODERATE if reading.anomaly and reading.corroborated else Strength.WEAK
        return Finding(
            producer=self.name,
            code=f"{self.name}.{reading.method}",
            direction=Direction.ALTERED if reading.anomaly else Direction.NEUTRAL,
            strength=strength,
            explanation=reading.explanation,
            limits=reading.limits,
            details=dict(reading.details),
            figures=(Figure(f"{reading.method}-heatmap", reading.heatmap, reading.guide),),
        )
