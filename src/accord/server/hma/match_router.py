"""HMA-compatible matching endpoints (``/m``): look up signals, files and URLs, the index
status, and compare signals, with HMA 2.x's shapes (see ``hma.router``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from accord.errors import BadRequest, SignalError
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.hashing.service import HMA_CONTENT_TYPES, fetched_for_hashing
from accord.server.hma.protocol import HmaRoute, json_object
from accord.server.hma.schemas import by_bank, by_type_and_bank, raw_matches_json
from accord.server.matching.service import MatchOptions, match_file, match_signals
from accord.server.uploads import spooled_to_disk
from accord.signals.registry import (
    from_hma_name,
    get_signal_type,
    signal_type_classes,
    to_hma_name,
)

matching = APIRouter(
    prefix="/m", tags=["hma"], route_class=HmaRoute, dependencies=[Depends(require(Scope.MATCH))]
)


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
    return raw_matches_json(report.matches + report.suppressed, include_distance=include_distance)


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
    body = await json_object(request)
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
