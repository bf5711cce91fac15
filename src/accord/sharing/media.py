"""Reading media types (``Content-Type``, a range of ``Accept``): the one parser that both
TAXII's server and its client use to tell TAXII 2.1 from anything else."""

from __future__ import annotations

TAXII_TYPE = "application/taxii+json"
TAXII_VERSION = "2.1"


def parse_media_type(value: str) -> tuple[str, dict[str, str]]:
    """``type/subtype`` in lower case, and the parameters by lower-case name (quotes
    dropped): ``'Application/TAXII+json; Version="2.1"'`` reads
    ``('application/taxii+json', {'version': '2.1'})``."""
    media, *rest = (piece.strip() for piece in value.split(";"))
    params = {}
    for param in rest:
        name, _, text = param.partition("=")
        params[name.strip().lower()] = text.strip().strip('"')
    return media.lower(), params


def is_taxii(content_type: str | None) -> bool:
    """A body sent as TAXII 2.1 (the version may be left out, as medallion allows)."""
    if not content_type:
        return False
    media, params = parse_media_type(content_type)
    return media == TAXII_TYPE and params.get("version", TAXII_VERSION) == TAXII_VERSION
