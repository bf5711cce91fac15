"""The C2PA Soft Binding Resolution API over this instance's signed files.

A verifier holding a copy without credentials asks which manifests belong to it, either by
a soft-binding value it computed (``/matches/byBinding``) or by sending the copy
(``/matches/byContent``), then fetches a manifest (``/manifests/{manifestId}``) and
validates it against the copy itself. Fingerprints are accord's signals, base64 of the
text value as written in the manifests' ``c2pa.soft-binding`` assertions.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response
from pydantic import BaseModel, Field
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.errors import BadRequest, InvalidSignal, NotFound, UnsupportedMedia
from accord.provenance.signing import FINGERPRINT_ALGORITHMS
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.banks.service import validate_signals
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.service import REGISTRY_BANK
from accord.server.deps import ServicesDep, SessionDep
from accord.server.matching.lookup import match_file, match_signals
from accord.server.matching.service import Match, MatchOptions
from accord.server.uploads import body_spooled_to_disk

router = APIRouter(tags=["soft binding"], dependencies=[Depends(require(Scope.MATCH))])

C2PA_MANIFEST = "application/c2pa"
_SIGNAL_OF = {alg: signal_type for signal_type, alg in FINGERPRINT_ALGORITHMS.items()}
_CONTENT_TYPES = ("image/", "audio/", "video/", "application/", "model/", "text/")
MaxResults = Annotated[int, Query(alias="maxResults", ge=1, le=100)]


class SoftBindingQuery(BaseModel):
    alg: str
    value: str = Field(description="The soft-binding value, base64")


@router.get("/services/supportedAlgorithms", summary="Soft-binding algorithms served here")
async def supported_algorithms() -> dict[str, list[dict[str, str]]]:
    fingerprints = [{"alg": alg} for alg in FINGERPRINT_ALGORITHMS.values()]
    return {"watermarks": [], "fingerprints": fingerprints}


@router.get("/matches/byBinding", summary="Manifests whose soft binding matches a value")
def query_by_binding(
    services: ServicesDep,
    session: SessionDep,
    alg: Annotated[str, Query()],
    value: Annotated[str, Query(max_length=1_000_000)],
    max_results: MaxResults = 10,
) -> dict[str, Any]:
    signal_type, signal = _decode(alg, value)
    report = match_signals(services, session, {signal_type: signal}, _registry_only())
    return _result(session, report.matches, max_results)


@router.post("/matches/byBinding", summary="Manifests for a large soft-binding value")
def query_by_large_binding(
    query: SoftBindingQuery,
    services: ServicesDep,
    session: SessionDep,
    max_results: MaxResults = 10,
) -> dict[str, Any]:
    signal_type, signal = _decode(query.alg, query.value)
    report = match_signals(services, session, {signal_type: signal}, _registry_only())
    return _result(session, report.matches, max_results)


@router.post(
    "/matches/byContent",
    summary="Manifests for an uploaded asset (its fingerprints are computed here)",
    openapi_extra={
        "requestBody": {
            "content": {
                f"{kind}*": {"schema": {"type": "string", "format": "binary"}}
                for kind in _CONTENT_TYPES
            },
            "required": True,
        }
    },
)
async def query_by_content(
    request: Request,
    services: ServicesDep,
    session: SessionDep,
    alg: Annotated[str | None, Query()] = None,
    max_results: MaxResults = 10,
) -> dict[str, Any]:
    if alg is not None and alg not in _SIGNAL_OF:
        raise BadRequest(f"the algorithm {alg!r} is not served here")
    if not request.headers.get("content-type", "").startswith(_CONTENT_TYPES):
        raise UnsupportedMedia("send the asset as the body, with its media type")
    settings = services.settings
    async with body_spooled_to_disk(
        request, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:

        def lookup() -> dict[str, Any]:
            _, report = match_file(services, session, path, _registry_only())
            wanted = _SIGNAL_OF.get(alg or "")
            matches = [m for m in report.matches if wanted is None or m.signal_type == wanted]
            return _result(session, matches, max_results)

        return await run_in_threadpool(lookup)


@router.get(
    "/manifests/{manifest_id}",
    summary="A manifest store signed here",
    response_class=Response,
    responses={200: {"content": {C2PA_MANIFEST: {}}}},
)
def get_manifest(
    manifest_id: str,
    session: SessionDep,
    return_active_manifest: Annotated[bool, Query(alias="returnActiveManifest")] = False,
) -> Response:
    """The whole manifest store; with ``returnActiveManifest`` too, since a store signed
    here holds one manifest (an edit's parent travels as an ingredient inside it)."""
    del return_active_manifest  # the same bytes either way, as documented above
    record = session.scalar(
        select(ProvenanceRecord).where(ProvenanceRecord.manifest_label == manifest_id)
    )
    if record is None or record.revoked_at is not None:
        raise NotFound(f"no manifest {manifest_id}")
    return Response(record.manifest_store, media_type=C2PA_MANIFEST)


def _registry_only() -> MatchOptions:
    return MatchOptions(banks=[REGISTRY_BANK])


def _decode(alg: str, value: str) -> tuple[str, str]:
    signal_type = _SIGNAL_OF.get(alg)
    if signal_type is None:
        raise BadRequest(f"the algorithm {alg!r} is not served here")
    try:
        text = base64.b64decode(value, validate=True).decode()
        checked = validate_signals({signal_type: text})
    except (binascii.Error, UnicodeDecodeError, InvalidSignal) as error:
        raise BadRequest(f"the value is not a base64 {alg} soft binding: {error}") from None
    return signal_type, checked[signal_type]


def _result(session: Session, matches: Iterable[Match], limit: int) -> dict[str, Any]:
    references = {m.entry.case_reference: m for m in matches if m.entry.case_reference}
    records = session.scalars(
        select(ProvenanceRecord)
        .where(ProvenanceRecord.id.in_(list(references)))
        .where(ProvenanceRecord.revoked_at.is_(None))
    )
    scored = sorted(
        ((_similarity(references[record.id]), record.manifest_label) for record in records),
        reverse=True,
    )
    return {
        "matches": [
            {"manifestId": label, "similarityScore": score} for score, label in scored[:limit]
        ]
    }


def _similarity(match: Match) -> int:
    """0-100: PDQ by bits of 256 alike, vPDQ by its match percentage, audio by its BER."""
    if match.signal_type == "pdq":
        return round(100 * (1 - match.distance / 256))
    if match.signal_type == "audio":
        return round(100 * (1 - 2 * match.distance))
    return round(max(0.0, 100 - match.distance))
