"""Generator metadata: what a file's own tags say about how it was made.

AI image tools leave fingerprints in metadata: Stable Diffusion web UIs write their
generation settings into PNG text chunks (``parameters``, ComfyUI's ``prompt`` and
``workflow``), Midjourney puts its job id in the description, services name themselves in
EXIF ``Software``, and Meta, Midjourney and Google declare an IPTC digital source type in
XMP. Cameras, in turn, write their make, model and exposure.

The fields are read by ``accord.media.metadata`` (XMP, EXIF, PNG text chunks, container
tags; offline and without decoding pixels); this producer says what they mean. Metadata
is stripped by most platforms and written by anyone, so no finding here is conclusive.
Content Credentials (C2PA) are the provenance producer's business.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.assessment.producers.generator_markers import Marker, editor_of, generator_markers
from accord.media.kinds import MediaKind
from accord.media.metadata import CONTAINER, EXIF, XMP, Field, read_fields

#: Characters of a value quoted in an explanation, and kept in ``details``.
QUOTE_CHARS = 120
VALUE_CHARS = 500
#: Distinct source types reported: real files have one or two; a hostile one could have
#: thousands.
MAX_SOURCE_TYPES = 4
MAX_REFUSED = 3

_LIMITS = (
    "Metadata is easily removed (most platforms strip it on upload) and easily written: "
    "anyone can add these fields to any file, or copy them from another. It says how the "
    "file was saved, not who made the picture or what it shows."
)
_CAMERA_LIMITS = (
    "Any editor can write these tags, and they survive most edits and many AI tools: "
    "they do not show that a camera took this picture or that it is unaltered."
)


# --- What the values mean -----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _SourceType:
    direction: Direction
    strength: Strength
    meaning: str


_AI = "made by generative AI"
_SOURCE_TYPES = {
    "trainedAlgorithmicMedia": _SourceType(Direction.SYNTHETIC, Strength.STRONG, _AI),
    "compositeWithTrainedAlgorithmicMedia": _SourceType(
        Direction.SYNTHETIC,
        Strength.STRONG,
        "partly AI (e.g. generative fill): a composite that includes generative-AI elements",
    ),
    "algorithmicMedia": _SourceType(
        Direction.SYNTHETIC,
        Strength.MODERATE,
        "made by an algorithm (without trained data), not captured from a real scene",
    ),
    "compositeSynthetic": _SourceType(
        Direction.SYNTHETIC, Strength.MODERATE, "a composite that includes synthetic elements"
    ),
    "algorithmicallyEnhanced": _SourceType(
        Direction.SYNTHETIC,
        Strength.WEAK,
        "enhanced by an algorithm or AI (e.g. upscaling, denoising, relighting)",
    ),
    "digitalCapture": _SourceType(
        Direction.AUTHENTIC, Strength.WEAK, "captured by a digital camera"
    ),
    "computationalCapture": _SourceType(
        Direction.AUTHENTIC,
        Strength.WEAK,
        "captured by a camera that merges several exposures (computational photography)",
    ),
    "negativeFilm": _SourceType(Direction.AUTHENTIC, Strength.WEAK, "scanned from film"),
    "positiveFilm": _SourceType(Direction.AUTHENTIC, Strength.WEAK, "scanned from film"),
    "print": _SourceType(Direction.AUTHENTIC, Strength.WEAK, "scanned from a print"),
    "minorHumanEdits": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a capture with minor human edits"
    ),
    "humanEdits": _SourceType(Direction.NEUTRAL, Strength.WEAK, "edited by a person"),
    "compositeCapture": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a composite of several captures"
    ),
    "screenCapture": _SourceType(Direction.NEUTRAL, Strength.WEAK, "a screenshot"),
    "dataDrivenMedia": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a rendering of data (e.g. a visualisation)"
    ),
    "digitalArt": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "made by a person with software (digital art)"
    ),
    "digitalCreation": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "made by a person with software (digital art)"
    ),
    "virtualRecording": _SourceType(
        Direction.NEUTRAL, Strength.WEAK, "a recording of a virtual scene"
    ),
}
_SOURCE_TYPE_KEYS = {name.lower(): name for name in _SOURCE_TYPES}


def source_type_name(value: str) -> str | None:
    """The IPTC code in ``value``: a URI, a bare code, or schema.org's spelling."""
    code = re.split(r"[/#]", value.strip())[-1].strip().lower()
    code = code.removesuffix("digitalsource")
    return _SOURCE_TYPE_KEYS.get(code)


# --- Findings ------------------------------------------------------------------------


def _field_json(field: Field) -> dict[str, str]:
    return {"container": field.container, "name": field.name, "value": _clip(field.value)}


def _clip(text: str, limit: int = VALUE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _wheres(fields: Iterable[Field]) -> str:
    grouped: dict[str, list[str]] = {}
    for field in fields:
        grouped.setdefault(field.container, []).append(f'"{field.name}"')
    parts = []
    for container, names in grouped.items():
        plural = "s" if len(names) > 1 else ""
        parts.append(f"{container}{plural} {' and '.join(names)}")
    return "; ".join(parts)


class GeneratorMetadataProducer(Producer):
    name: ClassVar[str] = "generator_metadata"
    version: ClassVar[str] = "1"
    media_kinds: ClassVar[frozenset[MediaKind]] = frozenset(MediaKind)
    description: ClassVar[str] = (
        "Reads generator markers, the IPTC digital source type and camera tags from XMP, "
        "EXIF, PNG text chunks and container tags."
    )

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        fields, refused = read_fields(subject.media)
        findings = [self._marker(marker) for marker in generator_markers(fields)]
        findings += self._source_types(fields)
        findings += self._camera(fields)
        findings += self._editors(fields)
        # A hostile file can hold thousands of bad chunks: say the first few.
        findings += [self._refused(r) for r in list(dict.fromkeys(refused))[:MAX_REFUSED]]
        return findings

    def _finding(self, code: str, direction: Direction, strength: Strength, **rest: Any) -> Finding:
        return Finding(
            producer=self.name,
            code=f"{self.name}.{code}",
            direction=direction,
            strength=strength,
            **rest,
        )

    def _marker(self, marker: Marker) -> Finding:
        first = marker.fields[0]
        return self._finding(
            "generator_marker",
            Direction.SYNTHETIC,
            Strength.STRONG,
            explanation=(
                f"{_wheres(marker.fields)} written by {marker.generator}: "
                f'"{_clip(first.value, QUOTE_CHARS)}". Only generative-AI tools write this, '
                "so the file says it was made with AI."
            ),
            limits=_LIMITS,
            details={
                "generator": marker.generator,
                "fields": [_field_json(field) for field in marker.fields],
            },
        )

    def _source_types(self, fields: Sequence[Field]) -> list[Finding]:
        findings = []
        seen: set[str] = set()
        for field in fields:
            if not field.name.endswith("DigitalSourceType") or field.value in seen:
                continue
            if len(seen) == MAX_SOURCE_TYPES:
                break
            seen.add(field.value)
            code = source_type_name(field.value)
            kind = _SOURCE_TYPES.get(code or "")
            meaning = kind.meaning if kind else "a value accord does not recognise"
            findings.append(
                self._finding(
                    "ai_source_type"
                    if kind and kind.direction is Direction.SYNTHETIC
                    else "source_type",
                    kind.direction if kind else Direction.NEUTRAL,
                    kind.strength if kind else Strength.WEAK,
                    explanation=(
                        f"{field.where()} declares the IPTC digital source type "
                        f'"{code or _clip(field.value, QUOTE_CHARS)}": {meaning}.'
                    ),
                    limits=_LIMITS,
                    details={**_field_json(field), "source_type": code},
                )
            )
        return findings

    def _camera(self, fields: Sequence[Field]) -> list[Finding]:
        camera = _camera_fields(fields)
        if camera is None:
            return []
        make, model, capture = camera
        recorded = ", ".join(field.name for field in capture)
        return [
            self._finding(
                "camera",
                Direction.AUTHENTIC,
                Strength.WEAK,
                explanation=(
                    f'The {make.container} tags name the camera "{_clip(model.value, QUOTE_CHARS)}"'
                    f" ({_clip(make.value, QUOTE_CHARS)})"
                    + (f" and record {recorded}" if recorded else "")
                    + ": typical of a camera original."
                ),
                limits=_CAMERA_LIMITS,
                details={"fields": [_field_json(field) for field in (make, model, *capture)]},
            )
        ]

    def _editors(self, fields: Sequence[Field]) -> list[Finding]:
        findings = []
        seen: set[str] = set()
        for field in fields:
            editor = editor_of(field)
            if editor is None or editor.lower() in seen:
                continue
            seen.add(editor.lower())
            findings.append(
                self._finding(
                    "editing_software",
                    Direction.NEUTRAL,
                    Strength.WEAK,
                    explanation=(
                        f"{field.where()} says the file was edited with {editor}: "
                        f'"{_clip(field.value, QUOTE_CHARS)}".'
                    ),
                    limits=(
                        "Editing is ordinary (cropping, exposure, export) and says nothing "
                        "about whether the content is real; the tag is easily removed or written."
                    ),
                    details={**_field_json(field), "editor": editor},
                )
            )
        return findings

    def _refused(self, reason: str) -> Finding:
        return self._finding(
            "unreadable",
            Direction.NEUTRAL,
            Strength.WEAK,
            explanation=f"Part of the file's metadata was not read: {reason}.",
            limits=(
                "The unread metadata may have held a generator's name or a digital source "
                "type; a packet like this is unusual but not itself evidence of anything."
            ),
            details={"reason": reason},
        )


def _camera_fields(fields: Sequence[Field]) -> tuple[Field, Field, list[Field]] | None:
    """Make, model and exposure tags: EXIF with two or more exposure tags, or a video's
    make and model."""
    named = {(field.container, field.name): field for field in fields}
    make = named.get((EXIF, "Make")) or named.get((XMP, "tiff:Make"))
    model = named.get((EXIF, "Model")) or named.get((XMP, "tiff:Model"))
    capture = [f for f in fields if f.container == EXIF and f.name in _CAPTURE_TAGS]
    if make and model and len(capture) >= _CAPTURE_TAGS_NEEDED:
        return make, model, capture
    make = named.get((CONTAINER, "com.apple.quicktime.make")) or named.get((CONTAINER, "make"))
    model = named.get((CONTAINER, "com.apple.quicktime.model")) or named.get((CONTAINER, "model"))
    return (make, model, []) if make and model else None


#: Exposure tags cameras write; two or more beside make and model look like a capture.
_CAPTURE_TAGS = {
    "DateTimeOriginal",
    "ExposureTime",
    "FNumber",
    "ISOSpeedRatings",
    "FocalLength",
    "LensModel",
    "MakerNote",
}
_CAPTURE_TAGS_NEEDED = 2
