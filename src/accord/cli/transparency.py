"""``accord transparency report``: the DSA's harmonised transparency report of a period, as
files for the regulator (exact figures) and the TDB's aggregates for cross-checking."""

from __future__ import annotations

import os
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from accord.cli.files import os_reason
from accord.cli.local import fail, local_database, transaction
from accord.cli.plain_help import Commands
from accord.errors import AccordError

transparency_app = Commands()

XLSX_NAME = "report.xlsx"
AGGREGATES_NAME = "aggregates.csv"


@transparency_app.command("report")
def report(
    *,
    first: Annotated[
        str | None,
        typer.Option("--from", help="The first day, YYYY-MM-DD (with --to).", show_default=False),
    ] = None,
    last: Annotated[
        str | None,
        typer.Option("--to", help="The last day, included, YYYY-MM-DD.", show_default=False),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="The folder to write to (made if missing).")],
    xlsx: Annotated[
        bool, typer.Option("--xlsx/--no-xlsx", help="Write the XLSX workbook too.")
    ] = True,
) -> None:
    """Write the harmonised transparency report (Implementing Regulation (EU) 2024/2835) of a
    period: one CSV per sheet, report.xlsx and the TDB's aggregates.csv; one line per file.

    Days are counted in ACCORD_TIME_ZONE; without --from and --to, the last full month."""
    from accord.server.transparency.service import (  # noqa: PLC0415
        aggregates_csv,
        default_period,
        figures_for,
        period_between,
        report_sheets,
        today,
        workbook_bytes,
        write_csv,
    )

    if (first is None) != (last is None):
        raise fail("--from and --to go together: give both, or neither for the last full month")
    days = None if first is None or last is None else (_day("--from", first), _day("--to", last))
    if days is not None and days[1] < days[0]:
        raise fail("--to: the last day comes on or after the first (--from)")
    _writable(out)
    try:
        with local_database() as database, transaction(database) as session:
            settings = database.settings
            if days is not None:
                period = period_between(*days, settings.zone)
            else:
                period = default_period(settings, today(settings))
            figures = figures_for(session, settings, period)
            aggregates = aggregates_csv(session, settings, period)
    except AccordError as error:
        raise fail(error.detail) from None
    sheets = report_sheets(figures, settings)
    try:
        written = write_csv(sheets, out)
        if xlsx:
            workbook = out / XLSX_NAME
            workbook.write_bytes(workbook_bytes(sheets))
            written.append(workbook)
        aggregates_path = out / AGGREGATES_NAME
        aggregates_path.write_text(aggregates, encoding="utf-8", newline="")
        written.append(aggregates_path)
    except OSError as error:
        raise fail(f"{error.filename or out}: {os_reason(error)}") from None
    for path in written:
        typer.echo(str(path))


def _day(option: str, text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{option}: not a date (YYYY-MM-DD): {text!r}") from None


def _writable(out: Path) -> None:
    """Refuse a folder that cannot be written before reading the database for it."""
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise fail(f"{out}: {os_reason(error)}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise fail(f"{out}: permission denied")
