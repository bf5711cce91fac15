"""The evidence producers an assessment runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from accord.assessment.evidence import Producer
from accord.assessment.gallery import FaceGallery, VoiceGallery
from accord.claims.context import Context

#: The longest stretch of a recording transcribed whole; a longer one is sampled.
SPEECH_MAX_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class ClaimsSetup:
    """What screening a file's words needs: the instance's people, elections and policy;
    the speech engine ("whisper", "pocketsphinx"; None: do not transcribe, text only); and
    the cap beyond which a recording is sampled."""

    context: Context
    engine: str | None = "whisper"
    max_seconds: float = SPEECH_MAX_SECONDS
    #: False: rules only, the classifier left out (as the gate's setting does).
    classifier: bool = True


def default_producers(
    detector_dir: Path | None = None,
    gallery: FaceGallery | None = None,
    voices: VoiceGallery | None = None,
    claims: ClaimsSetup | None = None,
) -> list[Producer]:
    """Every producer, cheapest and most decisive first; learned detectors when a folder
    of them is configured, likeness when galleries of protected people are given, and the
    claims producers when ``claims`` says how (without it, what a file says is not read)."""
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
    if claims is not None:
        producers += _claims_producers(claims)
    return producers


def _claims_producers(claims: ClaimsSetup) -> list[Producer]:
    from accord.assessment.producers.spoken_claims import SpokenClaimsProducer  # noqa: PLC0415
    from accord.assessment.producers.text_claims import TextClaimsProducer  # noqa: PLC0415

    found: list[Producer] = [TextClaimsProducer(claims.context, classifier=claims.classifier)]
    if claims.engine is not None:
        spoken = SpokenClaimsProducer(
            claims.engine, claims.context, claims.max_seconds, classifier=claims.classifier
        )
        found.insert(0, spoken)
    return found
