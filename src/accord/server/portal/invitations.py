"""The invitation page: choose a password, and the account exists.

An invitation that cannot be accepted (unknown, used or expired) says so at once, instead
of a form that would only refuse after a password is typed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from starlette.responses import Response

from accord.errors import AccordError
from accord.server.accounts import service as accounts
from accord.server.deps import SessionDep
from accord.server.portal.routing import PageRoute, portal, see_other
from accord.server.problems import status_for

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/invitations/{token}", response_class=HTMLResponse)
def invitation_form(request: Request, token: str, session: SessionDep) -> Response:
    try:
        accounts.open_invitation(session, token)
    except AccordError as error:
        return _form(request, token, status=status_for(error), error=error.detail, usable=False)
    return _form(request, token)


@router.post("/invitations/{token}", response_class=HTMLResponse)
def accept_invitation(
    request: Request,
    token: str,
    session: SessionDep,
    password: Annotated[str, Form(max_length=4096)] = "",
    display_name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    try:
        accounts.accept_invitation(session, token, password, display_name=display_name)
    except AccordError as error:
        return _form(
            request, token, status=status_for(error), error=error.detail,
            display_name=display_name,
        )  # fmt: skip
    return see_other("/login?flash=account_ready")


def _form(
    request: Request,
    token: str,
    *,
    status: int = 200,
    error: str | None = None,
    display_name: str = "",
    usable: bool = True,
) -> Response:
    return portal().render(
        request, "invitation.html", viewer=None, status=status, token=token, error=error,
        display_name=display_name, usable=usable,
    )  # fmt: skip
