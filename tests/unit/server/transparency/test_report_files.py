"""The report's files: CSVs and an XLSX workbook that read back to the sheets exactly, text
never run as a formula, and a zip that is the same for the same report."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl  # type: ignore[import-untyped]

from accord.server.transparency import templates
from accord.server.transparency.files import sheet_csv, workbook_bytes, write_csv, zip_bytes
from accord.server.transparency.sheets import Cell, Sheet, report_sheets
from tests.unit.server.transparency.report_example import (
    PUBLISHED,
    example_figures,
    example_settings,
)


def _sheets(tmp_path: Path) -> list[Sheet]:
    return report_sheets(example_figures(), example_settings(tmp_path), published=PUBLISHED)


def _as_csv_text(cell: Cell) -> str:
    return "" if cell is None else str(cell)


def test_one_csv_per_sheet_reads_back_exactly(tmp_path: Path) -> None:
    sheets = _sheets(tmp_path)
    written = write_csv(sheets, tmp_path / "out" / "new")
    assert [path.name for path in written] == [f"{name}.csv" for name in templates.SHEET_NAMES]
    for path, sheet in zip(written, sheets, strict=True):
        with path.open(encoding="utf-8", newline="") as handle:
            header, *rows = list(csv.reader(handle))
        assert tuple(header) == templates.headers(sheet.name)
        assert rows == [[_as_csv_text(cell) for cell in row] for row in sheet.rows]
    notices = (tmp_path / "out" / "new" / "4_notices.csv").read_text(encoding="utf-8")
    assert notices.startswith("Applicability,Service,Reporting period,")
    assert ",Number of notices received ," in notices.splitlines()[0]


def test_text_is_never_a_formula() -> None:
    sheet = Sheet("8_automated_means", ("Indicator", "Value"), [('=HYPERLINK("x")', -3)])
    text = sheet_csv(sheet)
    assert text.splitlines()[1] == '"\'=HYPERLINK(""x"")",-3'
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes([sheet])))
    cell = workbook["8_automated_means"]["A2"]
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"
    assert workbook["8_automated_means"]["B2"].value == -3


def test_the_workbook_holds_every_sheet_with_numbers_as_numbers(tmp_path: Path) -> None:
    sheets = _sheets(tmp_path)
    workbook = openpyxl.load_workbook(io.BytesIO(workbook_bytes(sheets)))
    assert workbook.sheetnames == list(templates.SHEET_NAMES)
    for sheet in sheets:
        worksheet = workbook[sheet.name]
        rows = list(worksheet.iter_rows(values_only=True))
        assert rows[0] == sheet.headers
        assert rows[1:] == sheet.rows
        assert all(cell.font.bold for cell in worksheet[1])
        assert not worksheet["A2"].font.bold
    civic = next(
        row
        for row in workbook["4_notices"].iter_rows(min_row=2)
        if row[3].value == "Negative effects on civic discourse or elections"
    )
    assert civic[5].value == 12  # notices received
    assert civic[5].data_type == "n"
    assert civic[9].value == 5.26  # median hours to action


def test_the_zip_holds_the_csvs_and_is_the_same_each_time(tmp_path: Path) -> None:
    sheets = _sheets(tmp_path)
    data = zip_bytes(sheets)
    assert data == zip_bytes(sheets)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert archive.namelist() == [f"{sheet.name}.csv" for sheet in sheets]
        for sheet in sheets:
            assert archive.read(f"{sheet.name}.csv").decode("utf-8") == sheet_csv(sheet)
