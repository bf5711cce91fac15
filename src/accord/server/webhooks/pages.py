"""The admin's webhooks page: platforms' webhooks (adding, pausing, resuming) and the
messages set aside as dead, to send again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import BadRequest
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute, see_other
from accord.server.portal.viewer import Viewer
from accord.server.webhooks.models import MessageStatus, OutboxMessage, Webhook
from accord.server.webhooks.service import add_webhook, list_webhooks, replay, set_enabled

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

Csrf = Annotated[str, Form(max_length=200)]
_DEAD_LETTERS = 200


def _webhooks(session: Session) -> Mapping[str, Any]:
    dead = session.execute(
        # An outer join: a message kept for want of a webhook has none (its error says so).
        select(OutboxMessage, func.coalesce(Webhook.name, "none"))
        .outerjoin(Webhook, Webhook.id == OutboxMessage.webhook_id)
        .where(OutboxMessage.status == MessageStatus.DEAD)
        .order_by(OutboxMessage.id)
        .limit(_DEAD_LETTERS)
    ).all()
    return {
        "secret": None, "dead": dead, "dead_limit": _DEAD_LETTERS,
        "webhooks": list_webhooks(session),
    }  # fmt: skip


WEBHOOKS = AdminSection(
    "/admin/webhooks", "admin_webhooks.html", _webhooks,
    done={
        "replayed": "The message will be sent again, from a fresh count of attempts.",
        "resumed": "The webhook is delivering again, starting with what waited.",
        "paused": "The webhook is paused: its messages wait until it is resumed.",
    },
)  # fmt: skip


@router.get("/webhooks", response_class=HTMLResponse)
def webhooks(request: Request, session: SessionDep, done: str = "") -> Response:
    return WEBHOOKS.show(request, session, done)


@router.post("/webhooks", response_class=HTMLResponse)
def create_webhook(
    request: Request,
    *,
    runtime: RuntimeDep,
    session: SessionDep,
    csrf_token: Csrf = "",
    name: Annotated[str, Form(max_length=100)] = "",
    url: Annotated[str, Form(max_length=2000)] = "",
    platform: Annotated[str, Form(max_length=100)] = "",
) -> Response:
    def create(_: Viewer) -> Mapping[str, Any]:
        if not name.strip():
            raise BadRequest("name: a webhook needs a name")
        master_key = runtime.settings.master_key.get_secret_value()
        webhook, secret = add_webhook(
            session, name.strip(), url.strip(), master_key, platform=platform
        )
        # Shown on this answer only: the secret is kept sealed under the master key.
        return {"secret": {"name": webhook.name, "value": secret}}

    return WEBHOOKS.change_and_show(
        request, session, csrf_token, create,
        form={"name": name, "url": url, "platform": platform},
    )  # fmt: skip


@router.post("/webhooks/messages/{message_id}/replay", response_class=HTMLResponse)
def replay_message(
    request: Request, message_id: int, session: SessionDep, csrf_token: Csrf = ""
) -> Response:
    return WEBHOOKS.change(
        request, session, csrf_token, lambda _: replay(session, message_id), done="replayed"
    )


@router.post("/webhooks/{name}/enabled", response_class=HTMLResponse)
def set_webhook_enabled(
    request: Request,
    name: str,
    session: SessionDep,
    csrf_token: Csrf = "",
    enabled: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    WEBHOOKS.admin(request, session, csrf_token)
    set_enabled(session, name, enabled=enabled == "yes")
    return see_other(f"/admin/webhooks?done={'resumed' if enabled == 'yes' else 'paused'}")
