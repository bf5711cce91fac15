"""The admin's generation gate page: the counts of the last day and month, the latest
blocks (a banned user's refusals only counted), live bans (to lift, with a reason),
pending appeals (to grant or reject) and the latest decided ones."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import BadRequest
from accord.server.db.base import utc_now
from accord.server.deps import SessionDep
from accord.server.guard.service import (
    banned_refusals,
    decide_appeal,
    decided_appeals,
    figures,
    latest_blocks,
    list_bans,
    pending_appeals,
    unban,
)
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute
from accord.server.portal.viewer import Viewer

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

Csrf = Annotated[str, Form(max_length=200)]
Reason = Annotated[str, Form(max_length=2000)]
#: The blocks the page lists, newest first.
LATEST_BLOCKS = 50
#: The decided appeals the page lists, newest first.
LATEST_DECIDED = 20


def _gate(session: Session) -> Mapping[str, Any]:
    now = utc_now()
    return {
        "day": figures(session, now - timedelta(days=1), now),
        "month": figures(session, now - timedelta(days=30), now),
        "blocks": latest_blocks(session, LATEST_BLOCKS),
        "blocks_limit": LATEST_BLOCKS,
        "banned_refusals": banned_refusals(session, now - timedelta(days=1)),
        "bans": list_bans(session, now),
        "appeals": pending_appeals(session),
        "decided": decided_appeals(session, LATEST_DECIDED),
    }


GATE = AdminSection(
    "/admin/guard", "admin_guard.html", _gate,
    done={
        "unbanned": "The ban was lifted; the audit log keeps the reason.",
        "granted": "The appeal was granted and the ban lifted.",
        "rejected": "The appeal was rejected; the ban stands.",
    },
)  # fmt: skip


@router.get("/guard", response_class=HTMLResponse)
def gate(request: Request, session: SessionDep, done: str = "") -> Response:
    return GATE.show(request, session, done)


@router.post("/guard/unban", response_class=HTMLResponse)
def lift_ban(
    request: Request,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    client: Annotated[str, Form(max_length=200)] = "",
    user: Annotated[str, Form(max_length=200)] = "",
    reason: Reason = "",
) -> Response:
    def lift(admin: Viewer) -> None:
        # Each row's form names its client; a form without one means the only client.
        unban(
            session, user, client=client or None, reason=reason, by=admin.user.email,
            now=utc_now(),
        )  # fmt: skip

    form = {"client": client, "user": user, "reason": reason}
    return GATE.change(request, session, csrf_token, lift, done="unbanned", form=form)


@router.post("/guard/appeals/{appeal_id}", response_class=HTMLResponse)
def decide(
    request: Request,
    appeal_id: int,
    *,
    session: SessionDep,
    csrf_token: Csrf = "",
    decision: Annotated[str, Form(max_length=20)] = "",
    reason: Reason = "",
) -> Response:
    def take(admin: Viewer) -> None:
        if decision not in {"grant", "reject"}:
            raise BadRequest("decision: grant or reject the appeal")
        decide_appeal(
            session, appeal_id, grant=decision == "grant", reason=reason,
            by=admin.user.email, now=utc_now(),
        )  # fmt: skip

    done = "granted" if decision == "grant" else "rejected"
    return GATE.change(request, session, csrf_token, take, done=done, form={"reason": reason})
