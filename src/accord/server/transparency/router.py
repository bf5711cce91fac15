"""The transparency API: a period's exact figures and the harmonised report's files for
administrators and auditors, and the public figures for anyone.

``from`` and ``to`` name the period's first and last day (both, or neither for the default
period: the last full month in the elections' time zone). ``/public`` also takes
``period``, a slug of the periods the public page offers, and answers what that page shows.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.responses import Response

from accord.server.auth.roles import Role
from accord.server.auth.sessions import signed_in
from accord.server.deps import SessionDep, SettingsDep
from accord.server.settings import Settings
from accord.server.transparency.cache import cached_figures
from accord.server.transparency.public import chosen_period, public_view
from accord.server.transparency.schemas import figures_json
from accord.server.transparency.service import (
    default_period,
    figures_for,
    period_choices,
    report_sheets,
    today,
    workbook_bytes,
    zip_bytes,
)

if TYPE_CHECKING:
    from accord.server.accounts.models import User
    from accord.server.transparency.period import Period

router = APIRouter(prefix="/v1/transparency", tags=["transparency"])
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Reader = Annotated["User", Depends(signed_in(Role.ADMIN, Role.AUDITOR))]
First = Annotated[
    str | None,
    Query(alias="from", max_length=20, description="First day, YYYY-MM-DD (with `to`)"),
]
Last = Annotated[
    str | None,
    Query(alias="to", max_length=20, description="Last day, YYYY-MM-DD, included (with `from`)"),
]


@router.get("", summary="Every figure of a period, exact (default: the last full month)")
def report(
    _user: Reader, session: SessionDep, settings: SettingsDep, start: First = None, end: Last = None
) -> dict[str, Any]:
    period = _exact_period(settings, start, end)
    return figures_json(figures_for(session, settings, period))


@router.get(
    "/report.xlsx",
    summary="The harmonised transparency report as one workbook",
    response_class=Response,
    responses={200: {"content": {_XLSX: {}}}},
)
def report_workbook(
    _user: Reader, session: SessionDep, settings: SettingsDep, start: First = None, end: Last = None
) -> Response:
    period = _exact_period(settings, start, end)
    sheets = report_sheets(figures_for(session, settings, period), settings)
    return _attachment(workbook_bytes(sheets), _XLSX, f"transparency-report-{period.slug}.xlsx")


@router.get(
    "/report.zip",
    summary="The harmonised transparency report, one CSV per sheet, zipped",
    response_class=Response,
    responses={200: {"content": {"application/zip": {}}}},
)
def report_zip(
    _user: Reader, session: SessionDep, settings: SettingsDep, start: First = None, end: Last = None
) -> Response:
    period = _exact_period(settings, start, end)
    sheets = report_sheets(figures_for(session, settings, period), settings)
    name = f"transparency-report-{period.slug}.zip"
    return _attachment(zip_bytes(sheets), "application/zip", name)


@router.get("/public", summary="What the public transparency page shows (no account needed)")
def public(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    *,
    period: Annotated[
        str | None, Query(max_length=40, description="One of the `choices` by its slug")
    ] = None,
    start: First = None,
    end: Last = None,
) -> dict[str, Any]:
    choices = period_choices(session, settings, today(settings))
    chosen = chosen_period(choices, settings.zone, period=period, start=start, end=end)
    figures = cached_figures(request, session, chosen)
    return public_view(figures, settings.transparency_min_count, choices=choices)


def _exact_period(settings: Settings, start: str | None, end: str | None) -> Period:
    default = default_period(settings, today(settings))
    return chosen_period([default], settings.zone, period=None, start=start, end=end)


def _attachment(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
