"""The admin's alerts page: who is told of incidents (adding, removing), the open and
recent incidents, and the audit trail of every change to the recipients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.server.alerts.models import AlertKind
from accord.server.alerts.service import (
    add_recipient,
    list_incidents,
    list_recipients,
    recipient_history,
    remove_recipient,
)
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute
from accord.server.portal.viewer import Viewer

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

Csrf = Annotated[str, Form(max_length=200)]
_INCIDENTS = 100
_HISTORY = 200


def _alerts(session: Session) -> Mapping[str, Any]:
    return {
        "secret": None, "kinds": [kind.value for kind in AlertKind],
        "recipients": list_recipients(session),
        "incidents": list_incidents(session, limit=_INCIDENTS),
        "history": recipient_history(session)[-_HISTORY:],
    }  # fmt: skip


ALERTS = AdminSection(
    "/admin/alerts", "admin_alerts.html", _alerts,
    done={
        "added": "The address will be told of every new incident it subscribed to.",
        "removed": "The address will be told nothing more.",
    },
)  # fmt: skip


@router.get("/alerts", response_class=HTMLResponse)
def alerts(request: Request, session: SessionDep, done: str = "") -> Response:
    return ALERTS.show(request, session, done)


@router.post("/alerts", response_class=HTMLResponse)
def create_recipient(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    address: Annotated[str, Form(max_length=2000)] = "",
    events: Annotated[list[str] | None, Form(max_length=10)] = None,
) -> Response:
    def create(found: Viewer) -> Mapping[str, Any]:
        recipient, secret = add_recipient(
            session, address, events or [], created_by=found.user.email,
            master_key=runtime.settings.master_key.get_secret_value(),
        )  # fmt: skip
        # Shown on this answer only: the secret is kept sealed under the master key.
        shown = {"address": recipient.address, "value": secret} if secret else None
        return {"secret": shown, "done": ALERTS.done["added"]}

    return ALERTS.change_and_show(request, session, csrf_token, create, form={"address": address})


@router.post("/alerts/{recipient_id}/remove", response_class=HTMLResponse)
def delete_recipient(
    request: Request, recipient_id: int, session: SessionDep, csrf_token: Csrf = ""
) -> Response:
    return ALERTS.change(
        request, session, csrf_token, lambda _: remove_recipient(session, recipient_id),
        done="removed",
    )  # fmt: skip
