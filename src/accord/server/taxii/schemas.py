"""TAXII 2.1 resources as JSON: discovery, API root, collections, envelopes, manifests,
statuses and error messages, with the limits this server announces."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from accord.server.taxii.models import TaxiiStatus
from accord.sharing.stix import STIX_MEDIA_TYPE, TAXII_MEDIA_TYPE, stix_time

if TYPE_CHECKING:
    from accord.server.banks.models import Bank, SharedObject

#: Where TAXII lives, and the one API root under it (``/taxii2/accord/``).
PREFIX = "/taxii2"
API_ROOT = "accord"
#: The largest request body ``POST …/objects/`` takes (the API root announces it).
MAX_CONTENT_LENGTH = 10 * 1024 * 1024
#: The largest object a partner may post, as JSON: opinions and sightings are small, and
#: the publisher keeps each one.
MAX_OBJECT_BYTES = 64 * 1024
#: Objects one ``POST`` may carry: each is settled before the answer, so it stays short.
MAX_POSTED_OBJECTS = 10_000
#: Objects per page when the client names no ``limit``, and the most it may ask for
#: (more is served as this many, as medallion does).
DEFAULT_PAGE = 100
MAX_PAGE = 10_000

__all__ = [
    "API_ROOT",
    "DEFAULT_PAGE",
    "MAX_CONTENT_LENGTH",
    "MAX_OBJECT_BYTES",
    "MAX_PAGE",
    "MAX_POSTED_OBJECTS",
    "PREFIX",
    "STIX_MEDIA_TYPE",
    "TAXII_MEDIA_TYPE",
    "Page",
    "api_root_json",
    "collection_json",
    "collections_json",
    "date_added_headers",
    "discovery_json",
    "envelope_bytes",
    "error_json",
    "manifest_json",
    "status_json",
    "versions_json",
]


@dataclass(frozen=True, slots=True)
class Page:
    """A page of a collection: its rows, whether more match, and the position to go on
    from (the last row looked at, which may lie past the last row kept)."""

    rows: Sequence[SharedObject]
    more: bool
    position: int = 0


def discovery_json(api_root_url: str) -> dict[str, Any]:
    return {
        "title": "accord",
        "description": (
            "Banks of confirmed deceptive AI election content shared by this accord "
            "instance, one collection per bank"
        ),
        "default": api_root_url,
        "api_roots": [api_root_url],
    }


def api_root_json() -> dict[str, Any]:
    return {
        "title": "accord",
        "description": (
            "Shared banks as collections of STIX 2.1 indicators; partners post opinions "
            "and sightings on them"
        ),
        "versions": [TAXII_MEDIA_TYPE],
        "max_content_length": MAX_CONTENT_LENGTH,
    }


def collection_json(bank: Bank) -> dict[str, Any]:
    description = bank.description or f"The accord bank {bank.name} ({bank.kind} content)"
    return {
        "id": bank.collection_id,
        "title": bank.name,
        "description": f"{description}; shared as {bank.marking}",
        "can_read": True,
        # Partners write opinions and sightings; entries change on the publisher only.
        "can_write": True,
        "media_types": [STIX_MEDIA_TYPE],
    }


def collections_json(banks: Sequence[Bank]) -> dict[str, Any]:
    return {"collections": [collection_json(bank) for bank in banks]}


def envelope_bytes(page: Page, next_token: str | None) -> bytes:
    """The envelope of ``page``, spliced from the stored bodies: nothing is parsed or
    serialized again on the path a million-object fetch takes."""
    head = '{"more":true,"next":' + json.dumps(next_token) if page.more else '{"more":false'
    return (head + ',"objects":[' + ",".join(row.body for row in page.rows) + "]}").encode()


def manifest_json(page: Page, next_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {"more": page.more}
    if page.more:
        body["next"] = next_token
    body["objects"] = [
        {
            "id": row.stix_id,
            "date_added": stix_time(row.date_added),
            "version": stix_time(row.version),
            "media_type": STIX_MEDIA_TYPE,
        }
        for row in page.rows
    ]
    return body


def versions_json(rows: Sequence[SharedObject]) -> dict[str, Any]:
    """Only the latest version of an object is kept, so it is the one listed."""
    return {"more": False, "versions": [stix_time(row.version) for row in rows]}


def date_added_headers(rows: Sequence[SharedObject]) -> dict[str, str]:
    """TAXII's ``X-TAXII-Date-Added-First`` and ``-Last`` of a page (none when empty)."""
    if not rows:
        return {}
    return {
        "X-TAXII-Date-Added-First": stix_time(rows[0].date_added),
        "X-TAXII-Date-Added-Last": stix_time(rows[-1].date_added),
    }


def status_json(status: TaxiiStatus) -> dict[str, Any]:
    """Every posted object is settled before the answer: a status is always complete."""
    return {
        "id": status.id,
        "status": "complete",
        "request_timestamp": stix_time(status.created_at),
        "total_count": status.total_count,
        "success_count": len(status.successes),
        "successes": status.successes,
        "failure_count": len(status.failures),
        "failures": status.failures,
        "pending_count": 0,
        "pendings": [],
    }


def error_json(status: int, title: str, description: str) -> dict[str, Any]:
    """A TAXII error message (``http_status`` is a string in TAXII 2.1)."""
    return {"title": title, "description": description, "http_status": str(status)}
