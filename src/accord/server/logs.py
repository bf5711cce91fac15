"""Logs on stderr: JSON lines for machines, plain lines for a person; a line per request."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The status logged for a request whose client went away before the answer.
CLIENT_CLOSED_REQUEST = 499
#: A record's attributes that are not fields of its own; uvicorn's color_message repeats
#: the message with terminal colour codes.
_STANDARD_ATTRIBUTES = set(vars(logging.makeLogRecord({}))) | {
    "message",
    "asctime",
    "color_message",
}


#: An email address, wherever it appears in a line (a message, a field, a traceback).
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
#: What an email address is logged as.
EMAIL_REDACTED = "<email>"


def redacted(line: str) -> str:
    """``line`` without email addresses: notifiers', appellants' and staff's addresses are
    personal data, and an exception's message may carry one from anywhere (a refused
    recipient, a value a check quotes back). Names and free text cannot be recognised
    so; they are kept out at their source (SQL parameters are hidden, ``make_engine``)."""
    return _EMAIL.sub(EMAIL_REDACTED, line)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redacted(self._entry(record))

    def _entry(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update(
            {key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES}
        )
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """One plain line: time, level, logger, message, then the structured fields as
    ``key=value`` (``GET /healthz status=200 duration_ms=1.2``)."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)-7s %(name)s: %(message)s", "%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        if record.name == "uvicorn.error":  # uvicorn's general log, errors or not
            record = logging.makeLogRecord({**vars(record), "name": "uvicorn"})
        line = super().format(record)
        fields = {
            key: value for key, value in vars(record).items() if key not in _STANDARD_ATTRIBUTES
        }
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return redacted(line)


def configure_logging(level: str, fmt: str) -> None:
    """Route every logger (uvicorn's included) through one handler on stderr: plain lines
    for ``fmt="text"``, JSON for ``"json"``, and for ``"auto"`` plain lines when a person
    reads stderr at a terminal, JSON when it goes to a file or a log collector."""
    handler = logging.StreamHandler()
    fmt = resolved_format(fmt)
    handler.setFormatter(JsonFormatter() if fmt == "json" else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers[:] = []
        logging.getLogger(name).propagate = True
    # Request lines come from accord.request, with more context than uvicorn's access log.
    logging.getLogger("uvicorn.access").setLevel(logging.WARNING)
    # faiss says at INFO which CPU build it loads, e.g. "Could not load library with AVX512
    # support due to: ModuleNotFoundError": normal on most CPUs, yet it reads as an error.
    logging.getLogger("faiss.loader").setLevel(logging.WARNING)


def resolved_format(fmt: str) -> str:
    """``"text"`` or ``"json"``: ``"auto"`` is text when a person reads stderr at a terminal."""
    if fmt == "auto":
        return "text" if sys.stderr.isatty() else "json"
    return fmt


class RequestLog:
    """Pure ASGI middleware: an ``X-Request-ID`` and one log line per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.logger = logging.getLogger("accord.request")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                ]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            # The client hung up mid-request: nobody is left to answer, and it is not a
            # server error worth a traceback. 499 is nginx's "client closed request".
            status = CLIENT_CLOSED_REQUEST
        finally:
            self.logger.info(
                "request",
                extra={
                    "request_id": request_id,
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                },
            )
