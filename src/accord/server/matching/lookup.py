"""Match a file or signals for the API and the CLI: hash, catch up, look up."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from sqlalchemy.orm import Session

from accord.server.banks.service import validate_signals
from accord.server.hashing.service import hash_for_match, reliable_signals
from accord.server.matching.service import Matcher, MatchOptions, MatchReport, second_stage_wanted
from accord.server.services import Services
from accord.signals.hashing import HashResult


def match_signals(
    services: Services, session: Session, signals: Mapping[str, str], options: MatchOptions
) -> MatchReport:
    checked = validate_signals(signals)
    services.indexes.catch_up(session)
    return Matcher(services.indexes, session).match(checked, options)


def match_file(
    services: Services, session: Session, path: Path, options: MatchOptions
) -> tuple[HashResult, MatchReport]:
    """The file's signals and its matches; weak signals (flat pictures) are not looked up."""
    services.indexes.catch_up(session)
    keypoints = second_stage_wanted(services.indexes, options)
    result = hash_for_match(services, path, keypoints=keypoints)
    report = Matcher(services.indexes, session).match(reliable_signals(result), options)
    return result, report
