"""Hashing endpoints: accord's ``/v1/hash`` and HMA's ``/h/hash`` shapes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile as StarletteUploadFile

from accord.errors import BadRequest
from accord.server.assets.schemas import HashRead
from accord.server.auth.guard import require
from accord.server.auth.keys import Scope
from accord.server.deps import RuntimeDep
from accord.server.hashing.fetch import fetched_for_hashing
from accord.server.hashing.service import (
    HMA_CONTENT_TYPES,
    hash_for_hma,
    hash_path,
    to_hash_read,
)
from accord.server.uploads import spooled_to_disk

router = APIRouter(tags=["hashing"], dependencies=[Depends(require(Scope.HASH))])

SignalsQuery = Annotated[
    str | None,
    Query(description="Comma-separated signal types (default: every type for the file's kind)"),
]
ExactQuery = Annotated[
    bool, Query(description="Hash with Meta's reference C++ PDQ (bit-exact, slower)")
]


@router.post("/v1/hash", summary="Compute the signals of an uploaded file")
def hash_upload(
    file: UploadFile, runtime: RuntimeDep, signals: SignalsQuery = None, exact: ExactQuery = False
) -> HashRead:
    settings = runtime.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        return to_hash_read(hash_path(runtime, path, signal_names=signals, exact=exact))


@router.post("/h/hash", summary="HMA-compatible: hash one multipart file named photo or video")
async def hma_hash_upload(
    request: Request, runtime: RuntimeDep, types: SignalsQuery = None
) -> dict[str, str]:
    settings = runtime.settings
    # The context closes the parsed upload's temporary file whatever happens.
    async with request.form(max_files=1, max_fields=4) as form:
        uploads = [
            (name, value)
            for name, value in form.multi_items()
            if isinstance(value, StarletteUploadFile)
        ]
        if len(uploads) != 1 or uploads[0][0] not in HMA_CONTENT_TYPES:
            msg = "send exactly one file, in a multipart field named 'photo' or 'video'"
            raise BadRequest(msg)
        content_type, upload = uploads[0]

        def work() -> dict[str, str]:
            with spooled_to_disk(
                upload.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
            ) as path:
                return hash_for_hma(runtime, path, content_type=content_type, types=types)

        return await run_in_threadpool(work)


@router.get("/h/hash", summary="HMA-compatible: hash the file at an allow-listed URL")
def hma_hash_url(
    runtime: RuntimeDep,
    url: Annotated[str, Query(max_length=4096)],
    content_type: Annotated[str, Query()] = "photo",
    types: SignalsQuery = None,
) -> dict[str, str]:
    if content_type not in HMA_CONTENT_TYPES:
        msg = f"content_type must be one of {', '.join(HMA_CONTENT_TYPES)}"
        raise BadRequest(msg)
    with fetched_for_hashing(url, runtime.settings) as path:
        return hash_for_hma(runtime, path, content_type=content_type, types=types)
