"""Whether a request's ``Accept`` admits TAXII 2.1 and its ``Content-Type`` is TAXII 2.1."""

from __future__ import annotations

TAXII_TYPE = "application/taxii+json"
VERSION = "2.1"
_ANY = frozenset({"*/*", "application/*"})


def admits_taxii(accept: str | None) -> bool:
    """``application/taxii+json;version=2.1``, ``application/taxii+json``, ``*/*`` (or
    no ``Accept`` at all) admit the answers; a range with ``q=0`` admits nothing."""
    if accept is None or not accept.strip():
        return True
    for media_range in accept.split(","):
        media, params = _parse(media_range)
        if _quality(params.get("q")) == 0:
            continue
        if media in _ANY:
            return True
        if media == TAXII_TYPE and params.get("version", VERSION) == VERSION:
            return True
    return False


def is_taxii(content_type: str | None) -> bool:
    """A body sent as TAXII 2.1 (the version may be left out, as medallion allows)."""
    if not content_type:
        return False
    media, params = _parse(content_type)
    return media == TAXII_TYPE and params.get("version", VERSION) == VERSION


def _parse(value: str) -> tuple[str, dict[str, str]]:
    media, *rest = (piece.strip() for piece in value.split(";"))
    params = {}
    for param in rest:
        name, _, text = param.partition("=")
        params[name.strip().lower()] = text.strip().strip('"')
    return media.lower(), params


def _quality(text: str | None) -> float:
    if text is None:
        return 1.0
    try:
        return float(text)
    except ValueError:
        return 1.0
