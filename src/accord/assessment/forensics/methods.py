"""Run every method on one picture."""

from __future__ import annotations

from accord.assessment.evidence import AssessedFile
from accord.assessment.forensics.copymove import read_copy_move
from accord.assessment.forensics.ela import read_ela
from accord.assessment.forensics.ghost import read_ghost
from accord.assessment.forensics.heatmap import make_backdrop
from accord.assessment.forensics.noise import read_noise
from accord.assessment.forensics.reading import MethodReading
from accord.assessment.forensics.source import read_source

#: Pictures with a shorter side than this are too small for any of the methods to say
#: anything: a few JPEG blocks, a handful of keypoints.
MIN_SIDE = 64


def read_all(subject: AssessedFile) -> list[MethodReading]:
    """Each method's reading of the subject's picture; none for a tiny picture."""
    source = read_source(subject)
    if min(source.shape) < MIN_SIDE:
        return []
    backdrop = make_backdrop(source.grey)
    ghost = read_ghost(source, backdrop)
    readings = [read_ela(source, backdrop), read_noise(source, backdrop)]
    readings += [] if ghost is None else [ghost]
    readings.append(read_copy_move(source, backdrop))
    return readings
