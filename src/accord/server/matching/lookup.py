"""Match a file or signals for the API and the CLI: hash, catch up, look up."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from sqlalchemy.orm import Session

from accord.index.registry import second_stage_type
from accord.media.kinds import MediaKind
from accord.server.banks.service import validate_signals
from accord.server.hashing.service import hash_opened, match_signal_names, reliable_signals
from accord.server.matching.indexes import IndexSet
from accord.server.matching.service import Matcher, MatchOptions, MatchReport, second_stage_wanted
from accord.server.runtime import Runtime
from accord.signals.hashing import HashResult, OpenedFile


def match_signals(
    runtime: Runtime, session: Session, signals: Mapping[str, str], options: MatchOptions
) -> MatchReport:
    checked = validate_signals(signals)
    runtime.indexes.catch_up(session)
    return Matcher(runtime.indexes, session).match(checked, options)


def _first_stage_names(indexes: IndexSet) -> str:
    """The first stage's signals; MD5 only when some bank holds MD5 hashes.

    MD5 is there for partners' hash lists and costs more than the lookup it serves; the
    SHA-256 stays, as the upload's identity in the answer.
    """
    names = match_signal_names(keypoints=False).split(",")
    wanted = [name for name in names if name != "md5" or indexes.size("md5") > 0]
    return ",".join(wanted)


def match_file(
    runtime: Runtime, session: Session, path: Path, options: MatchOptions
) -> tuple[HashResult, MatchReport]:
    """The file's signals and its matches; weak signals (flat pictures) are not looked up.

    Keypoints cost more to extract than every other signal together, so a picture gets
    them only when PDQ found nothing and some bank holds keypoints to compare with.
    """
    runtime.indexes.catch_up(session)
    # A lookup's hashes are not kept: decode large JPEGs reduced, for speed.
    opened = OpenedFile(path, limits=runtime.settings.media_limits, reduced=True)
    result = hash_opened(runtime, opened, _first_stage_names(runtime.indexes))
    matcher = Matcher(runtime.indexes, session)
    signals = reliable_signals(result)
    report = matcher.match(signals, options)
    if (
        result.format.kind is MediaKind.IMAGE
        and not report.found_by("pdq")
        and second_stage_wanted(runtime.indexes, options)
    ):
        keypoints = hash_opened(runtime, opened, second_stage_type())
        signals |= reliable_signals(keypoints)
        # Both stages again, so allow banks weigh every match together.
        report = matcher.match(signals, options)
        result = replace(result, signals=result.signals + keypoints.signals)
    return result, report
