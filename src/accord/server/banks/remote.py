"""Entries fetched from an exchange into a local bank: added, updated and withdrawn by
the publisher's indicator ids, so a fetch repeated or cut short never duplicates one.

STUB: the names are fixed (the service exports them); the bodies are to be written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from accord.server.banks.models import Bank
from accord.sharing.stix import RemoteIndicator


@dataclass(frozen=True, slots=True)
class RemoteApplied:
    added: int = 0
    updated: int = 0
    withdrawn: int = 0


def apply_remote_indicators(
    session: Session, bank: Bank, exchange: str, indicators: Sequence[RemoteIndicator]
) -> RemoteApplied:
    raise NotImplementedError


def entry_origins(session: Session, entry_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    raise NotImplementedError
