"""The JSON the audit log's API answers with."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from accord.server.audit.models import AuditEntry
    from accord.server.audit.service import Verification


def verification_json(result: Verification) -> dict[str, Any]:
    return {
        "intact": result.intact,
        "entries": result.entries,
        "head_hash": result.head_hash,
        "problems": result.problems,
    }


def history_json(entry: AuditEntry) -> dict[str, Any]:
    """An entry as a row's history shows it."""
    return {
        "at": entry.at.isoformat(),
        "actor": entry.actor,
        "action": entry.action,
        "table": entry.table,
        "after": entry.after,
    }
