"""The admin's bank pages: every bank with its sharing (share, stop sharing, the TAXII
collection's id) and false-positive limit, and one bank's entries with partners'
opinions on them."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.errors import BadRequest
from accord.server.auth.roles import Role
from accord.server.banks import service
from accord.server.deps import SessionDep
from accord.server.portal.admin_section import AdminSection
from accord.server.portal.routing import PageRoute, portal
from accord.server.portal.viewer import Viewer, viewer

router = APIRouter(prefix="/admin", route_class=PageRoute, include_in_schema=False)

Csrf = Annotated[str, Form(max_length=200)]
#: Entries shown per page of a bank.
_ENTRIES_PER_PAGE = 100


def _banks(session: Session) -> Mapping[str, Any]:
    return {"banks": service.list_banks(session), "counts": service.entry_counts(session)}


BANKS = AdminSection(
    "/admin/banks", "admin_banks.html", _banks,
    done={
        "shared": "The bank is shared: partners' share keys read it as a TAXII collection.",
        "unshared": (
            "The bank is no longer shared; partners keep what they fetched and get no "
            "updates until it is shared again."
        ),
        "limit": "The false-positive limit was saved.",
    },
)  # fmt: skip


@router.get("/banks", response_class=HTMLResponse)
def banks(request: Request, session: SessionDep, done: str = "") -> Response:
    return BANKS.show(request, session, done)


@router.post("/banks/{name}/shared", response_class=HTMLResponse)
def set_shared(
    request: Request,
    name: str,
    session: SessionDep,
    csrf_token: Csrf = "",
    shared: Annotated[str, Form(max_length=5)] = "",
) -> Response:
    sharing = shared == "yes"

    def change(_: Viewer) -> None:
        service.update_bank(session, service.get_bank(session, name), {"shared": sharing})

    return BANKS.change(
        request, session, csrf_token, change, done="shared" if sharing else "unshared"
    )


@router.post("/banks/{name}/false-positive-limit", response_class=HTMLResponse)
def set_false_positive_limit(
    request: Request,
    name: str,
    session: SessionDep,
    csrf_token: Csrf = "",
    limit: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def change(_: Viewer) -> None:
        bank = service.get_bank(session, name)
        service.update_bank(session, bank, {"false_positive_limit": _limit(limit)})

    return BANKS.change(request, session, csrf_token, change, done="limit", form={"limit": limit})


def _limit(raw: str) -> int | None:
    """A limit as typed: empty or 0 for none, else a whole number of partners."""
    text = raw.strip()
    if not text or text == "0":
        return None
    if not text.isdigit():
        raise BadRequest(f"false-positive limit: a whole number of partners, not {raw!r}")
    return int(text)


@router.get("/banks/{name}", response_class=HTMLResponse)
def bank(
    request: Request,
    name: str,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, le=2**63 - 1)] = 0,
) -> Response:
    """One bank's entries, a page at a time, with partners' opinions and sightings."""
    found = viewer(request, session, Role.ADMIN)
    chosen = service.get_bank(session, name)
    entries = service.list_entries(session, chosen, after_id=after, limit=_ENTRIES_PER_PAGE + 1)
    shown = entries[:_ENTRIES_PER_PAGE]
    ids = [entry.id for entry in shown]
    return portal().render(
        request, "admin_bank.html", viewer=found, error=None, done=None,
        bank=chosen, entries=shown, signals=service.entry_signals(session, ids),
        opinions=service.entry_opinions(session, ids),
        sightings=service.entry_sightings(session, ids),
        indicators=service.entry_indicators(session, ids),
        count=service.entry_counts(session).get(chosen.id, 0),
        next_after=shown[-1].id if len(entries) > _ENTRIES_PER_PAGE else None,
    )  # fmt: skip
