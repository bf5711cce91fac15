"""accord's own watermark as evidence: the picture was signed by an accord instance.

The mark names a provenance record (its id's first 16 hex digits). On its own it says
the picture, or the picture it was made from, was published with Content Credentials by
an accord instance; the instance's registry (the banks producer) says which record and
whether the picture changed since.
"""

from __future__ import annotations

from collections.abc import Sequence

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.media.kinds import MediaKind
from accord.signals.watermark import read_watermark


class AccordWatermarkProducer(Producer):
    name = "accord_watermark"
    version = "1"
    media_kinds = frozenset({MediaKind.IMAGE})
    pixels_only = True
    description = "accord's invisible watermark, naming a provenance record"

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        reading = read_watermark(subject.image())
        if reading is None:
            return []
        return [
            Finding(
                producer=self.name,
                code=f"{self.name}.present",
                direction=Direction.NEUTRAL,
                strength=Strength.MODERATE,
                explanation=(
                    "It carries accord's invisible watermark, naming provenance record "
                    f"{reading.payload_hex}…: an accord instance signed this picture, or the "
                    "one it was made from."
                ),
                limits=(
                    "The mark's pattern is public, so it can be copied onto another picture; "
                    "only the record's registry can say whether this picture is the one signed."
                ),
                details={
                    "payload": reading.payload_hex,
                    "sync_score": round(reading.sync_score, 1),
                    "scale": round(reading.scale, 3),
                    "rotation_degrees": round(reading.rotation_degrees, 2),
                },
            )
        ]
