"""HMA-compatible endpoints (``/c``, ``/m``, ``/status``) with HMA 2.x's shapes.

A client written for Meta's Hasher-Matcher-Actioner works unchanged: same paths, query
parameters, bodies, status codes and ``{"message": ...}`` errors, with keys sorted as
Flask's ``jsonify`` sorts them. Where HMA has a quirk its clients may rely on, the quirk is
kept and marked; accord's own API (``/v1``) is where new capability lives.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Mapping
from datetime import UTC, datetime, timedelta
from itertools import chain
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.errors import AccordError, BadRequest, NotFound, SignalError
from accord.media.kinds import MediaKind
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.banks import service
from accord.server.banks.models import Bank, BankEntry
from accord.server.db.base import utc_now
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.hashing.fetch import fetched_for_hashing
from accord.server.hashing.service import (
    HMA_CONTENT_TYPES,
    HMA_SIGNALS,
    hash_for_bank,
    reliable_signals,
)
from accord.server.matching.lookup import match_file, match_signals
from accord.server.matching.service import Match, MatchOptions
from accord.server.problems import status_for
from accord.server.runtime import Runtime
from accord.server.uploads import spooled_to_disk
from accord.signals.registry import (
    from_hma_name,
    get_signal_type,
    signal_type_classes,
    to_hma_name,
)

#: Signals HMA returns after adding content; accord stores more, which HMA clients ignore.
_HMA_CONTENT_SIGNALS = tuple(chain.from_iterable(HMA_SIGNALS.values()))
_MAX_NOTE = 255
_MAX_DISABLE_YEARS = 5


class HmaStatus(AccordError):
    """An HMA error with a status the accord error tree does not map (415, 403 on names)."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


class HmaRoute(APIRoute):
    """Errors as HMA sends them: ``{"message": ...}``, and 422 with a bare error list."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def hma_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except HmaStatus as error:
                return hma_error(error.status, error.detail)
            except AccordError as error:
                return hma_error(status_for(error), error.detail)
            except RequestValidationError as error:
                return JSONResponse(jsonable_errors(error), status_code=422)

        return hma_handler


def jsonable_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"type": item.get("type"), "loc": list(item.get("loc", ())), "msg": item.get("msg")}
        for item in error.errors()
    ]


def hma_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


status_router = APIRouter(tags=["hma"])
curation = APIRouter(
    prefix="/c", tags=["hma"], route_class=HmaRoute, dependencies=[Depends(require(Scope.CURATE))]
)
matching = APIRouter(
    prefix="/m", tags=["hma"], route_class=HmaRoute, dependencies=[Depends(require(Scope.MATCH))]
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


def bank_json(bank: Bank) -> dict[str, Any]:
    """HMA has no separate switch: a disabled bank is one with ratio 0."""
    return {
        "matching_enabled_ratio": bank.enabled_ratio if bank.enabled else 0.0,
        "name": bank.name,
    }


def _hma_bank_name(name: Any) -> str:
    if not isinstance(name, str) or not service.BANK_NAME.fullmatch(name):
        raise BadRequest("Bank names must be UPPER_WITH_UNDERSCORE")
    return name


async def _json_object(request: Request) -> dict[str, Any]:
    if not request.headers.get("content-type", "").startswith("application/json"):
        raise HmaStatus(
            415,
            "Did not attempt to load JSON data because the request Content-Type was not "
            "'application/json'.",
        )
    try:
        body = json.loads(await request.body())
    except json.JSONDecodeError as error:
        raise BadRequest(f"The request body is not JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadRequest("Request input was not a dict")
    return body


def _bank_or_404(session: Session, name: str, message: str | None = None) -> Bank:
    bank = service.find_bank(session, name)
    if bank is None:
        raise NotFound(message or f"bank '{name}' not found")
    return bank


@curation.get("/banks", summary="HMA: list banks")
def list_banks(session: SessionDep) -> list[dict[str, Any]]:
    return [bank_json(bank) for bank in service.list_banks(session)]


@curation.post("/banks", status_code=201, summary="HMA: create a bank")
async def create_bank(request: Request, session: SessionDep, runtime: RuntimeDep) -> Any:
    body = await _json_object(request)
    if "name" not in body:
        return JSONResponse(
            [{"type": "missing", "loc": ["name"], "msg": "Field required"}], status_code=422
        )
    name = _hma_bank_name(body["name"])
    if service.find_bank(session, name) is not None:
        return hma_error(403, "Bank already exists")
    # HMA's quirk, kept: ``enabled`` counts only when ``enabled_ratio`` is sent as null.
    ratio = body.get("enabled_ratio", 1.0)
    if ratio is None:
        ratio = 1.0 if body.get("enabled", True) else 0.0
    bank = service.create_bank(session, name, enabled_ratio=_ratio(ratio))
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
    body = await _json_object(request)
    bank = _bank_or_404(session, bank_name, "Bank not found")
    changes: dict[str, Any] = {}
    if body.get("name") is not None:
        new_name = _hma_bank_name(body["name"])
        if new_name != bank.name and service.find_bank(session, new_name) is not None:
            return hma_error(403, "Bank name already exists")
        changes["name"] = new_name
    if body.get("enabled") is not None:
        changes.update(enabled=bool(body["enabled"]), enabled_ratio=1.0)
    if body.get("enabled_ratio") is not None:
        changes.update(enabled=True, enabled_ratio=_ratio(body["enabled_ratio"]))
    service.update_bank(session, bank, changes)
    runtime.indexes.dirty = True
    return bank_json(bank)


@curation.delete("/bank/{bank_name}", summary="HMA: delete a bank (200 even if missing)")
def delete_bank(bank_name: str, session: SessionDep, runtime: RuntimeDep) -> dict[str, str]:
    bank = service.find_bank(session, bank_name)
    if bank is not None:
        service.delete_bank(session, bank)
        runtime.indexes.dirty = True
    return {"message": "Done"}


# -- bank content --------------------------------------------------------------------------


def _hma_signals(signals: Mapping[str, str], kind: MediaKind | None = None) -> dict[str, str]:
    """The signals HMA would show: PDQ for photos; MD5 (as ``video_md5``) and vPDQ for video."""
    shown = HMA_SIGNALS.get(kind, _HMA_CONTENT_SIGNALS) if kind else _HMA_CONTENT_SIGNALS
    return {to_hma_name(name): value for name, value in signals.items() if name in shown}


def _kind_of(signals: Mapping[str, str]) -> MediaKind | None:
    """An entry's media kind, told by its signals (PDQ only comes from pictures)."""
    if "pdq" in signals:
        return MediaKind.IMAGE
    return MediaKind.VIDEO if "vpdq" in signals else None


def _metadata_fields(raw: Any, note: Any) -> service.EntryFields:
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
    return service.EntryFields(
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
    fields: service.EntryFields,
) -> dict[str, Any]:
    settings = runtime.settings
    with spooled_to_disk(
        upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        return _add_path(runtime, session, bank, path, fields)


def _add_url(
    runtime: Runtime, session: Session, bank: Bank, url: str, fields: service.EntryFields
) -> dict[str, Any]:
    with fetched_for_hashing(url, runtime.settings) as path:
        return _add_path(runtime, session, bank, path, fields)


def _add_path(
    runtime: Runtime, session: Session, bank: Bank, path: Path, fields: service.EntryFields
) -> dict[str, Any]:
    result = hash_for_bank(runtime, path)
    signals = reliable_signals(result)
    shown = _hma_signals(signals, result.format.kind)
    if not shown:
        raise BadRequest("No signals given")
    entry = service.add_entry(session, bank, signals, fields)
    runtime.indexes.dirty = True
    return {"id": entry.id, "signals": shown}


@curation.post("/bank/{bank_name}/signal", summary="HMA: add content from raw signals")
async def add_signals(
    bank_name: str, request: Request, session: SessionDep, runtime: RuntimeDep
) -> Any:
    bank = _bank_or_404(session, bank_name)
    body = await _json_object(request)
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
    entry = service.add_entry(session, bank, signals, _metadata_fields(None, note))
    runtime.indexes.dirty = True
    return {"id": entry.id, "signals": {to_hma_name(k): v for k, v in signals.items()}}


def disable_until_ts(entry: BankEntry) -> int:
    """HMA's encoding: 0 disabled, 1 enabled, otherwise disabled until that Unix time."""
    if not entry.enabled:
        return 0
    if entry.disabled_until is not None and entry.disabled_until > utc_now():
        return int(entry.disabled_until.timestamp())
    return 1


def _content_or_404(session: Session, bank_name: str, content_id: int) -> tuple[Bank, BankEntry]:
    bank = _bank_or_404(session, bank_name)
    entry = session.get(BankEntry, content_id)
    if entry is None or entry.bank_id != bank.id:
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
    body: dict[str, Any] = {
        "bank": bank_json(bank),
        "disable_until_ts": disable_until_ts(entry),
        "id": entry.id,
        "original_media_uri": entry.url,
    }
    if entry.note:
        body["note"] = entry.note
    if include_metadata.lower() == "true" and (
        entry.platform_content_id or entry.url or entry.extra
    ):
        body["metadata"] = {
            "collab": None,
            "content_id": entry.platform_content_id,
            "content_uri": entry.url,
            "json": entry.extra or None,
        }
    if include_signals.lower() == "true":
        signals = service.entry_signals(session, [entry.id])[entry.id]
        if signals:
            body["signals"] = _hma_signals(signals, _kind_of(signals))
    return body


@curation.put("/bank/{bank_name}/content/{content_id}", summary="HMA: disable or annotate content")
async def update_content(
    bank_name: str, content_id: int, request: Request, session: SessionDep
) -> Any:
    body = await _json_object(request)
    bank, entry = _content_or_404(session, bank_name, content_id)
    changes: dict[str, Any] = {}
    if "disable_until_ts" in body:
        changes.update(_disable_changes(body["disable_until_ts"]))
    if "note" in body:
        note = body["note"]
        if note is not None and not isinstance(note, str):
            raise BadRequest("note should be a string")
        changes["note"] = note or ""
    service.update_entry(session, entry, changes)
    return {
        "bank": bank_json(bank),
        "collab_metadata": {},
        "disable_until_ts": disable_until_ts(entry),
        "id": entry.id,
        "note": entry.note or None,
        "original_media_uri": entry.url,
        "user_metadata": (
            {"content_id": entry.platform_content_id, "content_uri": entry.url, "json": entry.extra}
            if entry.platform_content_id or entry.url or entry.extra
            else None
        ),
    }


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
    entry = session.get(BankEntry, content_id)
    if entry is None or entry.bank_id != bank.id:
        return {"deleted": 0}
    service.delete_entry(session, entry)
    runtime.indexes.dirty = True
    return {"deleted": 1}


@curation.get("/signal_type", summary="HMA: signal types")
def list_signal_types() -> list[dict[str, Any]]:
    return [{"enabled_ratio": 1.0, "name": to_hma_name(name)} for name in signal_type_classes()]


@curation.get("/content_type", summary="HMA: content types")
def list_content_types() -> list[dict[str, Any]]:
    return [{"enabled": True, "name": name} for name in HMA_CONTENT_TYPES]


# -- matching ------------------------------------------------------------------------------


def _banks_param(raw: str | None) -> list[str] | None:
    return [name.strip() for name in raw.split(",") if name.strip()] if raw else None


def _query_signal(signal_type: str, signal: str) -> tuple[str, str]:
    name = from_hma_name(signal_type)
    if name not in signal_type_classes():
        raise BadRequest(f"No such SignalType '{signal_type}'")
    try:
        return name, get_signal_type(name).validate(signal)
    except SignalError as error:
        raise BadRequest(f"invalid signal: {error.detail}") from None


def _distance(value: float) -> str:
    """HMA sends distances as strings of the number (``"0"``, ``"9"``)."""
    return str(int(value)) if float(value).is_integer() else str(value)


def by_bank(matches: list[Match]) -> dict[str, list[dict[str, Any]]]:
    found: dict[str, list[dict[str, Any]]] = {}
    for match in matches:
        found.setdefault(match.bank.name, []).append(
            {"bank_content_id": match.entry.id, "distance": _distance(match.distance)}
        )
    return found


def by_type_and_bank(matches: list[Match]) -> dict[str, dict[str, list[dict[str, Any]]]]:
    grouped: dict[str, list[Match]] = {}
    for match in matches:
        grouped.setdefault(to_hma_name(match.signal_type), []).append(match)
    return {name: by_bank(group) for name, group in grouped.items()}


@matching.get("/lookup", summary="HMA: look up a signal (or a URL's content)")
def lookup(
    runtime: RuntimeDep,
    session: SessionDep,
    *,
    signal: str | None = None,
    signal_type: str | None = None,
    url: str | None = None,
    content_type: str | None = None,
    banks: str | None = None,
    seed: str | None = None,
    bypass_coinflip: bool = False,
) -> Any:
    options = MatchOptions(
        banks=_banks_param(banks), bypass_coinflip=bypass_coinflip, seed=seed, second_stage=False
    )
    if signal is not None and signal_type is not None:
        name, value = _query_signal(signal_type, signal)
        report = match_signals(runtime, session, {name: value}, options)
        return by_bank(report.matches)
    if url is None:
        raise BadRequest("Either url or both signal and signal_type are required")
    if content_type is not None and content_type not in HMA_CONTENT_TYPES:
        raise BadRequest(f"no such content_type: '{content_type}'")
    with fetched_for_hashing(url, runtime.settings) as path:
        _, report = match_file(runtime, session, path, _full(options))
    grouped = by_type_and_bank(report.matches)
    return grouped.get(signal_type, {}) if signal_type else grouped


def _full(options: MatchOptions) -> MatchOptions:
    return MatchOptions(
        banks=options.banks, bypass_coinflip=options.bypass_coinflip, seed=options.seed
    )


@matching.post("/lookup", summary="HMA: hash and look up one uploaded file")
async def lookup_upload(request: Request, runtime: RuntimeDep, session: SessionDep) -> Any:
    params = request.query_params
    options = MatchOptions(
        banks=_banks_param(params.get("banks")),
        bypass_coinflip=params.get("bypass_coinflip") == "true",  # HMA's exact comparison
        seed=params.get("seed"),
    )
    async with request.form(max_files=1, max_fields=4) as form:
        uploads = [(k, v) for k, v in form.multi_items() if isinstance(v, UploadFile)]
        if len(uploads) != 1:
            raise BadRequest("Only one file allowed per request" if uploads else "No file given")
        field_name, upload = uploads[0]
        if field_name not in HMA_CONTENT_TYPES:
            raise BadRequest(f"no such content_type: '{field_name}'")

        def work() -> Any:
            settings = runtime.settings
            with spooled_to_disk(
                upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
            ) as path:
                _, report = match_file(runtime, session, path, options)
            return by_type_and_bank(report.matches)

        return await run_in_threadpool(work)


@matching.get("/raw_lookup", summary="HMA: look up a signal, ignoring enable/disable")
def raw_lookup(
    runtime: RuntimeDep,
    session: SessionDep,
    *,
    signal: str,
    signal_type: str,
    banks: str | None = None,
    include_distance: bool = False,
) -> dict[str, list[Any]]:
    name, value = _query_signal(signal_type, signal)
    options = MatchOptions(
        banks=_banks_param(banks), include_disabled=True, bypass_coinflip=True, second_stage=False
    )
    report = match_signals(runtime, session, {name: value}, options)
    everything = report.matches + report.suppressed
    if include_distance:
        return {
            "matches": [
                {"bank_content_id": m.entry.id, "distance": _distance(m.distance)}
                for m in everything
            ]
        }
    return {"matches": [match.entry.id for match in everything]}


@matching.get("/index/status", summary="HMA: index status per signal type")
def index_status(runtime: RuntimeDep, signal_type: str | None = None) -> dict[str, Any]:
    indexes = runtime.indexes
    built_to = -1 if indexes.synced_at is None else int(indexes.synced_at)
    names = list(signal_type_classes())
    if signal_type is not None:
        name = from_hma_name(signal_type)
        if name not in names:
            raise BadRequest(f"No such signal type '{signal_type}'")
        names = [name]
    status_by_type = {}
    for name in names:
        if not indexes.has(name):
            continue
        size = indexes.size(name)
        status_by_type[to_hma_name(name)] = {
            "built_to": built_to if size else -1,
            "present": size > 0,
            "size": size,
        }
    return status_by_type


@matching.post("/compare", summary="HMA: compare pairs of signals")
async def compare(request: Request) -> Any:
    body = await _json_object(request)
    answer: dict[str, Any] = {}
    for name, pair in body.items():
        accord_name = from_hma_name(name)
        if not isinstance(pair, list):
            raise BadRequest(f"Comparison hashes for {name} was not a list")
        if len(pair) != 2:  # noqa: PLR2004 - a pair
            raise BadRequest("Comparison hash list length must be exactly 2")
        if accord_name not in signal_type_classes():
            raise BadRequest(f"No such SignalType '{name}'")
        signal_type = get_signal_type(accord_name)
        try:
            left, right = (signal_type.validate(str(value)) for value in pair)
        except SignalError as error:
            raise BadRequest(f"Invalid {name} hash: {error.detail}") from None
        distance = signal_type.distance(left, right)
        number: float | int = int(distance) if float(distance).is_integer() else distance
        answer[name] = [distance <= signal_type.threshold, {"distance": number}]
    return answer
