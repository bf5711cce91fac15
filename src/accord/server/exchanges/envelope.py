"""Reading what a TAXII 2.1 publisher answers, trusting none of it: the media type, the
JSON, the envelope's shape, each object's size, and the ``X-TAXII-Date-Added-Last``
header a checkpoint is taken from. Any departure is a ``StixError`` that says what."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord.errors import StixError
from accord.sharing import stix
from accord.sharing.media import is_taxii

#: The header a page's checkpoint is read from, and the longest ``next`` token kept.
DATE_ADDED_LAST = "X-TAXII-Date-Added-Last"
MAX_NEXT_CHARACTERS = 2000
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def one_line(text: object, limit: int = 300) -> str:
    """A peer's words fit for one line of an error, and for a database: no control
    characters, no lone surrogates (``?`` instead), bounded."""
    whole = str(text).encode("utf-8", "replace").decode()
    flat = _CONTROL.sub(" ", whole).strip()
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def check_media_type(content_type: str | None, url: str) -> None:
    """TAXII 2.1's media type, or ``StixError``: a web page or plain JSON is not an answer."""
    if not is_taxii(content_type):
        got = one_line(content_type or "none", 100)
        msg = f"{url} answered with Content-Type {got}, not {stix.TAXII_MEDIA_TYPE}"
        raise StixError(msg)


def parse_json(raw: bytes, url: str) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as error:  # UnicodeDecodeError is a ValueError
        msg = f"{url} answered with text that is not JSON ({one_line(error, 120)})"
        raise StixError(msg) from None


def resource(raw: bytes, url: str) -> dict[str, Any]:
    """A TAXII resource (discovery, API root, collections): a JSON object."""
    body = parse_json(raw, url)
    if not isinstance(body, dict):
        msg = f"{url} answered with JSON that is not an object"
        raise StixError(msg)
    return body


@dataclass(frozen=True, slots=True)
class Envelope:
    """One page of a collection's objects, as the publisher sent it."""

    objects: list[dict[str, Any]]
    more: bool
    next: str | None
    #: The ``date_added`` of the page's last object: the checkpoint after it.
    last_added: datetime | None


def read_envelope(
    raw: bytes,
    date_added_last: str | None,
    url: str,
    *,
    max_object_bytes: int,
    checkpointed: bool = True,
) -> Envelope:
    """The envelope of ``raw`` checked: ``objects`` a list of JSON objects none of which is
    over ``max_object_bytes``, ``more`` true or false, ``next`` a short string, and (for a
    page a checkpoint is taken from: ``checkpointed``) the ``X-TAXII-Date-Added-Last``
    header a timestamp whenever there are objects."""
    body = resource(raw, url)
    objects = body.get("objects", [])
    if not isinstance(objects, list):
        msg = f"{url}: the envelope's objects must be a list"
        raise StixError(msg)
    more = body.get("more", False)
    if not isinstance(more, bool):
        msg = f"{url}: the envelope's more must be true or false"
        raise StixError(msg)
    token = body.get("next")
    if token is not None and (
        not isinstance(token, str) or not 0 < len(token) <= MAX_NEXT_CHARACTERS
    ):
        msg = (
            f"{url}: the envelope's next must be a string of 1 to {MAX_NEXT_CHARACTERS} characters"
        )
        raise StixError(msg)
    for position, item in enumerate(objects):
        if not isinstance(item, dict):
            msg = f"{url}: object {position + 1} of the envelope is not a JSON object"
            raise StixError(msg)
    # No object can be over the bound when the whole page is not: measure only then.
    if len(raw) > max_object_bytes:
        for item in objects:
            size = len(json.dumps(item, separators=(",", ":"), ensure_ascii=False).encode())
            if size > max_object_bytes:
                name = one_line(item.get("id", "an object"), 120)
                msg = (
                    f"{url}: {name} is {size} bytes, "
                    f"over the {max_object_bytes} a STIX object may take"
                )
                raise StixError(msg)
    last_added = None
    if objects and checkpointed:
        if date_added_last is None:
            msg = f"{url}: a page of objects came without its {DATE_ADDED_LAST} header"
            raise StixError(msg)
        last_added = stix.parse_time(date_added_last, DATE_ADDED_LAST)
    return Envelope(objects=objects, more=more, next=token, last_added=last_added)
