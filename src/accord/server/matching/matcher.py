"""Match signals against every enabled bank: per-bank thresholds, allow banks, rollout.

The indices answer "which stored signals are near this value" up to the loosest threshold
any enabled bank sets for the type; the rules about banks and entries (enabled, disabled
until, rollout ratio, each bank's own threshold, allow-bank suppression) are applied here.
Entries are read from the database with each lookup; banks' rules come from a copy each
process re-reads at most one sync interval apart (``IndexSet.banks``), so a bank change
reaches every process within that interval, as an entry's signals do.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from accord.index.base import IndexHit
from accord.index.registry import index_type_for, second_stage_type
from accord.server.banks.schemas import BankKind
from accord.server.banks.service import entries_of_signals
from accord.server.db.base import utc_now
from accord.server.matching.bank_rules import BankRules
from accord.server.matching.indexes import IndexSet
from accord.server.matching.schemas import MatchOptions, entry_json
from accord.signals.registry import signal_type_classes

if TYPE_CHECKING:
    from accord.server.banks.models import BankEntry

#: Stage names in results: the first stage is every fingerprint lookup; the second is the
#: keypoint search for crops and screenshots, run only when PDQ found nothing.
FIRST_STAGE = "first"
SECOND_STAGE = "second"
#: Every enabled bank, rollout applied, both stages.
_DEFAULTS = MatchOptions()


@dataclass(frozen=True, slots=True)
class Match:
    bank: BankRules
    entry: BankEntry
    signal_type: str
    distance: float
    detail: Mapping[str, Any]
    stage: str
    #: The query's signal type that found it (``vpdq_mirrored`` for a mirrored copy's
    #: ``vpdq`` entry): its value is the one to compare with the entry's.
    query_type: str = ""

    def to_json(self) -> dict[str, Any]:
        return {
            "bank": self.bank.name,
            "bank_kind": self.bank.kind,
            "entry_id": self.entry.id,
            "signal_type": self.signal_type,
            "distance": self.distance,
            "detail": dict(self.detail),
            "stage": self.stage,
            "entry": entry_json(self.entry),
        }


@dataclass(slots=True)
class MatchReport:
    matches: list[Match] = field(default_factory=list)
    #: Deceptive and watch matches silenced because the content is in an allow bank.
    suppressed: list[Match] = field(default_factory=list)
    #: Whether the second stage ran (PDQ found nothing and keypoints were available).
    second_stage_ran: bool = False

    def found_by(self, signal_type: str) -> bool:
        """Whether any match, suppressed ones included, came from stored ``signal_type``."""
        return any(match.signal_type == signal_type for match in self.matches + self.suppressed)

    def to_json(self) -> dict[str, Any]:
        return {
            "matched": bool(self.matches),
            "matches": [match.to_json() for match in self.matches],
            "suppressed": [match.to_json() for match in self.suppressed],
            "second_stage_ran": self.second_stage_ran,
        }


@dataclass(frozen=True, slots=True)
class _Candidate:
    signal_id: int
    query_type: str
    hit: IndexHit


class Matcher:
    """Matches signals for one request against one process's ``IndexSet``."""

    def __init__(self, indexes: IndexSet, session: Session) -> None:
        self._indexes = indexes
        self._session = session

    def match(self, signals: Mapping[str, str], options: MatchOptions = _DEFAULTS) -> MatchReport:
        """Matches for ``{signal_type: value}``.

        A keypoint signal among ``signals`` is looked up only when PDQ found nothing.
        """
        banks = self._banks(options)
        report = MatchReport()
        first = [(name, value) for name, value in signals.items() if name != second_stage_type()]
        if "pdq_dihedral" in signals:  # it holds the plain PDQ hash as its first orientation
            first = [(name, value) for name, value in first if name != "pdq"]
        matches = self._resolve(self._lookup(first, banks), banks, options, FIRST_STAGE)
        keypoints = signals.get(second_stage_type())
        found_by_pdq = any(match.signal_type == "pdq" for match in matches)
        if options.second_stage and keypoints is not None and not found_by_pdq:
            report.second_stage_ran = True
            second = self._lookup([(second_stage_type(), keypoints)], banks)
            matches += self._resolve(second, banks, options, SECOND_STAGE)
        report.matches, report.suppressed = _apply_allow_banks(_best_per_entry(matches))
        return report

    def _banks(self, options: MatchOptions) -> dict[int, BankRules]:
        wanted = None if options.banks is None else set(options.banks)
        return {
            bank.id: bank
            for bank in self._indexes.banks.values()
            if (bank.enabled or options.include_disabled)
            and (wanted is None or bank.name in wanted)
        }

    def _lookup(
        self, queries: list[tuple[str, str]], banks: Mapping[int, BankRules]
    ) -> list[_Candidate]:
        candidates: list[_Candidate] = []
        types = signal_type_classes()
        for query_type, value in queries:
            index_type = index_type_for(query_type)
            if not self._indexes.has(index_type) or self._indexes.size(index_type) == 0:
                continue
            limit = max((bank.threshold(index_type) for bank in banks.values()), default=None)
            if limit is None:
                continue
            query_class = types.get(query_type)
            orientation = None if query_class is None else query_class.orientation
            for hit in self._indexes.query(index_type, value, limit):
                found = hit
                if orientation is not None:  # the index cannot tell a turned query
                    found = replace(hit, detail={**hit.detail, "orientation": orientation})
                candidates.append(_Candidate(hit.item, query_type, found))
        return candidates

    def _resolve(
        self,
        candidates: list[_Candidate],
        banks: Mapping[int, BankRules],
        options: MatchOptions,
        stage: str,
    ) -> list[Match]:
        """Candidates that survive each bank's rules, with their entries loaded."""
        if not candidates:
            return []
        by_signal = entries_of_signals(self._session, {c.signal_id for c in candidates})
        coin = random.Random(options.seed).random()  # noqa: S311 - a rollout coin, not a secret
        now = utc_now()
        matches = []
        for candidate in candidates:
            found = by_signal.get(candidate.signal_id)
            if found is None:
                continue  # removed since the index saw it
            signal_type, entry = found
            bank = banks.get(entry.bank_id)
            if bank is None or not _passes(
                bank, entry, candidate.hit, signal_type, options=options, coin=coin, now=now
            ):
                continue
            hit = candidate.hit
            matches.append(
                Match(
                    bank, entry, signal_type, hit.distance, hit.detail, stage, candidate.query_type
                )
            )
        return matches


def _passes(
    bank: BankRules,
    entry: BankEntry,
    hit: IndexHit,
    signal_type: str,
    *,
    options: MatchOptions,
    coin: float,
    now: datetime,
) -> bool:
    if hit.distance > bank.threshold(signal_type):
        return False
    if options.include_disabled:
        return True
    if not entry.active_at(now):
        return False
    return options.bypass_coinflip or coin < bank.enabled_ratio


def second_stage_wanted(indexes: IndexSet, options: MatchOptions) -> bool:
    """Whether extracting keypoints from an image upload can find anything."""
    name = second_stage_type()
    return options.second_stage and indexes.has(name) and indexes.size(name) > 0


def _best_per_entry(matches: list[Match]) -> list[Match]:
    """One match per entry, by its closest signal; nearest first, grouped by bank."""
    best: dict[int, Match] = {}
    for match in matches:
        current = best.get(match.entry.id)
        if current is None or match.distance < current.distance:
            best[match.entry.id] = match
    return sorted(best.values(), key=lambda m: (m.distance, m.bank.name, m.entry.id))


def _apply_allow_banks(matches: list[Match]) -> tuple[list[Match], list[Match]]:
    """Content known benign (an allow-bank match) silences deceptive and watch matches."""
    if not any(match.bank.kind == BankKind.ALLOW for match in matches):
        return matches, []
    silenced = {BankKind.DECEPTIVE.value, BankKind.WATCH.value}
    kept = [match for match in matches if match.bank.kind not in silenced]
    return kept, [match for match in matches if match.bank.kind in silenced]
