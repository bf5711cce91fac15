"""Bank entries in and out of files: JSON lines, CSV, and HMA's file exchange format.

- ``jsonl``: one entry per line, ``{"signals": {"pdq": "..."}, "note": ..., ...}``, the
  same fields the API takes and returns.
- ``csv``: one signal per row, columns ``entry,signal_type,signal,source,url,
  platform_content_id,case_reference,labels,note``; rows sharing a non-empty ``entry``
  form one entry, ``labels`` are space-separated. ``threatexchange dataset --csv`` files
  (``signal_type,signal_str,collab,category,tags``) import too, tags becoming labels.
- ``hma``: python-threatexchange's ``local_file`` exchange, one ``<signal_type> <signal>``
  per line, each line one entry; HMA's ``video_md5`` is accord's ``md5``. The format says
  nothing but signals, so it is given only the entries that match now
  (``banks.service.export_entries`` leaves the disabled ones out). What else it cannot
  carry is listed in ``docs/domains/banks.md``.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from accord.server.banks.schemas import EntryFields, TransferFormat
from accord.signals.registry import from_hma_name, to_hma_name

CSV_COLUMNS = (
    "entry",
    "signal_type",
    "signal",
    "source",
    "url",
    "platform_content_id",
    "case_reference",
    "labels",
    "note",
)


@dataclass(frozen=True, slots=True)
class ParsedEntry:
    line: int
    signals: dict[str, str]
    fields: EntryFields


@dataclass(frozen=True, slots=True)
class RejectedLine:
    line: int
    error: str


class LineError(ValueError):
    """A line that does not parse; the importer reports it and goes on."""


def parse(
    lines: Iterable[str], file_format: TransferFormat, *, source: str, added_by: str
) -> Iterator[ParsedEntry | RejectedLine]:
    """Entries read from ``lines``, or the line numbers and reasons of those rejected."""
    if file_format is TransferFormat.JSONL:
        yield from _parse_jsonl(lines, source, added_by)
    elif file_format is TransferFormat.CSV:
        yield from _parse_csv(lines, source, added_by)
    else:
        yield from _parse_hma(lines, source, added_by)


def _parse_jsonl(
    lines: Iterable[str], source: str, added_by: str
) -> Iterator[ParsedEntry | RejectedLine]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise LineError("a line must hold a JSON object")
            yield ParsedEntry(
                number, _signals(record.get("signals")), _fields(record, source, added_by)
            )
        except (ValueError, TypeError) as error:
            yield RejectedLine(number, str(error))


def _signals(value: Any) -> dict[str, str]:
    if not isinstance(value, dict) or not value:
        raise LineError("'signals' must be an object of signal type to value")
    return {from_hma_name(str(name)): str(signal) for name, signal in value.items()}


def _optional_text(record: Mapping[str, Any], name: str) -> str | None:
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise LineError(f"{name!r} must be a string")
    return value


def _fields(record: Mapping[str, Any], source: str, added_by: str) -> EntryFields:
    labels = record.get("labels") or []
    if isinstance(labels, str):
        labels = labels.split()
    if not isinstance(labels, list) or not all(isinstance(label, str) for label in labels):
        raise LineError("'labels' must be a list of strings")
    extra = record.get("metadata") or {}
    if not isinstance(extra, dict):
        raise LineError("'metadata' must be an object")
    disabled_until = _optional_text(record, "disabled_until")
    enabled = record.get("enabled", True)
    if not isinstance(enabled, bool):
        raise LineError("'enabled' must be true or false")
    return EntryFields(
        source=_optional_text(record, "source") or source,
        url=_optional_text(record, "url"),
        platform_content_id=_optional_text(record, "platform_content_id"),
        case_reference=_optional_text(record, "case_reference"),
        labels=tuple(labels),
        note=_optional_text(record, "note") or "",
        extra=extra,
        added_by=added_by,
        enabled=enabled,
        disabled_until=_parse_time(disabled_until) if disabled_until else None,
    )


def _parse_time(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise LineError(f"time {value!r} needs a timezone, e.g. {value}Z")
    return moment


def _parse_csv(
    lines: Iterable[str], source: str, added_by: str
) -> Iterator[ParsedEntry | RejectedLine]:
    reader = csv.DictReader(lines)
    columns = set(reader.fieldnames or ())
    if "signal_type" not in columns or not columns & {"signal", "signal_str"}:
        yield RejectedLine(1, "the header needs the columns signal_type and signal")
        return
    grouped: dict[str, tuple[int, dict[str, str], dict[str, Any]]] = {}
    for row in reader:
        number = reader.line_num
        try:
            name = from_hma_name(row["signal_type"].strip())
            value = (row.get("signal") or row.get("signal_str") or "").strip()
            if not name or not value:
                raise LineError("signal_type and signal must not be empty")
        except (AttributeError, LineError) as error:
            yield RejectedLine(number, str(error))
            continue
        group = (row.get("entry") or "").strip() or f"line:{number}"
        record = {**row, "labels": row.get("labels") or row.get("tags") or ""}
        _, signals, record = grouped.setdefault(group, (number, {}, record))
        signals[name] = value
    for number, signals, record in grouped.values():
        try:
            yield ParsedEntry(number, signals, _fields(record, source, added_by))
        except (ValueError, TypeError) as error:
            yield RejectedLine(number, str(error))


def _parse_hma(
    lines: Iterable[str], source: str, added_by: str
) -> Iterator[ParsedEntry | RejectedLine]:
    for number, line in enumerate(lines, start=1):
        text = line.strip()
        if not text:
            continue
        name, _, value = text.partition(" ")
        if not value.strip():
            yield RejectedLine(number, "expected '<signal_type> <signal>'")
            continue
        signals = {from_hma_name(name): value.strip()}
        yield ParsedEntry(number, signals, EntryFields(source=source, added_by=added_by))


def serialize(
    entries: Iterable[tuple[Mapping[str, Any], Mapping[str, str]]], file_format: TransferFormat
) -> Iterator[str]:
    """Text chunks for ``(entry_json, signals)`` pairs, ready to stream."""
    if file_format is TransferFormat.JSONL:
        for entry, signals in entries:
            yield json.dumps({**entry, "signals": dict(signals)}, sort_keys=True) + "\n"
    elif file_format is TransferFormat.CSV:
        yield _csv_row(CSV_COLUMNS)
        for entry, signals in entries:
            for name, value in signals.items():
                yield _csv_row(_csv_values(entry, name, value))
    else:
        for _, signals in entries:
            for name, value in signals.items():
                yield f"{to_hma_name(name)} {value}\n"


def _csv_values(entry: Mapping[str, Any], name: str, value: str) -> tuple[str, ...]:
    return (
        str(entry["id"]),
        name,
        value,
        entry.get("source") or "",
        entry.get("url") or "",
        entry.get("platform_content_id") or "",
        entry.get("case_reference") or "",
        " ".join(entry.get("labels") or ()),
        entry.get("note") or "",
    )


def _csv_row(values: Iterable[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(list(values))
    return buffer.getvalue()
