"""accord's bank API: banks, entries (from signals or files), bulk import and export."""

from __future__ import annotations

import codecs
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from typing import IO, Annotated

from fastapi import APIRouter, Depends, Form, Query, UploadFile
from fastapi.responses import StreamingResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.server.assets.service import record_asset
from accord.server.auth.guard import CurateCaller, require
from accord.server.auth.keys import Scope
from accord.server.banks import service
from accord.server.banks.models import Bank, BankEntry
from accord.server.banks.schemas import (
    BankCreate,
    BankRead,
    BankUpdate,
    EntryCreate,
    EntryFields,
    EntryFieldsIn,
    EntryRead,
    EntryUpdate,
    ImportReport,
    TransferFormat,
    to_bank_read,
    to_entry_read,
)
from accord.server.deps import RuntimeDep, SessionDep
from accord.server.hashing.service import hash_for_bank, reliable_signals
from accord.server.runtime import Runtime
from accord.server.uploads import spooled_to_disk

router = APIRouter(
    prefix="/v1/banks", tags=["banks"], dependencies=[Depends(require(Scope.CURATE))]
)

#: Export bytes kept in memory before the rest goes to a temporary file.
_EXPORT_IN_MEMORY = 8 * 1024 * 1024


@router.get("", summary="Every bank, with its entry count")
def list_banks(session: SessionDep) -> list[BankRead]:
    counts = service.entry_counts(session)
    return [to_bank_read(bank, counts.get(bank.id, 0)) for bank in service.list_banks(session)]


@router.post("", status_code=201, summary="Create a bank")
def create_bank(body: BankCreate, runtime: RuntimeDep, session: SessionDep) -> BankRead:
    bank = service.create_bank(
        session,
        body.name,
        kind=body.kind,
        owner=body.owner,
        description=body.description,
        marking=body.marking,
        enabled=body.enabled,
        enabled_ratio=body.enabled_ratio,
        thresholds=body.thresholds,
        shared=body.shared,
        false_positive_limit=body.false_positive_limit,
    )
    runtime.indexes.dirty = True
    return to_bank_read(bank, 0)


@router.get("/{name}", summary="One bank")
def read_bank(name: str, session: SessionDep) -> BankRead:
    bank = service.get_bank(session, name)
    return to_bank_read(bank, service.entry_counts(session).get(bank.id, 0))


@router.patch(
    "/{name}",
    summary="Change a bank: rename, enable, thresholds, rollout, marking, sharing",
)
def update_bank(name: str, body: BankUpdate, runtime: RuntimeDep, session: SessionDep) -> BankRead:
    bank = service.update_bank(
        session, service.get_bank(session, name), body.model_dump(exclude_unset=True)
    )
    runtime.indexes.dirty = True
    return to_bank_read(bank, service.entry_counts(session).get(bank.id, 0))


@router.delete("/{name}", status_code=204, summary="Delete a bank and all its entries")
def delete_bank(name: str, runtime: RuntimeDep, session: SessionDep) -> None:
    service.delete_bank(session, service.get_bank(session, name))
    runtime.indexes.dirty = True


@router.post("/{name}/entries", status_code=201, summary="Add an entry from its signals")
def add_entry(
    name: str, body: EntryCreate, runtime: RuntimeDep, session: SessionDep, caller: CurateCaller
) -> EntryRead:
    bank = service.get_bank(session, name)
    fields = to_entry_fields(body, source=body.source or "api", added_by=caller.key_name or "")
    entry = service.add_entry(session, bank, body.signals, fields)
    runtime.indexes.dirty = True
    return read_entry_of(session, bank, entry)


@router.post("/{name}/entries/file", status_code=201, summary="Add an entry from a media file")
def add_entry_from_file(
    name: str,
    *,
    file: UploadFile,
    runtime: RuntimeDep,
    session: SessionDep,
    caller: CurateCaller,
    fields: Annotated[str, Form(description="Entry fields as a JSON object")] = "{}",
) -> EntryRead:
    bank = service.get_bank(session, name)
    try:
        described = EntryFieldsIn.model_validate_json(fields)
    except ValidationError as error:
        raise BadRequest(f"fields: {error.errors()[0]['msg']}") from None
    entry = add_file_entry(
        runtime, session, bank, file=file, described=described, added_by=caller.key_name or ""
    )
    return read_entry_of(session, bank, entry)


def add_file_entry(
    runtime: Runtime,
    session: Session,
    bank: Bank,
    *,
    file: UploadFile,
    described: EntryFieldsIn,
    added_by: str,
) -> BankEntry:
    """Hash an upload, keep its bytes as an asset, and bank its reliable signals."""
    settings = runtime.settings
    with spooled_to_disk(
        file.file, directory=settings.upload_dir, max_bytes=settings.max_upload_bytes
    ) as path:
        result = hash_for_bank(runtime, path)
        asset = record_asset(session, runtime.blobs, path, result)
    signals = reliable_signals(result)
    fields = to_entry_fields(described, source=described.source or "upload", added_by=added_by)
    entry = service.add_entry(
        session, bank, signals, _with_asset(fields, asset.sha256, file.filename)
    )
    runtime.indexes.dirty = True
    return entry


def _with_asset(fields: EntryFields, sha256: str, filename: str | None) -> EntryFields:
    extra = dict(fields.extra)
    if filename:
        extra.setdefault("filename", filename)
    return replace(fields, asset_sha256=sha256, extra=extra)


@router.get("/{name}/entries", summary="Entries of a bank, oldest first, paged by id")
def list_entries(
    name: str,
    session: SessionDep,
    after: Annotated[int, Query(ge=0, description="Return entries with a larger id")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[EntryRead]:
    bank = service.get_bank(session, name)
    entries = service.list_entries(session, bank, after_id=after, limit=limit)
    return read_entries_of(session, bank, entries)


@router.get("/{name}/entries/{entry_id}", summary="One entry")
def read_entry(name: str, entry_id: int, session: SessionDep) -> EntryRead:
    bank = service.get_bank(session, name)
    return read_entry_of(session, bank, service.get_entry(session, bank, entry_id))


@router.patch("/{name}/entries/{entry_id}", summary="Change an entry: disable, note, labels")
def update_entry(name: str, entry_id: int, body: EntryUpdate, session: SessionDep) -> EntryRead:
    bank = service.get_bank(session, name)
    changes = body.model_dump(exclude_unset=True)
    if "metadata" in changes:
        changes["extra"] = changes.pop("metadata") or {}
    entry = service.update_entry(session, service.get_entry(session, bank, entry_id), changes)
    return read_entry_of(session, bank, entry)


@router.delete("/{name}/entries/{entry_id}", status_code=204, summary="Delete an entry")
def delete_entry(name: str, entry_id: int, runtime: RuntimeDep, session: SessionDep) -> None:
    bank = service.get_bank(session, name)
    service.delete_entry(session, service.get_entry(session, bank, entry_id))
    runtime.indexes.dirty = True


@router.post("/{name}/import", summary="Add entries in bulk from JSON lines, CSV or HMA's format")
def import_entries(
    name: str,
    *,
    file: UploadFile,
    runtime: RuntimeDep,
    session: SessionDep,
    caller: CurateCaller,
    file_format: Annotated[TransferFormat, Query(alias="format")] = TransferFormat.JSONL,
) -> ImportReport:
    bank = service.get_bank(session, name)
    lines = codecs.iterdecode(file.file, "utf-8", errors="strict")
    source = f"import:{file.filename or file_format.value}"
    try:
        report = service.import_entries(
            session, bank, lines, file_format, source=source, added_by=caller.key_name or ""
        )
    except UnicodeDecodeError as error:
        raise BadRequest(f"the file is not UTF-8 text: {error.reason}") from None
    runtime.indexes.dirty = True
    return report


@router.get("/{name}/export", summary="Every entry of a bank as JSON lines, CSV or HMA's format")
def export_entries(
    name: str,
    session: SessionDep,
    file_format: Annotated[TransferFormat, Query(alias="format")] = TransferFormat.JSONL,
) -> StreamingResponse:
    bank = service.get_bank(session, name)
    # Written out within the request's transaction (one consistent snapshot), spilling to
    # disk past a few MB, then streamed after the session has closed.
    spool = tempfile.SpooledTemporaryFile(max_size=_EXPORT_IN_MEMORY)  # noqa: SIM115
    for chunk in service.export_entries(session, bank, file_format):
        spool.write(chunk.encode())
    spool.seek(0)
    media_type = {"jsonl": "application/jsonl", "csv": "text/csv"}.get(file_format, "text/plain")
    suffix = "txt" if file_format is TransferFormat.HMA else file_format.value
    return StreamingResponse(
        _chunks(spool),
        media_type=f"{media_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{bank.name}.{suffix}"'},
    )


def _chunks(spool: IO[bytes]) -> Iterator[bytes]:
    with spool:
        while chunk := spool.read(1024 * 1024):
            yield chunk


def to_entry_fields(body: EntryFieldsIn, *, source: str, added_by: str) -> EntryFields:
    return EntryFields(
        source=source,
        url=body.url,
        platform_content_id=body.platform_content_id,
        case_reference=body.case_reference,
        labels=tuple(body.labels),
        note=body.note,
        extra=body.metadata,
        added_by=added_by,
        enabled=body.enabled,
        disabled_until=body.disabled_until,
    )


def read_entry_of(session: Session, bank: Bank, entry: BankEntry) -> EntryRead:
    return read_entries_of(session, bank, [entry])[0]


def read_entries_of(session: Session, bank: Bank, entries: list[BankEntry]) -> list[EntryRead]:
    """Entries with their signals, partners' opinions and sightings, in four queries."""
    ids = [entry.id for entry in entries]
    signals = service.entry_signals(session, ids)
    opinions = service.entry_opinions(session, ids)
    sightings = service.entry_sightings(session, ids)
    return [
        to_entry_read(bank, entry, signals[entry.id], opinions[entry.id], sightings[entry.id])
        for entry in entries
    ]
