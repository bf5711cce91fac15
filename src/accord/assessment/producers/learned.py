"""Learned detectors as evidence: never decisive alone.

Open detectors lose about half their AUC on real-world deepfakes (Deepfake-Eval-2024), so
even a confident score is moderate evidence, and the finding carries the model card's
domain and limits for the reader to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from accord.assessment.detectors import Detector, load_detectors
from accord.assessment.evidence import Direction, Finding, Producer, Strength, Subject
from accord.media.kinds import MediaKind


class LearnedDetectorsProducer(Producer):
    name = "learned_detectors"
    version = "1"
    media_kinds = frozenset({MediaKind.IMAGE})
    pixels_only = True
    description = "ONNX image classifiers configured by the operator, with model cards"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def produce(self, subject: Subject) -> Sequence[Finding]:
        pixels = subject.image()
        return [_finding(detector, detector.probability(pixels)) for detector in self._loaded()]

    def _loaded(self) -> Sequence[Detector]:
        return load_detectors(self.folder)


def _finding(detector: Detector, probability: float) -> Finding:
    card = detector.card
    said = f"The detector {card.name} {card.version} gives {probability:.0%} that it was made by AI"
    if probability >= card.synthetic_threshold:
        direction, strength, verdict = Direction.SYNTHETIC, Strength.MODERATE, "towards AI"
    elif probability <= card.authentic_threshold:
        direction, strength, verdict = Direction.AUTHENTIC, Strength.WEAK, "towards authentic"
    else:
        direction, strength, verdict = Direction.NEUTRAL, Strength.WEAK, "undecided"
    return Finding(
        producer=LearnedDetectorsProducer.name,
        code=f"{LearnedDetectorsProducer.name}.{card.name}",
        direction=direction,
        strength=strength,
        explanation=f"{said} ({verdict}). It was made for: {card.intended_domain}.",
        limits=(
            f"{card.known_limits} Trained on: {card.training_data}. Learned detectors "
            "often fail on media unlike their training data and are never decisive alone."
        ),
        details={
            "model": card.name,
            "version": card.version,
            "probability": round(probability, 4),
            "thresholds": {
                "synthetic": card.synthetic_threshold,
                "authentic": card.authentic_threshold,
            },
        },
    )
