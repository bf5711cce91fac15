"""Logs a person can read at a terminal, JSON for machines, and no alarming faiss noise."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest

from accord.server.logs import JsonFormatter, TextFormatter, configure_logging
from accord.server.settings import Settings

CHANGED = ("", "uvicorn", "uvicorn.error", "uvicorn.access", "faiss.loader")


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Pipe(io.StringIO):
    def isatty(self) -> bool:
        return False


@pytest.fixture(autouse=True)
def logging_restored() -> Iterator[None]:
    """configure_logging changes process-wide loggers; put them back for other tests."""
    loggers = [logging.getLogger(name) for name in CHANGED]
    saved = [(lg.handlers[:], lg.level, lg.propagate) for lg in loggers]
    yield
    for logger, (handlers, level, propagate) in zip(loggers, saved, strict=True):
        logger.handlers[:], logger.level, logger.propagate = handlers, level, propagate


def configured(fmt: str, stderr: io.StringIO, monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    monkeypatch.setattr(sys, "stderr", stderr)
    configure_logging("INFO", fmt)
    return stderr


def test_the_default_is_auto() -> None:
    assert Settings.model_fields["log_format"].default == "auto"


@pytest.mark.parametrize(
    ("fmt", "stderr", "formatter"),
    [
        ("auto", Terminal(), TextFormatter),
        ("auto", Pipe(), JsonFormatter),
        ("json", Terminal(), JsonFormatter),  # an explicit setting wins
        ("text", Pipe(), TextFormatter),
    ],
)
def test_plain_lines_at_a_terminal_json_elsewhere(
    fmt: str, stderr: io.StringIO, formatter: type, monkeypatch: pytest.MonkeyPatch
) -> None:
    configured(fmt, stderr, monkeypatch)
    assert isinstance(logging.getLogger().handlers[0].formatter, formatter)


def test_a_plain_request_line_keeps_its_fields(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = configured("text", Terminal(), monkeypatch)
    fields = {"method": "GET", "path": "/healthz", "status": 200, "duration_ms": 1.5}
    fields["color_message"] = "uvicorn's copy of the message, with colour codes"
    logging.getLogger("accord.request").info("request", extra=fields)
    line = stderr.getvalue()
    assert line.endswith(
        " INFO    accord.request: request method=GET path=/healthz status=200 duration_ms=1.5\n"
    )
    assert not line.startswith("{")


def test_faiss_choosing_its_cpu_build_is_not_logged(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = configured("json", Pipe(), monkeypatch)
    loader = logging.getLogger("faiss.loader")
    loader.info("Could not load library with AVX512 support due to: ModuleNotFoundError")
    assert stderr.getvalue() == ""
    loader.warning("a real problem")
    assert json.loads(stderr.getvalue())["message"] == "a real problem"


def test_uvicorns_general_log_does_not_read_as_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    stderr = configured("text", Terminal(), monkeypatch)
    logging.getLogger("uvicorn.error").info("Application startup complete.")
    assert stderr.getvalue().endswith(" INFO    uvicorn: Application startup complete.\n")
