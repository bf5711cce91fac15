"""Known generator watermarks: the invisible marks Stable Diffusion's open code writes.

Stability AI's SD 1.x, SD 2.x and SDXL code, diffusers' SDXL pipelines and the tools
built on them hide a fixed message in their pictures (``accord.assessment.
stable_diffusion_watermark`` reads it). A message that reads back is strong evidence
that such software made the picture; finding none means little, since the mark is lost
to recompression and resizing and most generators write none. accord's own watermark is
another producer's business.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.stable_diffusion_watermark import (
    MIN_PIXELS,
    MarkReading,
    Verdict,
    read_known_marks,
)
from accord.media.kinds import MediaKind

#: Longest side read. The marks are read at the size they were written, and generators
#: write at most a few megapixels; beyond this the work is not worth it.
MAX_SIDE = 4096

_STRENGTHS = {Verdict.VERY_LIKELY: Strength.STRONG, Verdict.LIKELY: Strength.MODERATE}
_CONCLUSIONS = {
    Verdict.VERY_LIKELY: "The picture was very likely made with that software.",
    Verdict.LIKELY: "The picture was likely made with that software; the match is partial.",
}

_FOUND_LIMITS = (
    "The watermark shows that software which adds it (Stability AI's reference code, "
    "diffusers, or a tool built on them) produced or passed on this picture. Anyone can "
    "write this open watermark onto any picture, so it does not prove who made the "
    "picture, and it says nothing about what the picture shows."
)
_NONE_LIMITS = (
    "These watermarks do not survive JPEG recompression, resizing or cropping off their "
    "grid, so copies from social media rarely keep them; many generators add none "
    "(diffusers only when invisible-watermark is installed, and most commercial services "
    "use other, closed marks). Finding none says nothing about how the picture was made."
)


class GeneratorWatermarksProducer(Producer):
    name: ClassVar[str] = "generator_watermarks"
    version: ClassVar[str] = "1"
    media_kinds: ClassVar[frozenset[MediaKind]] = frozenset({MediaKind.IMAGE})
    pixels_only: ClassVar[bool] = True
    description: ClassVar[str] = (
        "Reads the invisible watermarks of Stable Diffusion 1.x, 2.x and XL (dwtDct) "
        "from the pixels at their stored size."
    )

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        picture = subject.picture()
        height, width = picture.full_shape
        if max(height, width) > MAX_SIDE:
            return [
                self._not_checked(
                    f"The picture is {width}x{height} pixels, larger than the {MAX_SIDE} "
                    "pixels on the long side that this check reads; Stable Diffusion "
                    "watermarks were not looked for."
                )
            ]
        if height * width < MIN_PIXELS:
            return [
                self._not_checked(
                    f"The picture is {width}x{height} pixels: too small to carry a Stable "
                    "Diffusion watermark (their embedder refuses pictures under 256x256)."
                )
            ]
        readings = read_known_marks(subject.image())
        found = [
            self._found(reading)
            for reading in _best_per_mark(readings)
            if reading.verdict is not Verdict.NONE
        ]
        return found or [self._none_found(readings)]

    def _found(self, reading: MarkReading) -> Finding:
        mark = reading.mark
        return Finding(
            producer=self.name,
            code=f"{self.name}.stable_diffusion",
            direction=Direction.SYNTHETIC,
            strength=_STRENGTHS[reading.verdict],
            explanation=(
                f"The invisible watermark of {mark.label} (message {mark.message}) reads back "
                f"from the pixels: {reading.matching} of {reading.total} bits match "
                f"({mark.very_likely_at} or more mean very likely watermarked, "
                f"{mark.likely_at} or more likely). {_CONCLUSIONS[reading.verdict]}"
            ),
            limits=_FOUND_LIMITS,
            details={**_reading_details(reading), "generator": mark.label},
        )

    def _none_found(self, readings: Sequence[MarkReading]) -> Finding:
        return Finding(
            producer=self.name,
            code=f"{self.name}.none_found",
            direction=Direction.NEUTRAL,
            strength=Strength.WEAK,
            explanation=(
                "No known generator watermark found: none of the Stable Diffusion 1.x, 2.x "
                "or XL watermark messages reads back from the pixels."
            ),
            limits=_NONE_LIMITS,
            details={"readings": [_reading_details(r) for r in _best_per_mark(readings)]},
        )

    def _not_checked(self, explanation: str) -> Finding:
        return Finding(
            producer=self.name,
            code=f"{self.name}.not_checked",
            direction=Direction.NEUTRAL,
            strength=Strength.WEAK,
            explanation=explanation,
            limits=_NONE_LIMITS,
        )


def _best_per_mark(readings: Sequence[MarkReading]) -> list[MarkReading]:
    """Each message's best reading over the ways it may have been written."""
    best: dict[str, MarkReading] = {}
    for reading in readings:
        held = best.get(reading.mark.key)
        if held is None or reading.matching > held.matching:
            best[reading.mark.key] = reading
    return list(best.values())


def _reading_details(reading: MarkReading) -> dict[str, Any]:
    mark = reading.mark
    return {
        "mark": mark.key,
        "message": mark.message,
        "bits_matching": reading.matching,
        "bits_total": reading.total,
        "channel_order": str(reading.order),
        "pixel_type": str(reading.pixel_type),
        "verdict": str(reading.verdict),
        "very_likely_at": mark.very_likely_at,
        "likely_at": mark.likely_at,
    }
