"""The evidence producers an assessment runs."""

from __future__ import annotations

from accord.assess.evidence import Producer


def default_producers() -> list[Producer]:
    """Every producer, cheapest and most decisive first."""
    from accord.assess.producers.accord_watermark import AccordWatermarkProducer  # noqa: PLC0415
    from accord.assess.producers.banks import BanksProducer  # noqa: PLC0415
    from accord.assess.producers.provenance import ProvenanceProducer  # noqa: PLC0415

    return [ProvenanceProducer(), BanksProducer(), AccordWatermarkProducer()]
