"""The report's sheets as files: one CSV per sheet (as the Commission's English CSV template
comes), one XLSX workbook, and the CSVs in a zip for download.

The writers only format: every value is already in the ``Sheet``. Text that a spreadsheet
would run as a formula is defused in the CSV (a leading quote, as ``statements.service``
does) and stored as plain text in the XLSX.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from accord.server.transparency.sheets import Cell, Sheet

# OWASP's CSV injection list: a spreadsheet runs a cell starting with these as a formula.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")
#: A fixed time for the zip's entries, so one report always gives the same bytes.
_ZIP_TIME: Final = (2000, 1, 1, 0, 0, 0)
#: Column widths in the workbook, in characters: wide enough to read, narrow enough to scan.
_MIN_WIDTH: Final = 10
_MAX_WIDTH: Final = 60


def csv_name(sheet: Sheet) -> str:
    """``4_notices.csv``: the file is named like its sheet."""
    return f"{sheet.name}.csv"


def sheet_csv(sheet: Sheet) -> str:
    """One sheet as CSV text: the exact header row, then its rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([_defuse(header) for header in sheet.headers])
    writer.writerows([_csv_cell(cell) for cell in row] for row in sheet.rows)
    return buffer.getvalue()


def write_csv(sheets: Iterable[Sheet], out_dir: Path) -> list[Path]:
    """Each sheet as ``<name>.csv`` in ``out_dir`` (made if missing), UTF-8; the paths
    written, in order. Raises ``OSError`` where the folder cannot be written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for sheet in sheets:
        path = out_dir / csv_name(sheet)
        path.write_text(sheet_csv(sheet), encoding="utf-8", newline="")
        written.append(path)
    return written


def zip_bytes(sheets: Iterable[Sheet]) -> bytes:
    """The CSVs in one zip, the same bytes for the same sheets."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet in sheets:
            entry = zipfile.ZipInfo(csv_name(sheet), date_time=_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(entry, sheet_csv(sheet).encode("utf-8"))
    return buffer.getvalue()


def workbook_bytes(sheets: Sequence[Sheet]) -> bytes:
    """Every sheet as one worksheet of an XLSX workbook: the header row bold and frozen,
    numbers stored as numbers, text as text (never a formula)."""
    # openpyxl takes a fifth of a second to import: only when a workbook is asked for.
    from openpyxl import Workbook  # type: ignore[import-untyped]  # noqa: PLC0415
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]  # noqa: PLC0415
    from openpyxl.styles import Font  # type: ignore[import-untyped]  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]  # noqa: PLC0415

    workbook = Workbook()
    workbook.remove(workbook.active)
    workbook.properties.creator = "accord"
    bold = Font(bold=True)
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        for row_number, row in enumerate([sheet.headers, *sheet.rows], start=1):
            for column, value in enumerate(row, start=1):
                if isinstance(value, str):
                    value = ILLEGAL_CHARACTERS_RE.sub("", value)  # noqa: PLW2901
                cell = worksheet.cell(row=row_number, column=column, value=value)
                if isinstance(value, str):
                    # openpyxl takes text starting with "=" for a formula; this is text.
                    cell.data_type = "s"
                if row_number == 1:
                    cell.font = bold
        worksheet.freeze_panes = "A2"
        for column, header in enumerate(sheet.headers, start=1):
            width = min(max(len(header), _MIN_WIDTH), _MAX_WIDTH)
            worksheet.column_dimensions[get_column_letter(column)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv_cell(cell: Cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, str):
        return _defuse(cell)
    return str(cell)


def _defuse(cell: str) -> str:
    """Prefix a quote so a spreadsheet shows the text instead of running it as a formula."""
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell
