"""Statements of reasons out of accord: TDB API request bodies, and CSV in the TDB's dump layout.

The CSV follows ``app/Exports/StatementExportTrait.php`` of the Commission's
``digital-services-act/transparency-database`` (``headings()``, commit 3b2a4648), so a
fact-checker can put our statements next to a TDB daily dump column for column. Arrays are
written as the TDB stores them, compact JSON such as ``["CONTENT_TYPE_VIDEO"]``
(``GroupedSubmissionsService::sanitizePayloadStatement`` and Laravel's array cast).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, Final

from accord.errors import BadRequest
from accord.server.statements.schemas import StatementOfReasons
from accord.server.statements.vocabulary import CONTENT_ID_EAN_13

# StatementMultipleAPIController: 'statements' => 'required|array|between:1,100'.
BATCH_MAX: Final = 100

CSV_COLUMNS: Final = (
    "uuid",
    "decision_visibility",
    "decision_visibility_other",
    "end_date_visibility_restriction",
    "decision_monetary",
    "decision_monetary_other",
    "end_date_monetary_restriction",
    "decision_provision",
    "end_date_service_restriction",
    "decision_account",
    "end_date_account_restriction",
    "account_type",
    "decision_ground",
    "decision_ground_reference_url",
    "illegal_content_legal_ground",
    "illegal_content_explanation",
    "incompatible_content_ground",
    "incompatible_content_explanation",
    "incompatible_content_illegal",
    "category",
    "category_addition",
    "category_specification",
    "category_specification_other",
    "content_type",
    "content_type_other",
    "content_language",
    "content_date",
    "content_id_ean",
    "territorial_scope",
    "application_date",
    "decision_facts",
    "source_type",
    "source_identity",
    "automated_detection",
    "automated_decision",
    "platform_name",
    "platform_uid",
    "created_at",
)

# OWASP's CSV injection list: a spreadsheet runs a cell starting with these as a formula.
_FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class Publication:
    """What the TDB answered when it stored a statement (201 Created): its uuid and time."""

    uuid: str
    created_at: datetime


def to_json_lines(statements: Iterable[StatementOfReasons]) -> str:
    """One ``POST /api/v1/statement`` body per line: an archive of exactly what was sent."""
    return "".join(_dumps(statement.to_json()) + "\n" for statement in statements)


def batch_body(statements: Sequence[StatementOfReasons]) -> dict[str, list[dict[str, Any]]]:
    """The ``POST /api/v1/statements`` body, refused here where the TDB would refuse it."""
    if not 1 <= len(statements) <= BATCH_MAX:
        raise BadRequest(f"statements: a batch takes 1 to {BATCH_MAX}, got {len(statements)}")
    puids = [statement.puid for statement in statements]
    repeated = sorted({puid for puid in puids if puids.count(puid) > 1})
    if repeated:
        # StatementMultipleAPIController: "The platform identifier(s) are not all unique ..."
        raise BadRequest(f"statements: puid repeated within the batch: {', '.join(repeated)}")
    return {"statements": [statement.to_json() for statement in statements]}


def to_json(statements: Sequence[StatementOfReasons]) -> str:
    """The batch body as JSON text, ready to send to ``POST /api/v1/statements``."""
    return _dumps(batch_body(statements))


def batches(statements: Iterable[StatementOfReasons]) -> Iterator[dict[str, list[dict[str, Any]]]]:
    """Any number of statements as batch bodies of at most ``BATCH_MAX``."""
    chunk: list[StatementOfReasons] = []
    for statement in statements:
        chunk.append(statement)
        if len(chunk) == BATCH_MAX:
            yield batch_body(chunk)
            chunk = []
    if chunk:
        yield batch_body(chunk)


def to_csv(
    statements: Iterable[StatementOfReasons],
    *,
    platform_name: str = "",
    published: Mapping[str, Publication] | None = None,
) -> str:
    """The statements as a TDB full-dump CSV, header included, safe to open in a spreadsheet.

    ``published`` maps a puid to what the TDB answered for it, filling ``uuid`` and
    ``created_at``; a statement not yet published leaves them empty. ``platform_uid`` is the
    puid, as in the TDB's export.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for statement in statements:
        receipt = (published or {}).get(statement.puid)
        row = _csv_row(statement, platform_name, receipt)
        writer.writerow([_defuse(_cell(row.get(column))) for column in CSV_COLUMNS])
    return buffer.getvalue()


def _csv_row(
    statement: StatementOfReasons, platform_name: str, receipt: Publication | None
) -> dict[str, object]:
    row: dict[str, object] = {
        column: getattr(statement, column) for column in CSV_COLUMNS if hasattr(statement, column)
    }
    content_id = statement.content_id
    row["content_id_ean"] = content_id[CONTENT_ID_EAN_13] if content_id else None
    row["platform_name"] = platform_name
    row["platform_uid"] = statement.puid
    if receipt is not None:
        row["uuid"] = receipt.uuid
        row["created_at"] = _timestamp(receipt.created_at)
    return row


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return _dumps([str(item) for item in value]) if value else ""
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _defuse(cell: str) -> str:
    """Prefix a quote so a spreadsheet shows the text instead of running it as a formula."""
    return f"'{cell}" if cell.startswith(_FORMULA_STARTS) else cell


def _timestamp(moment: datetime) -> str:
    """The TDB's ``created_at`` form, ``Y-m-d H:i:s``; an aware time is written in UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
