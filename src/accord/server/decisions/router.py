"""Statements of reasons for export: to send to the DSA Transparency Database, or to open
in a spreadsheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import TYPE_CHECKING, Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response

from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.decisions.service import issued_statements
from accord.server.deps import SessionDep
from accord.server.statements.service import to_csv, to_json_lines
from accord.server.tdb.service import publications

if TYPE_CHECKING:
    from accord.server.accounts.models import User

router = APIRouter(prefix="/v1/statements", tags=["statements"])
Reader = Annotated["User", Depends(signed_in(Role.ADMIN, Role.AUDITOR))]
_MAX_ROWS = 100_000


@router.get("", summary="Statements of reasons, as JSON lines or the TDB's CSV")
def export(
    _user: Reader,
    session: SessionDep,
    form: Annotated[Literal["jsonl", "csv"], Query(alias="format")] = "jsonl",
    since: Annotated[date | None, Query(description="Decided on or after")] = None,
    platform_name: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    statements = issued_statements(
        session,
        since=datetime.combine(since, time(), UTC) if since is not None else None,
        limit=_MAX_ROWS,
    )
    if form == "csv":
        return PlainTextResponse(
            to_csv(statements, platform_name=platform_name, published=publications(session)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="statements-of-reasons.csv"'},
        )
    return PlainTextResponse(to_json_lines(statements), media_type="application/x-ndjson")
