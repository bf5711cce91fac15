"""The admin's elections page: the elections there are, and a form to add one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import BadRequest
from accord.server.db.base import utc_now
from accord.server.deps import SessionDep
from accord.server.elections.service import add_election, list_elections
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute
from accord.server.portal.viewer import Viewer

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

_TERRITORY_SEPARATORS = re.compile(r"[\s,;]+")


def _elections(session: Session) -> Mapping[str, Any]:
    return {"elections": list_elections(session), "today": utc_now().date()}


ELECTIONS = AdminSection(
    "/admin/elections", "admin_elections.html", _elections,
    done={"election": "The election was added."},
)  # fmt: skip


@router.get("/elections", response_class=HTMLResponse)
def elections(request: Request, session: SessionDep, done: str = "") -> Response:
    return ELECTIONS.show(request, session, done)


@router.post("/elections", response_class=HTMLResponse)
def create_election(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    name: Annotated[str, Form(max_length=200)] = "",
    polling_date: Annotated[str, Form(max_length=40)] = "",
    territories: Annotated[str, Form(max_length=500)] = "",
    held: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def add(_: Viewer) -> None:
        add_election(
            session, name, _polling_day(polling_date), _TERRITORY_SEPARATORS.split(territories),
            allow_past=bool(held),
        )  # fmt: skip

    return ELECTIONS.change(
        request, session, csrf_token, add, done="election",
        form={
            "name": name, "polling_date": polling_date, "territories": territories,
            "held": held,
        },
    )  # fmt: skip


def _polling_day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise BadRequest(f"polling day: not a date (YYYY-MM-DD): {raw!r}") from None
