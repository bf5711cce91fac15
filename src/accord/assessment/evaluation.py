"""How well assessments agree with labelled media: a confusion matrix over bands,
precision and recall per producer, and calibration.

A producer "fires" for a direction when it gives a strong or conclusive finding pointing
that way; it is right when the file's label is the band that direction decides.
Confidence is what the deciding strength claims (conclusive 0.99, strong 0.9); the
expected calibration error (ECE) compares it with how often decided bands are right,
over the files that were not abstained on.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from accord.assessment.bands import Band
from accord.assessment.evidence import Direction, Strength
from accord.assessment.result import Assessment

#: The band each direction decides; authentic findings count for both authentic bands.
_BANDS_OF = {
    Direction.DECEPTIVE: (Band.CONFIRMED_DECEPTIVE,),
    Direction.ALTERED: (Band.ALTERED,),
    Direction.SYNTHETIC: (Band.LIKELY_AI,),
    Direction.AUTHENTIC: (Band.LIKELY_AUTHENTIC, Band.VERIFIED_AUTHENTIC),
}
CONFIDENCE = {Strength.CONCLUSIVE: 0.99, Strength.STRONG: 0.9}
_BINS = 10


@dataclass(frozen=True, slots=True)
class Labelled:
    name: str
    label: Band
    assessment: Assessment


@dataclass(slots=True)
class ProducerScore:
    fired: int = 0
    right: int = 0
    #: Files whose label a direction of this producer could decide.
    relevant: int = 0
    found: int = 0

    @property
    def precision(self) -> float | None:
        return self.right / self.fired if self.fired else None

    @property
    def recall(self) -> float | None:
        return self.found / self.relevant if self.relevant else None


@dataclass(frozen=True, slots=True)
class Evaluation:
    files: int
    confusion: dict[Band, Counter[Band]]
    producers: dict[str, ProducerScore] = field(default_factory=dict)
    #: Share of files given a band other than "no evidence either way".
    coverage: float = 0.0
    #: Share of decided files whose band is right.
    accuracy_when_decided: float | None = None
    ece: float | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "confusion": {
                str(label): {str(band): count for band, count in row.items()}
                for label, row in self.confusion.items()
            },
            "producers": {
                name: {
                    "fired": score.fired,
                    "precision": score.precision,
                    "recall": score.recall,
                }
                for name, score in self.producers.items()
            },
            "coverage": self.coverage,
            "accuracy_when_decided": self.accuracy_when_decided,
            "ece": self.ece,
        }


def evaluate(results: Sequence[Labelled]) -> Evaluation:
    confusion: dict[Band, Counter[Band]] = {band: Counter() for band in Band}
    producers: dict[str, ProducerScore] = {}
    calibration: list[tuple[float, bool]] = []
    for result in results:
        predicted = result.assessment.band
        confusion[result.label][predicted] += 1
        _score_producers(result, producers)
        deciding = result.assessment.decision.deciding
        if deciding:
            strength = max((f.strength for f in deciding), key=lambda s: s.rank)
            calibration.append((CONFIDENCE[strength], predicted is result.label))
    decided = len(calibration)
    return Evaluation(
        files=len(results),
        confusion=confusion,
        producers=producers,
        coverage=decided / len(results) if results else 0.0,
        accuracy_when_decided=sum(right for _, right in calibration) / decided if decided else None,
        ece=_ece(calibration),
    )


def _score_producers(result: Labelled, producers: dict[str, ProducerScore]) -> None:
    findings = result.assessment.findings
    names = set(result.assessment.tools.get("producers", {})) | {f.producer for f in findings}
    for name in names:
        score = producers.setdefault(name, ProducerScore())
        fired = {
            f.direction
            for f in findings
            if f.producer == name
            and f.direction in _BANDS_OF
            and f.strength.rank >= Strength.STRONG.rank
        }
        score.fired += len(fired)
        score.right += sum(result.label in _BANDS_OF[d] for d in fired)
        could = [d for d, bands in _BANDS_OF.items() if result.label in bands]
        if could:
            score.relevant += 1
            score.found += any(d in fired for d in could)


def _ece(calibration: Sequence[tuple[float, bool]]) -> float | None:
    if not calibration:
        return None
    bins: dict[int, list[tuple[float, bool]]] = {}
    for confidence, right in calibration:
        bins.setdefault(min(_BINS - 1, int(confidence * _BINS)), []).append((confidence, right))
    total = len(calibration)
    error = 0.0
    for members in bins.values():
        confidence = sum(c for c, _ in members) / len(members)
        accuracy = sum(r for _, r in members) / len(members)
        error += len(members) / total * abs(accuracy - confidence)
    return error
