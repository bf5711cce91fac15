"""The small claim thumbnail inside a manifest store signed here (at most 256 px)."""

from __future__ import annotations

import io
import json

import c2pa

#: Picture types a browser may show; anything else (SVG can carry script) is not served.
SHOWN_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/gif", "image/avif"})
_STORE = "application/c2pa"


def claim_thumbnail(manifest_store: bytes) -> tuple[bytes, str] | None:
    """The active manifest's thumbnail and its media type, or None when it has none."""
    context = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    try:
        with c2pa.Reader(_STORE, io.BytesIO(manifest_store), context=context) as reader:
            store = json.loads(reader.json())
            active = store.get("manifests", {}).get(store.get("active_manifest"), {})
            thumbnail = active.get("thumbnail") or {}
            mime, identifier = thumbnail.get("format"), thumbnail.get("identifier")
            if mime not in SHOWN_TYPES or not identifier:
                return None
            picture = io.BytesIO()
            reader.resource_to_stream(identifier, picture)
    except c2pa.C2paError:
        return None
    return picture.getvalue(), str(mime)
