"""Videos: the file is assessed once, and its keyframes by the producers that read pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from accord.assessment.evidence import Keyframe
from accord.assessment.pipeline import KEYFRAMES, assess_file
from accord.assessment.producers.forensics import ForensicsProducer
from accord.assessment.producers.provenance import ProvenanceProducer
from accord.media.file import open_media


def test_a_video_gets_findings_per_keyframe(corpus: Path) -> None:
    assessed = assess_file(corpus / "c2pa" / "video1.mp4")
    whole = [f.code for f in assessed.findings if f.at_seconds is None]
    assert whole == ["provenance.signed"]  # its credentials, read once for the file
    moments = sorted({f.at_seconds for f in assessed.findings if f.at_seconds is not None})
    assert 2 <= len(moments) <= KEYFRAMES
    assert moments[0] == 0.0
    at_first = {f.producer for f in assessed.findings if f.at_seconds == moments[0]}
    assert "forensics" in at_first
    assert "provenance" not in at_first
    assert assessed.to_json()["findings"][-1]["at_seconds"] == moments[-1]


def test_keyframes_go_to_pixel_producers_only(corpus: Path) -> None:
    media = open_media(corpus / "c2pa" / "video1.mp4")
    frame = Keyframe(media, np.zeros((90, 160, 3), np.uint8), 1.5)
    assert ForensicsProducer().applies(frame)
    assert not ProvenanceProducer().applies(frame)
    assert frame.image().shape == (90, 160, 3)
