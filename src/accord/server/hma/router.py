"""HMA-compatible endpoints (``/status`` and the curation API, ``/c``) with HMA 2.x's
shapes; the matching API (``/m``) is ``hma.match_router``.

A client written for Meta's Hasher-Matcher-Actioner works unchanged: same paths, query
parameters, bodies, status codes and ``{"message": ...}`` errors, with keys sorted as
Flask's ``jsonify`` sorts them. Where HMA has a quirk its clients may rely on, the quirk is
kept and marked; accord's own API (``/v1``) is where new capability lives.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.errors import BadRequest, NotFound, SignalError
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.banks import service as banks
from accord.server.banks.schemas import EntryFields
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.hashing.service import HMA_CONTENT_TYPES, fetched_for_hashing
from accord.server.hma.protocol import HmaRoute, hma_error, json_object
from accord.server.hma.schemas import bank_json, content_json, updated_content_json
from accord.server.hma.service import add_file
from accord.server.runtime import Runtime
from accord.server.uploads import spooled_to_disk
from accord.signals.registry import (
    from_hma_name,
    get_signal_type,
    signal_type_classes,
    to_hma_name,
)

if TYPE_CHECKING:
    from accord.server.banks.models import Bank, BankEntry

_MAX_NOTE = 255
_MAX_DISABLE_YEARS = 5

status_router = APIRouter(tags=["hma"])
curation = APIRouter(
    prefix="/c", tags=["hma"], route_class=HmaRoute, dependencies=[Depends(require(Scope.CURATE))]
)


# -- status ------------------------------------------------------------------------------


@status_router.get("/status", response_class=HTMLResponse, summary="HMA: alive and index fresh")
def status(runtime: RuntimeDep) -> HTMLResponse:
    indexes = runtime.indexes
    if indexes.synced_at is None:
        return HTMLResponse("INDEX-NOT-LOADED", status_code=503)
    age = utc_now().timestamp() - indexes.synced_at
    if age > runtime.settings.index_max_stale_seconds:
        return HTMLResponse("INDEX-STALE", status_code=503)
    return HTMLResponse("I-AM-ALIVE")


@status_router.get("/status/live", response_class=HTMLResponse, summary="HMA: liveness only")
def status_live() -> HTMLResponse:
    return HTMLResponse("I-AM-ALIVE")


# -- banks -------------------------------------------------------------------------------


def _hma_bank_name(name: Any) -> str:
    if not isinstance(name, str) or not banks.BANK_NAME.fullmatch(name):
        raise BadRequest("Bank names must be UPPER_WITH_UNDERSCORE")
    return name


def _bank_or_404(session: Session, name: str, message: str | None = None) -> Bank:
    bank = banks.find_bank(session, name)
    if bank is None:
        raise NotFound(message or f"bank '{name}' not found")
    return bank


@curation.get("/banks", summary="HMA: list banks")
def list_banks(session: SessionDep) -> list[dict[str, Any]]:
    return [bank_json(bank) for bank in banks.list_banks(session)]


@curation.post("/banks", status_code=201, summary="HMA: create a bank")
async def create_bank(request: Request, session: SessionDep, runtime: RuntimeDep) -> Any:
    body = await json_object(request)
    if "name" not in body:
        return JSONResponse(
            [{"type": "missing", "loc": ["name"], "msg": "Field required"}], status_code=422
        )
    name = _hma_bank_name(body["name"])
    if banks.find_bank(session, name) is not None:
        return hma_error(403, "Bank already exists")
    # HMA's quirk, kept: ``enabled`` counts only when ``enabled_ratio`` is sent as null.
    ratio = body.get("enabled_ratio", 1.0)
    if ratio is None:
        ratio = 1.0 if body.get("enabled", True) else 0.0
    bank = banks.create_bank(session, name, enabled_ratio=_ratio(ratio))
    runtime.indexes.dirty = True
    return JSONResponse(bank_json(bank), status_code=201)


def _ratio(value: Any) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid float: {value!r}") from None
    if not 0.0 <= ratio <= 1.0:
        raise BadRequest("enabled_ratio must be between 0 and 1")
    return ratio


@curation.get("/bank/{bank_name}", summary="HMA: one bank")
def read_bank(bank_name: str, session: SessionDep) -> dict[str, Any]:
    return bank_json(_bank_or_404(session, bank_name))


@curation.put("/bank/{bank_name}", summary="HMA: rename, enable or set a bank's ratio")
async def update_bank(
    bank_name: str, request: Request, session: SessionDep, runtime: RuntimeDep
) -> Any:
    body = await json_object(request)
    bank = _bank_or_404(session, bank_name, "Bank not found")
    changes: dict[str, Any] = {}
    if body.get("name") is not None:
        new_name = _hma_bank_name(body["name"])
        if new_name != bank.name and banks.find_bank(session, new_name) is not None:
            return hma_error(403, "Bank name already exists")
        changes["name"] = new_name
    if body.get("enabled") is not None:
        changes.update(enabled=bool(body["enabled"]), enabled_ratio=1.0)
    if body.get("enabled_ratio") is not None:
        changes.update(enabled=True, enabled_ratio=_ratio(body["enabled_ratio"]))
    banks.update_bank(session, bank, changes)
    runtime.indexes.dirty = True
    return bank_json(bank)


@curation.delete("/bank/{bank_name}", summary="HMA: delete a bank (200 even if missing)")
def delete_bank(bank_name: str, session: SessionDep, runtime: RuntimeDep) -> dict[str, str]:
    bank = banks.find_bank(session, bank_name)
    if bank is not None:
        banks.delete_bank(session, bank)
        runtime.indexes.dirty = True
    return {"message": "Done"}


# -- bank content --------------------------------------------------------------------------


def _metadata_fields(raw: Any, note: Any) -> EntryFields:
    """HMA's ``metadata`` ({content_id, content_uri, json}) and ``note`` as entry fields."""
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise BadRequest("metadata should be a json object")
    unknown = set(raw) - {"content_id", "content_uri", "json", "collab"}
    if unknown:
        raise BadRequest(f"Invalid metadata: unexpected field(s) {', '.join(sorted(unknown))}")
    content_id, content_uri, extra = raw.get("content_id"), raw.get("content_uri"), raw.get("json")
    if content_id is not None and not isinstance(content_id, str):
        raise BadRequest("Invalid metadata: content_id must be a string")
    if content_uri is not None and not isinstance(content_uri, str):
        raise BadRequest("Invalid metadata: content_uri must be a string")
    if extra is not None and not isinstance(extra, dict):
        raise BadRequest("Invalid metadata: json must be an object")
    if note and not isinstance(note, str):
        raise BadRequest("note should be a string")
    if note and len(note) > _MAX_NOTE:
        raise BadRequest(f"note must be at most {_MAX_NOTE} characters")
    return EntryFields(
        source="hma",
        url=content_uri,
        platform_content_id=content_id,
        note=note or "",
        extra=extra or {},
    )


@curation.post("/bank/{bank_name}/content", summary="HMA: add content by upload or URL")
async def add_content(
    bank_name: str, request: Request, session: SessionDep, runtime: RuntimeDep
) -> Any:
    bank = _bank_or_404(session, bank_name)
    url = request.query_params.get("url")
    content_type = request.headers.get("content-type", "")
    if content_type.startswith("multipart/form-data"):
        async with request.form(max_files=1, max_fields=4) as form:
            uploads = [(k, v) for k, v in form.multi_items() if isinstance(v, UploadFile)]
            if len(uploads) > 1:
                raise BadRequest("Only one file allowed per request")
            raw_metadata = form.get("metadata")
            metadata = _form_json(raw_metadata) if isinstance(raw_metadata, str) else None
            fields = _metadata_fields(metadata, form.get("note"))
            if uploads:
                field_name, upload = uploads[0]
                if field_name not in HMA_CONTENT_TYPES:
                    raise BadRequest(f"no such content_type: '{field_name}'")
                return await run_in_threadpool(_add_upload, runtime, session, bank, upload, fields)
    else:
        body = await request.json() if content_type.startswith("application/json") else {}
        fields = _metadata_fields(body.get("metadata"), body.get("note"))
    if not url:
        raise BadRequest("Neither `url` nor multipart file upload was received")
    return await run_in_threadpool(_add_url, runtime, session, bank, url, fields)


def _form_json(raw: str) -> Any:
    try:
        return json.loads(raw)
    except json.JSONDecodeError:
        raise BadRequest("metadata form field must be valid JSON") from None


def _add_upload(
    runtime: Runtime,
    session: Session,
    bank: Bank,
    upload: UploadFile,
    fields: EntryFields,
) -> dict[str, Any]:
    settings = runtime.settings
    with spooled_to_disk(
        upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        return add_file(runtime, session, bank, path, fields)


def _add_url(
    runtime: Runtime, session: Session, bank: Bank, url: str, fields: EntryFields
) -> dict[str, Any]:
    with fetched_for_hashing(url, runtime.settings) as path:
        return add_file(runtime, session, bank, path, fields)


@curation.post("/bank/{bank_name}/signal", summary="HMA: add content from raw signals")
async def add_signals(
    bank_name: str, request: Request, session: SessionDep, runtime: RuntimeDep
) -> Any:
    bank = _bank_or_404(session, bank_name)
    body = await json_object(request)
    note = body.pop("note", None)
    if not body:
        raise BadRequest("No signals given")
    signals: dict[str, str] = {}
    for name, value in body.items():
        accord_name = from_hma_name(name)
        if accord_name not in signal_type_classes():
            raise BadRequest(f"No such signal type {name}")
        try:
            signals[accord_name] = get_signal_type(accord_name).validate(str(value))
        except SignalError as error:
            raise BadRequest(f"Invalid {name} signal: {error.detail}") from None
    entry = banks.add_entry(session, bank, signals, _metadata_fields(None, note))
    runtime.indexes.dirty = True
    return {"id": entry.id, "signals": {to_hma_name(k): v for k, v in signals.items()}}


def _content_or_404(session: Session, bank_name: str, content_id: int) -> tuple[Bank, BankEntry]:
    bank = _bank_or_404(session, bank_name)
    entry = banks.find_entry(session, bank, content_id)
    if entry is None:
        raise NotFound(f"content '{content_id}' not found")
    return bank, entry


@curation.get("/bank/{bank_name}/content/{content_id}", summary="HMA: one content item")
def read_content(
    bank_name: str,
    content_id: int,
    session: SessionDep,
    include_signals: str = "false",
    include_metadata: str = "true",
) -> dict[str, Any]:
    bank, entry = _content_or_404(session, bank_name, content_id)
    signals = (
        banks.entry_signals(session, [entry.id])[entry.id]
        if include_signals.lower() == "true"
        else None
    )
    return content_json(bank, entry, signals, include_metadata=include_metadata.lower() == "true")


@curation.put("/bank/{bank_name}/content/{content_id}", summary="HMA: disable or annotate content")
async def update_content(
    bank_name: str, content_id: int, request: Request, session: SessionDep
) -> Any:
    body = await json_object(request)
    bank, entry = _content_or_404(session, bank_name, content_id)
    changes: dict[str, Any] = {}
    if "disable_until_ts" in body:
        changes.update(_disable_changes(body["disable_until_ts"]))
    if "note" in body:
        note = body["note"]
        if note is not None and not isinstance(note, str):
            raise BadRequest("note should be a string")
        changes["note"] = note or ""
    banks.update_entry(session, entry, changes)
    return updated_content_json(bank, entry)


def _disable_changes(raw: Any) -> dict[str, Any]:
    try:
        value = int(raw)
    except (TypeError, ValueError):
        raise BadRequest(f"Invalid int: {raw!r}") from None
    if value < 0:
        raise BadRequest("disable_until_ts must be a non-negative integer")
    if value == 0:
        return {"enabled": False, "disabled_until": None}
    if value == 1:
        return {"enabled": True, "disabled_until": None}
    latest = utc_now() + timedelta(days=365 * _MAX_DISABLE_YEARS)
    if value > latest.timestamp():
        raise BadRequest("disable_until_ts must be less than 5 years in the future")
    return {"enabled": True, "disabled_until": datetime.fromtimestamp(value, UTC)}


@curation.delete("/bank/{bank_name}/content/{content_id}", summary="HMA: delete content")
def delete_content(
    bank_name: str, content_id: int, session: SessionDep, runtime: RuntimeDep
) -> dict[str, int]:
    bank = _bank_or_404(session, bank_name)
    entry = banks.find_entry(session, bank, content_id)
    if entry is None:
        return {"deleted": 0}
    banks.delete_entry(session, entry)
    runtime.indexes.dirty = True
    return {"deleted": 1}


@curation.get("/signal_type", summary="HMA: signal types")
def list_signal_types() -> list[dict[str, Any]]:
    return [{"enabled_ratio": 1.0, "name": to_hma_name(name)} for name in signal_type_classes()]


@curation.get("/content_type", summary="HMA: content types")
def list_content_types() -> list[dict[str, Any]]:
    return [{"enabled": True, "name": name} for name in HMA_CONTENT_TYPES]
