"""The evidence producers an assessment runs."""

from __future__ import annotations

from pathlib import Path

from accord.assessment.evidence import Producer
from accord.assessment.gallery import FaceGallery, VoiceGallery


def default_producers(
    detector_dir: Path | None = None,
    gallery: FaceGallery | None = None,
    voices: VoiceGallery | None = None,
) -> list[Producer]:
    """Every producer, cheapest and most decisive first; learned detectors when a folder
    of them is configured, and likeness when galleries of protected people are given."""
    from accord.assessment.producers.accord_watermark import AccordWatermarkProducer  # noqa: PLC0415
    from accord.assessment.producers.banks import BanksProducer  # noqa: PLC0415
    from accord.assessment.producers.forensics import ForensicsProducer  # noqa: PLC0415
    from accord.assessment.producers.generator_metadata import (  # noqa: PLC0415
        GeneratorMetadataProducer,
    )
    from accord.assessment.producers.generator_watermarks import (  # noqa: PLC0415
        GeneratorWatermarksProducer,
    )
    from accord.assessment.producers.learned import (  # noqa: PLC0415
        LearnedAudioDetectorsProducer,
        LearnedDetectorsProducer,
    )
    from accord.assessment.producers.likeness import LikenessProducer  # noqa: PLC0415
    from accord.assessment.producers.provenance import ProvenanceProducer  # noqa: PLC0415
    from accord.assessment.producers.voice_likeness import VoiceLikenessProducer  # noqa: PLC0415

    producers: list[Producer] = [
        ProvenanceProducer(),
        GeneratorMetadataProducer(),
        BanksProducer(),
        GeneratorWatermarksProducer(),
        AccordWatermarkProducer(),
        ForensicsProducer(),
    ]
    if gallery is not None and len(gallery):
        producers.append(LikenessProducer(gallery))
    if voices is not None and len(voices):
        producers.append(VoiceLikenessProducer(voices))
    if detector_dir is not None:
        producers.append(LearnedDetectorsProducer(detector_dir))
        producers.append(LearnedAudioDetectorsProducer(detector_dir))
    return producers
