"""Match files and signals against the banks: the one entry other domains and the CLI call.

The work lives in the domain's own modules, named from here: ``lookup`` hashes a file and
looks it up, ``matcher`` applies each bank's rules to what the indices find, and
``indexes`` keeps this process's indices current.
"""

from __future__ import annotations

from pathlib import Path

from accord.server.matching.indexes import IndexSet, IndexStatus, prune_snapshots, snapshot_folders
from accord.server.matching.lookup import match_file, match_opened, match_signals
from accord.server.matching.matcher import (
    FIRST_STAGE,
    SECOND_STAGE,
    Match,
    Matcher,
    MatchReport,
    second_stage_wanted,
)
from accord.server.matching.schemas import MatchOptions

__all__ = [
    "FIRST_STAGE",
    "SECOND_STAGE",
    "IndexSet",
    "IndexStatus",
    "Match",
    "MatchOptions",
    "MatchReport",
    "Matcher",
    "keep_snapshot",
    "match_file",
    "match_opened",
    "match_signals",
    "second_stage_wanted",
    "snapshot_folders",
]


def keep_snapshot(indexes: IndexSet, root: Path) -> None:
    """Save the indices under ``root`` for processes to start from; keep the newest few."""
    indexes.save(root)
    prune_snapshots(root)
