"""Every error leaves the API as RFC 9457 ``application/problem+json``, mapped here only."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from accord import errors
from accord.server.storage.store import BlobStoreError

PROBLEM_JSON = "application/problem+json"

#: HTTP status per error family; the most specific class listed wins.
STATUS_BY_ERROR: dict[type[errors.AccordError], int] = {
    errors.EmptyMedia: 422,
    errors.UnsupportedMedia: 415,
    errors.MediaTooLarge: 413,
    errors.CorruptMedia: 422,
    errors.MediaError: 422,
    errors.UnknownSignalType: 400,
    errors.InvalidSignal: 400,
    errors.SignalNotApplicable: 422,
    errors.SignalError: 400,
    errors.HostNotAllowed: 403,
    errors.FetchFailed: 502,
    errors.FetchError: 502,
    errors.IndexFormatError: 500,
    errors.StixError: 422,
    errors.CredentialError: 422,
    errors.ReportError: 503,
    errors.DetectorError: 503,
    errors.ProducerUnavailable: 503,
    errors.FaceNotFound: 422,
    errors.VoiceNotFound: 422,
    errors.ServerBusy: 503,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.LikenessRefused: 422,
    errors.Unauthorized: 401,
    errors.Forbidden: 403,
    errors.RateLimited: 429,
    errors.PayloadTooLarge: 413,
    errors.RequestError: 400,
}

logger = logging.getLogger("accord.server")


def problem_type(code: str) -> str:
    """A stable URI per error code; clients switch on it (or on ``code``)."""
    return f"urn:accord:problem:{code}"


def problem_response(
    request: Request, *, status: int, code: str, title: str, detail: str, **extra: Any
) -> JSONResponse:
    body = {
        "type": problem_type(code),
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "instance": request.url.path,
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def status_for(error: errors.AccordError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


async def _accord_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.AccordError)  # noqa: S101 - registered for this class
    return accord_error_response(request, error)


def accord_error_response(request: Request, error: errors.AccordError) -> JSONResponse:
    """The problem answering ``error``, with the headers its status calls for."""
    response = problem_response(
        request, status=status_for(error), code=error.code, title=error.title, detail=error.detail
    )
    if isinstance(error, errors.RateLimited | errors.ServerBusy):
        response.headers["Retry-After"] = str(max(1, round(error.retry_after_seconds)))
    elif isinstance(error, errors.Unauthorized):
        response.headers["WWW-Authenticate"] = 'Bearer realm="accord"'
    return response


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)  # noqa: S101 - registered for this class
    problems = [
        {"loc": list(item.get("loc", ())), "msg": str(item.get("msg", ""))}
        for item in error.errors()
    ]
    detail = "; ".join(f"{'.'.join(map(str, p['loc']))}: {p['msg']}" for p in problems)
    sent_as = request.headers.get("content-type", "")
    if any(p["loc"] == ["body"] for p in problems) and "json" not in sent_as:
        # curl -d sends a form: the usual first mistake, and pydantic's words hide it.
        detail = (
            f"the body must be JSON, sent with 'Content-Type: application/json' (it came as "
            f"{sent_as or 'no content type'!r}); {detail}"
        )
    return problem_response(
        request,
        status=422,
        code="request.invalid",
        title="Invalid request",
        detail=detail,
        errors=problems,
    )


async def http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)  # noqa: S101 - registered for this class
    return problem_response(
        request,
        status=error.status_code,
        code=f"http.{error.status_code}",
        title=str(error.detail),
        detail=str(error.detail),
    )


async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
    """Logs the error (with its traceback) and answers without revealing it."""
    logger.error("unhandled error", exc_info=error, extra={"path": request.url.path})
    return problem_response(
        request,
        status=500,
        code="server.internal",
        title="Internal server error",
        detail="the server failed; the error was logged",
    )


async def store_unavailable(request: Request, error: Exception) -> JSONResponse:
    """The blob store did not answer: nothing was stored, and the client may try again."""
    logger.warning("blob store unavailable: %s", error, extra={"path": request.url.path})
    response = problem_response(
        request,
        status=503,
        code="server.storage_unavailable",
        title="Storage unavailable",
        detail=f"{error}; nothing was stored, try again shortly",
    )
    response.headers["Retry-After"] = "5"
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(BlobStoreError, store_unavailable)
    app.add_exception_handler(errors.AccordError, _accord_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected_error)
