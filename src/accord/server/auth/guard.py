"""Check a request's API key, its scope and its rate limit: one FastAPI dependency per scope."""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool

from accord.errors import MissingScope, RateLimited, Unauthorized
from accord.server.auth.keys import Scope, find_key
from accord.server.auth.state import ANONYMOUS, Caller
from accord.server.deps import RuntimeDep
from accord.server.rates import client_key
from accord.server.runtime import Runtime


def limit_per_address(
    request: Request, runtime: Runtime, *, purpose: str, per_minute: int, what: str
) -> None:
    """Refuse a client address its request past ``per_minute`` of one ``purpose`` (for
    callers without an API key: sign-ins, public notices and appeals)."""
    address = client_key(request.client.host if request.client else None)
    wait = runtime.guard.buckets.take(f"{purpose}:{address}", per_minute)
    if wait > 0:
        raise RateLimited(f"too many {what} from {address}: wait a little", wait)


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return request.headers.get("x-api-key") or None


def require(scope: Scope) -> Callable[..., Awaitable[Caller]]:
    """A dependency admitting callers whose key holds ``scope`` and has requests left."""

    async def check(request: Request, runtime: RuntimeDep) -> Caller:
        return await admit(request, runtime, scope)

    return check


async def admit(request: Request, runtime: Runtime, scope: Scope) -> Caller:
    """The caller, if its key holds ``scope`` and has requests left; raise otherwise.

    ``async`` so that a cached key costs no worker thread; the database is read (in one)
    only for a key this process has not seen within ``KEY_CACHE_SECONDS``.
    """
    guard = runtime.guard
    key = presented_key(request)
    if key is None:
        if runtime.settings.api_keys_required:
            raise Unauthorized("send an API key as 'Authorization: Bearer <key>'")
        return ANONYMOUS
    digest = hashlib.sha256(key.encode()).hexdigest()
    cached, caller = guard.keys.get(digest)
    if not cached:
        caller = await run_in_threadpool(_read_caller, runtime.sessions, key)
        guard.keys.put(digest, caller)
    if caller is None:
        raise Unauthorized("the API key is unknown or revoked")
    if scope.value not in caller.scopes:
        raise MissingScope(f"the API key {caller.key_name!r} lacks the {scope.value!r} scope")
    limit = caller.rate_limit_per_minute or runtime.settings.default_rate_limit_per_minute
    wait = guard.buckets.take(f"key:{digest}", limit)
    if wait > 0:
        raise RateLimited(f"rate limit of {limit} requests per minute reached", wait)
    request.state.caller = caller  # the audit log names it (``deps.get_session``)
    return caller


def _read_caller(sessions: sessionmaker[Session], key: str) -> Caller | None:
    # A session of its own: most requests find their key cached and need none.
    with sessions() as session:
        row = find_key(session, key)
        if row is None:
            return None
        return Caller(row.name, frozenset(row.scopes), row.rate_limit_per_minute, row.platform)


HashCaller = Annotated[Caller, Depends(require(Scope.HASH))]
MatchCaller = Annotated[Caller, Depends(require(Scope.MATCH))]
CurateCaller = Annotated[Caller, Depends(require(Scope.CURATE))]
