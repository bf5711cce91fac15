"""The admin's erasure page: erasing a notifier's or a protected person's data (confirmed,
since it cannot be undone), the past erasure requests with the audit trail of each, and
the retention rules with what the daily job last erased."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import BadRequest
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.erasure.models import ErasureRequest
from accord.server.erasure.retention import last_run
from accord.server.erasure.schemas import retention_json
from accord.server.erasure.service import (
    erase_notifier_data,
    erase_person_data,
    list_requests,
    scrub_after_answer,
    trail_of,
)
from accord.server.persons.service import list_people
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute
from accord.server.portal.viewer import Viewer
from accord.server.runtime import Runtime
from accord.server.settings import Settings

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

Csrf = Annotated[str, Form(max_length=200)]
Note = Annotated[str, Form(max_length=2000)]
#: "yes" when the admin ticked that the erasure cannot be undone.
Confirm = Annotated[str, Form(max_length=3)]
_REQUESTS = 100
_DONE = {
    "erased": "Erased. The request is listed first below, with what was erased and kept.",
}


def _section(settings: Settings) -> AdminSection:
    """The page, whose retention section shows this instance's settings."""

    def listing(session: Session) -> Mapping[str, Any]:
        requests = list_requests(session, limit=_REQUESTS)
        return {
            "people": [person for person, _ in list_people(session)],
            "requests": [(request, trail_of(session, request)) for request in requests],
            "retention": retention_json(settings, last_run(session)),
        }

    return AdminSection("/admin/erasures", "admin_erasures.html", listing, done=_DONE)


@router.get("/erasures", response_class=HTMLResponse)
def erasures(
    request: Request, runtime: RuntimeDep, session: SessionDep, done: str = ""
) -> Response:
    return _section(runtime.settings).show(request, session, done)


@router.post("/erasures/notifier", response_class=HTMLResponse)
def erase_notifier(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    background: BackgroundTasks,
    csrf_token: Csrf = "",
    email: Annotated[str, Form(max_length=320)] = "",
    note: Note = "",
    confirm: Confirm = "",
) -> Response:
    def erase(by: str) -> ErasureRequest:
        return erase_notifier_data(session, email, requested_by=by, note=note)

    form = {"email": email, "note": note}
    return _erase(
        request, session, erase, runtime=runtime, background=background,
        csrf_token=csrf_token, confirm=confirm, form=form,
    )  # fmt: skip


@router.post("/erasures/person", response_class=HTMLResponse)
def erase_person(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    background: BackgroundTasks,
    csrf_token: Csrf = "",
    person: Annotated[str, Form(max_length=100)] = "",
    note: Note = "",
    confirm: Confirm = "",
) -> Response:
    def erase(by: str) -> ErasureRequest:
        return erase_person_data(session, person, requested_by=by, note=note)

    form = {"person": person, "person_note": note}
    return _erase(
        request, session, erase, runtime=runtime, background=background,
        csrf_token=csrf_token, confirm=confirm, form=form,
    )  # fmt: skip


def _erase(
    request: Request,
    session: Session,
    erase: Callable[[str], ErasureRequest],
    *,
    runtime: Runtime,
    background: BackgroundTasks,
    csrf_token: str,
    confirm: str,
    form: Mapping[str, str],
) -> Response:
    """Erase once the admin confirmed; after the answer (so after the commit), the
    database's files forget the erased bytes too, as after ``accord notifier erase``."""

    def confirmed(_admin: Viewer) -> None:
        if confirm != "yes":
            raise BadRequest("tick the box confirming that the erasure cannot be undone")
        erase(str(session.info["actor"]))  # the admin, as the viewer check set it
        background.add_task(scrub_after_answer, runtime.engine)

    section = _section(runtime.settings)
    return section.change(request, session, csrf_token, confirmed, done="erased", form=form)
