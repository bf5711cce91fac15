"""Answers under ``/taxii2/``: TAXII's media type, and its error messages instead of
problem+json (the statuses are the ones the rest of the API gives each error)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.responses import Response

from accord import errors
from accord.server.problems import status_for
from accord.server.taxii.schemas import TAXII_MEDIA_TYPE, error_json


def taxii_response(
    body: Mapping[str, Any] | bytes, status: int = 200, headers: Mapping[str, str] | None = None
) -> Response:
    content = body if isinstance(body, bytes) else _dump(body)
    return Response(content, status_code=status, headers=headers, media_type=TAXII_MEDIA_TYPE)


def taxii_error(
    status: int, title: str, description: str, headers: Mapping[str, str] | None = None
) -> Response:
    return taxii_response(error_json(status, title, description), status, headers)


def error_response(error: errors.AccordError) -> Response:
    """The TAXII error message answering ``error``, with the headers its status needs."""
    headers: dict[str, str] = {}
    if isinstance(error, errors.RateLimited):
        headers["Retry-After"] = str(max(1, round(error.retry_after_seconds)))
    elif isinstance(error, errors.Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="accord"'
    return taxii_error(status_for(error), error.title, error.detail, headers)


def _dump(body: Mapping[str, Any]) -> bytes:
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
