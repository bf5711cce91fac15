"""Read a scrape as Prometheus does: with prometheus_client's own parser."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample


def samples(text: str) -> list[Sample]:
    return [sample for family in text_string_to_metric_families(text) for sample in family.samples]


def families(text: str) -> set[str]:
    """The metric names a scrape exposes (a counter's without ``_total``)."""
    return {family.name for family in text_string_to_metric_families(text)}


def value(text: str, name: str, **labels: str) -> float:
    """The sample ``name`` with ``labels`` (among others); 0 when there is none yet."""
    found = [
        sample.value
        for sample in samples(text)
        if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items())
    ]
    assert len(found) <= 1, f"{name} {labels} matches several samples"
    return found[0] if found else 0.0
