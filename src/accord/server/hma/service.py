"""Banking a file as HMA's ``/c/bank/{name}/content`` does: hash it, keep every reliable
signal, and answer with those HMA would show."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from accord.errors import BadRequest
from accord.server.banks import service as banks
from accord.server.banks.schemas import EntryFields
from accord.server.hashing.service import hash_for_bank, reliable_signals
from accord.server.hma.schemas import hma_signals
from accord.server.runtime import Runtime

if TYPE_CHECKING:
    from accord.server.banks.models import Bank


def add_file(
    runtime: Runtime, session: Session, bank: Bank, path: Path, fields: EntryFields
) -> dict[str, Any]:
    """The new entry's id and the signals HMA shows for the file's kind."""
    result = hash_for_bank(runtime, path)
    signals = reliable_signals(result)
    shown = hma_signals(signals, result.format.kind)
    if not shown:
        raise BadRequest("No signals given")
    entry = banks.add_entry(session, bank, signals, fields)
    runtime.indexes.dirty = True
    return {"id": entry.id, "signals": shown}
