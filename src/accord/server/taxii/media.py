"""Whether a request's ``Accept`` admits TAXII 2.1 and its ``Content-Type`` is TAXII 2.1."""

from __future__ import annotations

from accord.sharing.media import TAXII_TYPE, is_taxii, parse_media_type

__all__ = ["admits_taxii", "is_taxii"]

VERSION = "2.1"
_ANY = frozenset({"*/*", "application/*"})


def admits_taxii(accept: str | None) -> bool:
    """``application/taxii+json;version=2.1``, ``application/taxii+json``, ``*/*`` (or
    no ``Accept`` at all) admit the answers; a range with ``q=0`` admits nothing."""
    if accept is None or not accept.strip():
        return True
    for media_range in accept.split(","):
        media, params = parse_media_type(media_range)
        if _quality(params.get("q")) == 0:
            continue
        if media in _ANY:
            return True
        if media == TAXII_TYPE and params.get("version", VERSION) == VERSION:
            return True
    return False


def _quality(text: str | None) -> float:
    if text is None:
        return 1.0
    try:
        return float(text)
    except ValueError:
        return 1.0
