"""The public Verify page: anyone uploads a file and reads its credential card.

No account: the page answers every visitor, limited per client address instead. The
upload lives in a temporary file for the request only, unless the operator asked for
copies to be kept (``ACCORD_VERIFY_KEEP_UPLOADS_DIR``).
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import shutil
import tempfile
from pathlib import Path
from typing import Annotated, Any, BinaryIO

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from accord.errors import AccordError, MediaError, NotFound, PayloadTooLarge, ServerBusy
from accord.server.credentials.service import live_pictures, live_record, verify_and_trace
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.problems import status_for
from accord.server.runtime import Runtime
from accord.server.uploads import spooled_to_disk
from accord.server.verify_page.card import build_card
from accord.server.verify_page.rendering import PageError, VerifyPage
from accord.server.verify_page.thumbnails import claim_thumbnail

router = APIRouter(include_in_schema=False)
logger = logging.getLogger("accord.server")
_HEX = frozenset("0123456789abcdef")
MEDIA_HINT = "Check that it is a whole photo, video or audio file, then try again."


async def get_page(request: Request) -> VerifyPage:
    page: VerifyPage = request.app.state.verify_page
    return page


PageDep = Annotated[VerifyPage, Depends(get_page)]


@router.get("/verify", response_class=HTMLResponse)
async def verify_form(request: Request, page: PageDep) -> HTMLResponse:
    return page.render(request)


@router.post("/verify", response_class=HTMLResponse)
async def verify_upload(
    request: Request, page: PageDep, runtime: RuntimeDep, session: SessionDep
) -> HTMLResponse:
    """A plain multipart form post answers the whole page; htmx gets only the card."""
    wait = page.limiter.take(request.client.host if request.client else None)
    if wait > 0:
        seconds = math.ceil(wait)
        error = PageError(
            429,
            "Too many checks",
            f"Each address may check {page.limiter.per_minute} files a minute. "
            f"Try again in {seconds} seconds.",
        )
        return page.render(request, error=error, status=429, headers={"Retry-After": str(seconds)})
    try:
        # Parsed here rather than by FastAPI, so a bad form is an error page, not JSON.
        async with request.form(max_files=1, max_fields=10) as form:
            upload = form.get("file")
            if not isinstance(upload, UploadFile) or not upload.filename:
                error = PageError(400, "No file chosen", "Choose a file to check, then send it.")
                return page.render(request, error=error, status=400)
            answer, with_thumbnail = await run_in_threadpool(
                _check, runtime, session, page, upload.file
            )
    except AccordError as failure:
        error = _explain(failure, page)
        return page.render(request, error=error, status=error.status, headers=_retry(failure))
    except HTTPException as failure:  # a malformed multipart body
        error = PageError(400, "The upload could not be read", str(failure.detail))
        return page.render(request, error=error, status=400)
    except Exception:  # a readable page, not JSON, for any other failure
        logger.exception("the verify page failed", extra={"path": request.url.path})
        error = PageError(500, "Something went wrong", "The check failed here; try again later.")
        return page.render(request, error=error, status=500)

    def thumbnail(record_id: str) -> str | None:
        if record_id not in with_thumbnail:
            return None
        path = request.app.url_path_for("verify_thumbnail", record_id=record_id)
        return f"{request.scope.get('root_path', '')}{path}"

    return page.render(request, card=build_card(answer, upload.filename, thumbnail))


@router.get("/verify/originals/{record_id}/thumbnail", name="verify_thumbnail")
def original_thumbnail(record_id: str, session: SessionDep) -> Response:
    """The small picture signed into a record's manifest, for the card's registry match."""
    record = live_record(session, record_id) if _is_record_id(record_id) else None
    found = claim_thumbnail(record.manifest_store) if record is not None else None
    if found is None:
        raise NotFound("no thumbnail for that record")
    data, mime = found
    return Response(
        data,
        media_type=mime,
        headers={
            # Short: a revoked record's picture must stop showing soon.
            "Cache-Control": "public, max-age=300",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'",
        },
    )


def _check(
    runtime: Runtime, session: Session, page: VerifyPage, source: BinaryIO
) -> tuple[dict[str, Any], frozenset[str]]:
    """The verify API's answer for the upload, and which named records have a picture."""
    settings = runtime.settings
    with spooled_to_disk(source, directory=settings.upload_dir, max_bytes=page.max_bytes) as path:
        if page.keep_dir is not None:
            _keep(path, page.keep_dir)
        answer = verify_and_trace(runtime, session, path).to_json()
    named = [str(item["record_id"]) for item in answer["originals"]]
    watermark = answer.get("watermark")
    if isinstance(watermark, dict) and watermark.get("record_id"):
        named.append(str(watermark["record_id"]))
    return answer, live_pictures(session, named)


def _keep(path: Path, folder: Path) -> None:
    """A copy named by its SHA-256, written whole or not at all."""
    folder.mkdir(parents=True, exist_ok=True)
    with path.open("rb") as stream:
        name = hashlib.file_digest(stream, "sha256").hexdigest()
    target = folder / name
    if target.exists():
        return
    handle, partial = tempfile.mkstemp(dir=folder, prefix=".partial-")
    os.close(handle)
    try:
        shutil.copyfile(path, partial)
        Path(partial).replace(target)
    finally:
        Path(partial).unlink(missing_ok=True)


def _explain(failure: AccordError, page: VerifyPage) -> PageError:
    if isinstance(failure, PayloadTooLarge):
        return page.too_large()
    hint = MEDIA_HINT if isinstance(failure, MediaError) else None
    return PageError(status_for(failure), failure.title, failure.detail, hint)


def _retry(failure: AccordError) -> dict[str, str] | None:
    """A busy server's page says when to try again, as its API answers do."""
    if isinstance(failure, ServerBusy):
        return {"Retry-After": str(max(1, round(failure.retry_after_seconds)))}
    return None


def _is_record_id(value: str) -> bool:
    return len(value) == 32 and set(value) <= _HEX  # noqa: PLR2004 - uuid4().hex
