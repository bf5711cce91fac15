"""The erasure API: admins erase a notifier's or a protected person's data; admins and
auditors read the erasure requests, with their audit trails, and the retention rules."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Depends, Query

from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.erasure.models import ErasureKind
from accord.server.erasure.retention import last_run
from accord.server.erasure.schemas import NewErasure, request_json, retention_json
from accord.server.erasure.service import (
    erase_notifier_data,
    erase_person_data,
    list_requests,
    scrub_after_answer,
    trail_of,
)

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(tags=["erasure"])
Admin = Annotated["User", Depends(signed_in(Role.ADMIN))]
Reader = Annotated["User", Depends(signed_in(Role.ADMIN, Role.AUDITOR))]
_MAX_REQUESTS = 1000


@router.post("/v1/erasures", status_code=201, summary="Erase someone's personal data")
def erase(
    body: NewErasure,
    _user: Admin,
    session: SessionDep,
    runtime: RuntimeDep,
    background: BackgroundTasks,
) -> dict[str, Any]:
    """What was erased, and what was kept and why. Cannot be undone."""
    by = str(session.info["actor"])
    if body.kind == ErasureKind.NOTIFIER:
        request = erase_notifier_data(session, body.subject, requested_by=by, note=body.note)
    else:
        request = erase_person_data(session, body.subject, requested_by=by, note=body.note)
    # Runs once the answer is sent, so after the request's transaction committed: the
    # database's files forget the erased bytes too, as after ``accord notifier erase``.
    background.add_task(scrub_after_answer, runtime.engine)
    return request_json(request, trail_of(session, request))


@router.get("/v1/erasures", summary="Erasure requests, newest first, with their audit trails")
def requests(
    _user: Reader,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=_MAX_REQUESTS)] = 100,
) -> dict[str, Any]:
    return {
        "erasures": [
            request_json(request, trail_of(session, request))
            for request in list_requests(session, limit=limit)
        ]
    }


@router.get("/v1/retention", summary="The retention rules and the daily job's last erasures")
def retention(_user: Reader, session: SessionDep, runtime: RuntimeDep) -> dict[str, Any]:
    return retention_json(runtime.settings, last_run(session))
