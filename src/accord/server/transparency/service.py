"""The transparency domain's public face: a period's figures (DSA Arts. 15, 24 and 42; the
harmonised templates of Implementing Regulation (EU) 2024/2835), the periods a reader may
choose, and the report files built from them. Other domains and the CLI call only this.

Every figure comes from one query layer (``figures.collect_figures``), so the CSV, the XLSX,
the public page and the API cannot disagree.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING

from accord.server.db.base import utc_now
from accord.server.elections.service import list_elections
from accord.server.transparency.aggregates import aggregates_csv
from accord.server.transparency.figures import collect_figures
from accord.server.transparency.files import sheet_csv, workbook_bytes, write_csv, zip_bytes
from accord.server.transparency.period import (
    Period,
    election_period,
    last_full_month,
    period_between,
)
from accord.server.transparency.sheets import Sheet, report_sheets

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from accord.server.settings import Settings
    from accord.server.transparency.schemas import Figures

__all__ = [
    "Period",
    "Sheet",
    "aggregates_csv",
    "default_period",
    "figures_for",
    "period_between",
    "period_choices",
    "report_sheets",
    "sheet_csv",
    "today",
    "workbook_bytes",
    "write_csv",
    "zip_bytes",
]


def figures_for(session: Session, settings: Settings, period: Period) -> Figures:
    """Every figure of ``period``, computed afresh (callers cache where they need to)."""
    return collect_figures(session, settings, period)


def today(settings: Settings) -> date:
    """Today in the elections' time zone, by the database's clock (which tests can set)."""
    return utc_now().astimezone(settings.zone).date()


def default_period(settings: Settings, today: date) -> Period:
    """The last full month before ``today``, in the elections' time zone."""
    return last_full_month(today, settings.zone)


def period_choices(session: Session, settings: Settings, today: date) -> list[Period]:
    """The last full month, then each registered election's period, newest first. Days
    offered twice are offered once: elections on one polling day share a period (named
    after them all), and an election's period that is the month's is the month."""
    month = default_period(settings, today)
    by_days: dict[tuple[date, date], Period] = {}
    newest_first = sorted(
        list_elections(session), key=lambda e: (-e.polling_date.toordinal(), e.name)
    )
    for election in newest_first:
        period = election_period(election.name, election.polling_date, settings.zone)
        days = (period.first, period.last)
        if days == (month.first, month.last):
            continue
        if days in by_days:
            period = replace(period, label=f"{by_days[days].label} and {period.label}")
        by_days[days] = period
    return [month, *by_days.values()]
