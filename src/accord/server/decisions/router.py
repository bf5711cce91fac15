"""Statements of reasons for export: to send to the DSA Transparency Database, or to open
in a spreadsheet."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import PlainTextResponse, Response
from sqlalchemy import select

from accord.server.accounts.models import Role, User
from accord.server.accounts.router import signed_in
from accord.server.decisions.models import ItemAction
from accord.server.deps import SessionDep
from accord.server.statements.export import to_csv, to_json_lines
from accord.server.statements.schema import StatementOfReasons
from accord.server.tdb.submitter import publications

router = APIRouter(prefix="/v1/statements", tags=["statements"])
Reader = Annotated[User, Depends(signed_in(Role.ADMIN, Role.AUDITOR))]
_MAX_ROWS = 100_000


@router.get("", summary="Statements of reasons, as JSON lines or the TDB's CSV")
def export(
    _user: Reader,
    session: SessionDep,
    form: Annotated[Literal["jsonl", "csv"], Query(alias="format")] = "jsonl",
    since: Annotated[date | None, Query(description="Decided on or after")] = None,
    platform_name: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    query = select(ItemAction).where(ItemAction.statement.is_not(None)).order_by(ItemAction.id)
    if since is not None:
        query = query.where(ItemAction.created_at >= datetime.combine(since, time(), UTC))
    statements = [
        StatementOfReasons.from_json(action.statement)
        for action in session.scalars(query.limit(_MAX_ROWS))
    ]
    if form == "csv":
        return PlainTextResponse(
            to_csv(statements, platform_name=platform_name, published=publications(session)),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="statements-of-reasons.csv"'},
        )
    return PlainTextResponse(to_json_lines(statements), media_type="application/x-ndjson")
