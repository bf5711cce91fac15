"""The page's plain words for what C2PA manifests declare: how media came to be, and edits.

The card sorts each declared digital source type into camera, AI, person or other so a
reader sees at a glance whether the signer says a camera or generative AI made the file.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Origin(StrEnum):
    CAMERA = "camera"
    AI = "ai"
    PERSON = "person"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Source:
    origin: Origin
    words: str


#: IPTC digital source types (the last segment of their URI).
_SOURCES = {
    "digitalCapture": Source(Origin.CAMERA, "Captured by a camera or recorder"),
    "computationalCapture": Source(
        Origin.CAMERA, "Captured with computational photography (no generative AI)"
    ),
    "minorHumanEdits": Source(Origin.CAMERA, "Captured, then lightly edited"),
    "compositeCapture": Source(Origin.CAMERA, "Combined from several captures"),
    "trainedAlgorithmicMedia": Source(Origin.AI, "Made by generative AI"),
    "compositeWithTrainedAlgorithmicMedia": Source(
        Origin.AI, "Combined with content made by generative AI"
    ),
    "compositeSynthetic": Source(
        Origin.AI, "Combined from several sources, some made by generative AI"
    ),
    "trainedAlgorithmicData": Source(Origin.AI, "Data made by generative AI"),
    "humanEdits": Source(Origin.PERSON, "Edited by a person"),
    "digitalCreation": Source(Origin.PERSON, "Made by a person with digital tools"),
    "digitalArt": Source(Origin.PERSON, "Made by a person with digital tools"),
    "algorithmicallyEnhanced": Source(Origin.OTHER, "Enhanced by an algorithm (no generative AI)"),
    "algorithmicMedia": Source(Origin.OTHER, "Made by an algorithm (not generative AI)"),
    "composite": Source(Origin.OTHER, "Combined from several sources"),
    "screenCapture": Source(Origin.OTHER, "A screen capture"),
    "virtualRecording": Source(Origin.OTHER, "A recording of a virtual scene"),
    "dataDrivenMedia": Source(Origin.OTHER, "Made from data"),
}

#: C2PA action names (``c2pa.`` stripped).
_ACTIONS = {
    "created": "Created",
    "opened": "Opened from an existing file",
    "placed": "Other content placed into it",
    "edited": "Edited",
    "edited.metadata": "Its metadata edited",
    "color_adjustments": "Colours adjusted",
    "cropped": "Cropped",
    "resized": "Resized",
    "orientation": "Turned or flipped",
    "filtered": "Filtered",
    "drawing": "Drawn on",
    "removed": "Something removed",
    "redacted": "Something redacted",
    "converted": "Converted to another format",
    "transcoded": "Re-encoded",
    "repackaged": "Repackaged (same content)",
    "published": "Published",
    "watermarked": "An invisible watermark added",
    "unknown": "Changed in an undeclared way",
}

#: How an ingredient relates to the file that holds it.
_RELATIONSHIPS = {
    "parentOf": "The original it was made from",
    "componentOf": "A part placed into it",
    "inputTo": "An input used to make it",
}


def source(kind: str) -> Source:
    return _SOURCES.get(kind, Source(Origin.OTHER, kind))


def action(name: str) -> str:
    """``c2pa.cropped`` reads "Cropped"; a name not in C2PA's list is shown as it is."""
    return _ACTIONS.get(name.removeprefix("c2pa."), name)


def relationship(name: str | None) -> str:
    if name is None:
        return "An ingredient"
    return _RELATIONSHIPS.get(name, name)
