"""The public transparency page ``/transparency`` and its downloads: no account needed.

The page shows a period's figures as ``public.public_view`` publishes them (no personal
data; small counts in words), each chart drawn on the server (``charts``) with a table of
the same numbers beneath it. A reader picks a period with a plain form (``?period=``) or
their own days (``?from=&to=``). The figures come from the app's cache, so a visit costs
no counting while they are fresh.

Downloads, named by the period's slug: the page's tables as CSV (``figures-…csv``), the
harmonised report as XLSX and as a zip of CSVs (``report-…``), and the Transparency
Database's daily aggregates (``aggregates-…csv``), all with small counts masked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from accord.server.deps import SessionDep, SettingsDep
from accord.server.portal.routing import PageRoute, portal
from accord.server.portal.viewer import optional_viewer
from accord.server.settings import Settings
from accord.server.transparency import charts
from accord.server.transparency.cache import cached_figures, figures_cache
from accord.server.transparency.public import (
    OUTCOMES,
    cell_text,
    chosen_period,
    masked_totals,
    period_of_slug,
    public_view,
    tables,
    tables_csv,
)
from accord.server.transparency.service import (
    aggregates_csv,
    period_choices,
    report_sheets,
    today,
    workbook_bytes,
    zip_bytes,
)

if TYPE_CHECKING:
    from accord.server.transparency.period import Period
    from accord.server.transparency.sheets import Sheet

router = APIRouter(route_class=PageRoute, include_in_schema=False)

_CSV = "text/csv; charset=utf-8"
_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_ZIP = "application/zip"


def choices_now(session: Session, settings: Settings) -> list[Period]:
    """The periods offered today (the elections' today), the default first."""
    return period_choices(session, settings, today(settings))


@router.get("/transparency", response_class=HTMLResponse)
def transparency(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    *,
    period: Annotated[str | None, Query(max_length=40)] = None,
    start: Annotated[str | None, Query(alias="from", max_length=20)] = None,
    end: Annotated[str | None, Query(alias="to", max_length=20)] = None,
) -> Response:
    choices = choices_now(session, settings)
    chosen = chosen_period(choices, settings.zone, period=period, start=start, end=end)
    figures = cached_figures(request, session, chosen)
    view = public_view(figures, settings.transparency_min_count, choices=choices)
    return portal().render(
        request,
        "transparency.html",
        viewer=optional_viewer(request, session),
        view=view,
        tables={table.id: table for table in tables(view)},
        charts=page_charts(view),
        custom=chosen.slug not in {choice.slug for choice in choices},
        cell_text=cell_text,
    )


@router.get("/transparency/figures-{slug}.csv")
def figures_download(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str
) -> Response:
    view = _public_view_of(request, session, settings, slug)
    return _attachment(tables_csv(view).encode(), _CSV, f"transparency-figures-{slug}.csv")


@router.get("/transparency/report-{slug}.xlsx")
def report_workbook(
    request: Request, session: SessionDep, settings: SettingsDep, slug: str
) -> Response:
    sheets = _public_sheets(request, session, settings, slug)
    return _attachment(workbook_bytes(sheets), _XLSX, f"transparency-report-{slug}.xlsx")


@router.get("/transparency/report-{slug}.zip")
def report_zip(request: Request, session: SessionDep, settings: SettingsDep, slug: str) -> Response:
    sheets = _public_sheets(request, session, settings, slug)
    return _attachment(zip_bytes(sheets), _ZIP, f"transparency-report-{slug}.zip")


@router.get("/transparency/aggregates-{slug}.csv")
def aggregates(request: Request, session: SessionDep, settings: SettingsDep, slug: str) -> Response:
    period = period_of_slug(choices_now(session, settings), settings.zone, slug)
    cache = figures_cache(request.app.state, settings.transparency_cache_seconds)
    text = cache.alone(lambda: aggregates_csv(session, settings, period))
    masked = masked_totals(text, settings.transparency_min_count)
    return _attachment(masked.encode(), _CSV, f"transparency-aggregates-{slug}.csv")


def _public_sheets(
    request: Request, session: Session, settings: Settings, slug: str
) -> list[Sheet]:
    period = period_of_slug(choices_now(session, settings), settings.zone, slug)
    figures = cached_figures(request, session, period)
    return report_sheets(figures, settings, min_count=settings.transparency_min_count)


def _public_view_of(
    request: Request, session: Session, settings: Settings, slug: str
) -> dict[str, Any]:
    period = period_of_slug(choices_now(session, settings), settings.zone, slug)
    figures = cached_figures(request, session, period)
    return public_view(figures, settings.transparency_min_count)


def _attachment(body: bytes, media_type: str, name: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def page_charts(view: dict[str, Any]) -> dict[str, Markup]:
    """Each chart of the page, by the id of the table beneath it. ``charts`` escapes every
    text it draws, so its SVG goes into the page as it is."""
    period, over_time = view["period"], view["over_time"]
    actions, appeals = view["actions"], view["appeals"]
    rows = over_time["rows"]
    by = "day" if over_time["unit"] == "day" else "week"
    drawn = {
        "over-time": charts.bars_over_time(
            "chart-over-time",
            f"Notices received and actions taken, by {by}",
            f"Bars for each {by} from {period['first']} to {period['last']}: notices "
            f"received ({cell_text(view['notices']['received'])} in all) and actions taken "
            f"({cell_text(actions['total'])} in all). The table below gives every {by}'s "
            "numbers.",
            [row["label"] for row in rows],
            [
                charts.Series("Notices received", [row["notices"] for row in rows]),
                charts.Series("Actions taken", [row["actions"] for row in rows]),
            ],
        ),
        "by-category": _bars("chart-by-category", "Actions taken, by category",
                             actions["by_category"]),
        "by-ground": _bars("chart-by-ground", "Actions taken, by ground", actions["by_ground"]),
        "by-restriction": _bars("chart-by-restriction", "Actions taken, by what was restricted",
                                actions["by_restriction"]),
        "appeals": _bars("chart-appeals", "Appeals received, by outcome", [
            {"label": label, "count": appeals[key]} for key, label in OUTCOMES
        ]),
    }  # fmt: skip
    return {key: Markup(svg) for key, svg in drawn.items()}  # noqa: S704 - escaped by charts


def _bars(chart_id: str, title: str, rows: Sequence[dict[str, Any]]) -> str:
    bars = [(str(row["label"]), row["count"]) for row in rows]
    desc = "; ".join(f"{label}: {cell_text(count)}" for label, count in bars) or "none"
    return charts.horizontal_bars(chart_id, title, f"{title}. {desc}.", bars)
