"""The audit log for auditors and admins: the newest entries, and a check of the chain."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query
from starlette.concurrency import run_in_threadpool

from accord.server.audit.schemas import verification_json
from accord.server.audit.service import newest, verify
from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.deps import SessionDep

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/audit", tags=["audit"])
Auditor = Annotated["User", Depends(signed_in(Role.AUDITOR, Role.ADMIN))]
_MAX_ENTRIES = 1000


@router.get("", summary="The newest audit entries, oldest first")
async def entries(
    _user: Auditor, session: SessionDep, limit: Annotated[int, Query(ge=1, le=_MAX_ENTRIES)] = 50
) -> dict[str, Any]:
    return {"entries": await run_in_threadpool(newest, session, limit)}


@router.get("/verify", summary="Check every entry's seal and link")
async def verify_chain(_user: Auditor, session: SessionDep) -> dict[str, Any]:
    return verification_json(await run_in_threadpool(verify, session))
