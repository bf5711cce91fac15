"""FastAPI dependencies: the app's runtime and a database session per request.

They are ``async`` on purpose: FastAPI runs every plain ``def`` dependency in a worker
thread, and those hops, not the work, dominated the cost of a small request.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from accord.server.runtime import Runtime
from accord.server.settings import Settings


async def get_runtime(request: Request) -> Runtime:
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_settings(runtime: RuntimeDep) -> Settings:
    return runtime.settings


SettingsDep = Annotated[Settings, Depends(get_settings)]


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[Session]:
    """One session per request: committed if the handler returns, rolled back if it raises,
    and in either case before the response leaves (``scope="function"``), so a client that
    got an answer can read its write, and an acknowledged write survives a crash.

    Creating a session does no I/O; it connects when first used, in the handler's worker
    thread. Ending it needs a worker thread only when a transaction is still open, so a
    handler that commits its own work (``POST /v1/match``) costs no extra hop.
    """
    session = runtime.sessions()
    session.info["actor"] = request_actor(request)
    try:
        yield session
        if session.in_transaction():
            await run_in_threadpool(session.commit)
    except BaseException:
        if session.in_transaction():
            await run_in_threadpool(session.rollback)
        raise
    finally:
        session.close()  # no I/O left: the transaction ended above


SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def request_actor(request: Request) -> str:
    """Who the audit log says made a request's changes: its API key, or the API itself
    when keys are not required and none was sent."""
    caller = getattr(request.state, "caller", None)
    name = getattr(caller, "key_name", None)
    return f"key:{name}" if name else "api"
