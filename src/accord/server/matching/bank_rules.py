"""Each bank's matching rules, held in memory so a lookup need not read the banks table.

Banks change rarely and every lookup needs all of them, so each process keeps a copy that
lookups re-read once it is a sync interval old (``IndexSet.catch_up``): a change made
anywhere reaches every process within that interval, like the indices, and a process
that changed a bank itself re-reads at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from accord.server.banks.service import list_banks
from accord.signals.registry import get_signal_type

if TYPE_CHECKING:
    from accord.server.banks.models import Bank


@dataclass(frozen=True, slots=True)
class BankRules:
    """What matching needs of a bank: who it is and when its entries count."""

    id: int
    name: str
    kind: str
    enabled: bool
    enabled_ratio: float
    #: Per signal type distance thresholds overriding the type's default.
    thresholds: Mapping[str, float]

    @classmethod
    def of(cls, bank: Bank) -> BankRules:
        return cls(
            id=bank.id,
            name=bank.name,
            kind=bank.kind,
            enabled=bank.enabled,
            enabled_ratio=bank.enabled_ratio,
            thresholds=dict(bank.thresholds),
        )

    def threshold(self, signal_type: str) -> float:
        """The bank's own threshold for the type, else the type's default."""
        configured = self.thresholds.get(signal_type)
        if configured is not None:
            return float(configured)
        return get_signal_type(signal_type).threshold


def read_bank_rules(session: Session) -> dict[int, BankRules]:
    """Every bank's rules by bank id, as ``session`` sees them now."""
    return {bank.id: BankRules.of(bank) for bank in list_banks(session)}
