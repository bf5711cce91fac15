"""The evidence producers an assessment runs."""

from __future__ import annotations

from pathlib import Path

from accord.assess.evidence import Producer


def default_producers(detector_dir: Path | None = None) -> list[Producer]:
    """Every producer, cheapest and most decisive first; learned detectors when a folder
    of them is configured."""
    from accord.assess.producers.accord_watermark import AccordWatermarkProducer  # noqa: PLC0415
    from accord.assess.producers.banks import BanksProducer  # noqa: PLC0415
    from accord.assess.producers.learned import LearnedDetectorsProducer  # noqa: PLC0415
    from accord.assess.producers.provenance import ProvenanceProducer  # noqa: PLC0415

    producers: list[Producer] = [ProvenanceProducer(), BanksProducer(), AccordWatermarkProducer()]
    if detector_dir is not None:
        producers.append(LearnedDetectorsProducer(detector_dir))
    return producers
