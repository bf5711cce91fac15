"""The request log middleware: an id per request, and hung-up clients are not errors."""

from __future__ import annotations

import asyncio
import logging

import pytest
from starlette.requests import ClientDisconnect, Request
from starlette.types import Message, Receive, Scope, Send

from accord.server.logs import CLIENT_CLOSED_REQUEST, RequestLog

SCOPE: Scope = {"type": "http", "method": "POST", "path": "/v1/match", "headers": []}


async def reads_a_body(scope: Scope, receive: Receive, send: Send) -> None:
    await Request(scope, receive).body()
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"{}"})


def run(messages: list[Message]) -> list[Message]:
    sent: list[Message] = []

    async def receive() -> Message:
        return messages.pop(0)

    async def send(message: Message) -> None:
        sent.append(message)

    asyncio.run(RequestLog(reads_a_body)(SCOPE, receive, send))
    return sent


def test_answers_carry_a_request_id(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="accord.request"):
        sent = run([{"type": "http.request", "body": b"x", "more_body": False}])
    headers = dict(sent[0]["headers"])
    assert len(headers[b"x-request-id"]) == 32
    assert caplog.records[-1].status == 200  # type: ignore[attr-defined]


def test_a_client_that_hangs_up_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="accord.request"):
        sent = run([{"type": "http.disconnect"}])
    assert sent == []
    assert caplog.records[-1].status == CLIENT_CLOSED_REQUEST  # type: ignore[attr-defined]
    with pytest.raises(ClientDisconnect):  # what the middleware stops from reaching uvicorn
        asyncio.run(reads_a_body(SCOPE, _disconnected, _ignore))


async def _disconnected() -> Message:
    return {"type": "http.disconnect"}


async def _ignore(_message: Message) -> None:
    return None
