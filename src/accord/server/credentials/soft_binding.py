"""The C2PA Soft Binding Resolution API over this instance's signed files.

A verifier holding a copy without credentials asks which manifests belong to it, either by
a soft-binding value it computed (``/matches/byBinding``) or by sending the copy
(``/matches/byContent``), then fetches a manifest (``/manifests/{manifestId}``) and
validates it against the copy itself. Fingerprints are accord's signals, base64 of the
text value as written in the manifests' ``c2pa.soft-binding`` assertions; the watermark's
value is base64 of its 8-byte payload.
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
from accord.media.file import open_media
from accord.provenance.watermarking import WATERMARK_ALGORITHM, read_file_watermark
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.banks.service import validate_signals
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.service import SIGNED_BANKS, record_for_watermark
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.matching.service import Match, MatchOptions, match_file, match_signals
from accord.server.uploads import body_spooled_to_disk
from accord.signals.registry import get_signal_type, soft_binding_algorithms

router = APIRouter(tags=["soft binding"], dependencies=[Depends(require(Scope.MATCH))])

C2PA_MANIFEST = "application/c2pa"
#: One (similarity score, manifest id) per answer.
Scored = list[tuple[int, str]]
_CONTENT_TYPES = ("image/", "audio/", "video/", "application/", "model/", "text/")
MaxResults = Annotated[int, Query(alias="maxResults", ge=1, le=100)]


class SoftBindingQuery(BaseModel):
    alg: str
    value: str = Field(description="The soft-binding value, base64")


@router.get("/services/supportedAlgorithms", summary="Soft-binding algorithms served here")
async def supported_algorithms() -> dict[str, list[dict[str, str]]]:
    fingerprints = [{"alg": alg} for alg in soft_binding_algorithms().values()]
    return {"watermarks": [{"alg": WATERMARK_ALGORITHM}], "fingerprints": fingerprints}


@router.get("/matches/byBinding", summary="Manifests whose soft binding matches a value")
def query_by_binding(
    runtime: RuntimeDep,
    session: SessionDep,
    alg: Annotated[str, Query()],
    value: Annotated[str, Query(max_length=1_000_000)],
    max_results: MaxResults = 10,
) -> dict[str, Any]:
    return _answer(_by_binding(runtime, session, alg, value), max_results)


@router.post("/matches/byBinding", summary="Manifests for a large soft-binding value")
def query_by_large_binding(
    query: SoftBindingQuery,
    runtime: RuntimeDep,
    session: SessionDep,
    max_results: MaxResults = 10,
) -> dict[str, Any]:
    return _answer(_by_binding(runtime, session, query.alg, query.value), max_results)


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
    runtime: RuntimeDep,
    session: SessionDep,
    alg: Annotated[str | None, Query()] = None,
    max_results: MaxResults = 10,
) -> dict[str, Any]:
    if alg is not None and alg != WATERMARK_ALGORITHM and _signal_of(alg) is None:
        raise BadRequest(f"the algorithm {alg!r} is not served here")
    if not request.headers.get("content-type", "").startswith(_CONTENT_TYPES):
        raise UnsupportedMedia("send the asset as the body, with its media type")
    settings = runtime.settings
    async with body_spooled_to_disk(
        request, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:

        def lookup() -> dict[str, Any]:
            scored: Scored = []
            media = open_media(path, settings.media_limits)
            with runtime.decoding(media):  # one admission for the mark and the lookup
                if alg in (None, WATERMARK_ALGORITHM):
                    reading = read_file_watermark(media)
                    scored += _by_watermark(session, reading.payload if reading else None)
                if alg != WATERMARK_ALGORITHM:
                    _, report = match_file(runtime, session, path, _registry_only())
                    wanted = _signal_of(alg or "")
                    matches = [m for m in report.matches if wanted in (None, m.signal_type)]
                    scored += _by_fingerprint(session, matches)
            return _answer(scored, max_results)

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
    """The banks of files signed here: authentic originals and AI generators' output."""
    return MatchOptions(banks=SIGNED_BANKS)


def _by_binding(runtime: RuntimeDep, session: Session, alg: str, value: str) -> Scored:
    if alg == WATERMARK_ALGORITHM:
        return _by_watermark(session, _decode_watermark(value))
    signal_type, signal = _decode(alg, value)
    report = match_signals(runtime, session, {signal_type: signal}, _registry_only())
    return _by_fingerprint(session, report.matches)


def _decode_watermark(value: str) -> int:
    try:
        payload = base64.b64decode(value, validate=True)
    except binascii.Error as error:
        raise BadRequest(f"the value is not base64: {error}") from None
    if len(payload) != 8:  # noqa: PLR2004 (the payload is 64 bits)
        raise BadRequest(f"a {WATERMARK_ALGORITHM} value is 8 bytes, not {len(payload)}")
    return int.from_bytes(payload, "big")


def _decode(alg: str, value: str) -> tuple[str, str]:
    signal_type = _signal_of(alg)
    if signal_type is None:
        raise BadRequest(f"the algorithm {alg!r} is not served here")
    try:
        text = base64.b64decode(value, validate=True).decode()
        checked = validate_signals({signal_type: text})
    except (binascii.Error, UnicodeDecodeError, InvalidSignal) as error:
        raise BadRequest(f"the value is not a base64 {alg} soft binding: {error}") from None
    return signal_type, checked[signal_type]


def _by_watermark(session: Session, payload: int | None) -> Scored:
    record = None if payload is None else record_for_watermark(session, payload)
    return [] if record is None else [(100, record.manifest_label)]


def _by_fingerprint(session: Session, matches: Iterable[Match]) -> Scored:
    references = {m.entry.case_reference: m for m in matches if m.entry.case_reference}
    records = session.scalars(
        select(ProvenanceRecord)
        .where(ProvenanceRecord.id.in_(list(references)))
        .where(ProvenanceRecord.revoked_at.is_(None))
    )
    return [(_similarity(references[record.id]), record.manifest_label) for record in records]


def _answer(scored: Scored, limit: int) -> dict[str, Any]:
    """Each manifest once, at its best score, best first."""
    best: dict[str, int] = {}
    for score, label in scored:
        best[label] = max(score, best.get(label, 0))
    ranked = sorted(((score, label) for label, score in best.items()), reverse=True)
    return {
        "matches": [
            {"manifestId": label, "similarityScore": score} for score, label in ranked[:limit]
        ]
    }


def _similarity(match: Match) -> int:
    """0-100, as the signal type that matched scores its distance."""
    return get_signal_type(match.signal_type).similarity(match.distance)


def _signal_of(alg: str) -> str | None:
    """The signal type carried under the soft-binding algorithm ``alg``, if one is."""
    return next((name for name, known in soft_binding_algorithms().items() if known == alg), None)
