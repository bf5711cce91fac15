"""Learned detectors as evidence: never decisive alone.

Open detectors lose about half their AUC on real-world deepfakes (Deepfake-Eval-2024), so
even a confident score is moderate evidence, and the finding carries the model card's
domain and limits for the reader to judge.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from accord.assessment.detectors import MAX_AUDIO_SECONDS, AudioInput, Detector, load_detectors
from accord.assessment.evidence import AssessedFile, Direction, Finding, Producer, Strength
from accord.errors import UnsupportedMedia
from accord.media.audio import decode_audio
from accord.media.kinds import MediaKind


class LearnedDetectorsProducer(Producer):
    name = "learned_detectors"
    version = "1"
    media_kinds = frozenset({MediaKind.IMAGE})
    pixels_only = True
    description = "ONNX image classifiers configured by the operator, with model cards"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        chosen = [d for d in load_detectors(self.folder) if not d.reads_audio]
        if not chosen:
            return []
        pixels = subject.image()
        return [_finding(self.name, detector, detector.probability(pixels)) for detector in chosen]


class LearnedAudioDetectorsProducer(Producer):
    """The same slot for audio classifiers: recordings and video sound tracks, window by
    window; the finding reports the mean over the windows and the highest."""

    name = "learned_audio_detectors"
    version = "1"
    media_kinds = frozenset({MediaKind.AUDIO, MediaKind.VIDEO})
    description = "ONNX audio classifiers configured by the operator, with model cards"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def produce(self, subject: AssessedFile) -> Sequence[Finding]:
        findings = []
        for detector in load_detectors(self.folder):
            shape = detector.card.input
            if not isinstance(shape, AudioInput):
                continue
            try:
                clip = decode_audio(
                    subject.media, sample_rate=shape.sample_rate, max_seconds=MAX_AUDIO_SECONDS
                )
            except UnsupportedMedia:
                return []  # a video without sound
            scores = detector.audio_probabilities(clip.samples)
            finding = _finding(self.name, detector, float(np.mean(scores)))
            windows = {"windows": len(scores), "highest": round(max(scores), 4)}
            findings.append(replace(finding, details={**finding.details, **windows}))
        return findings


def _finding(producer: str, detector: Detector, probability: float) -> Finding:
    card = detector.card
    said = f"The detector {card.name} {card.version} gives {probability:.0%} that it was made by AI"
    if probability >= card.synthetic_threshold:
        direction, strength, verdict = Direction.SYNTHETIC, Strength.MODERATE, "towards AI"
    elif probability <= card.authentic_threshold:
        direction, strength, verdict = Direction.AUTHENTIC, Strength.WEAK, "towards authentic"
    else:
        direction, strength, verdict = Direction.NEUTRAL, Strength.WEAK, "undecided"
    return Finding(
        producer=producer,
        code=f"{producer}.{card.name}",
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
