"""Match a file or signals for the API and the CLI: hash, catch up, look up, and tell
the publishers of fetched entries that matched (sightings)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from accord.server.banks.service import validate_signals
from accord.server.db.base import utc_now
from accord.server.exchanges.service import queue_sightings
from accord.server.hashing.service import hash_opened, reliable_signals
from accord.server.matching.indexes import IndexSet
from accord.server.matching.matcher import Matcher, MatchReport, second_stage_wanted
from accord.server.matching.schemas import MatchOptions
from accord.server.metrics.instruments import count_lookup
from accord.server.runtime import Runtime
from accord.signals.hashing import HashResult, OpenedFile
from accord.signals.registry import second_stage_signal_type, signal_type_classes

logger = logging.getLogger("accord.matching")
#: Who queued a sighting, in the audit log.
_ACTOR = "system:matching"


def match_signals(
    runtime: Runtime, session: Session, signals: Mapping[str, str], options: MatchOptions
) -> MatchReport:
    checked = validate_signals(signals)
    runtime.indexes.catch_up(session)
    report = Matcher(runtime.indexes, session).match(checked, options)
    _queue_sightings(runtime, report, options)
    count_lookup("signals", bool(report.matches))
    return report


def _first_stage_names(indexes: IndexSet) -> str:
    """The first stage's signals; those looked up only if banked (MD5, for partners' hash
    lists, costs more than the lookup it serves) only when some bank holds some. The
    SHA-256 stays, as the upload's identity in the answer."""
    wanted = [
        name
        for name, signal_type in signal_type_classes().items()
        if signal_type.looked_up
        and (not signal_type.looked_up_if_banked or _banked(indexes, signal_type.stored_as()))
    ]
    return ",".join(wanted)


def _banked(indexes: IndexSet, name: str) -> bool:
    return indexes.has(name) and indexes.size(name) > 0


def match_file(
    runtime: Runtime, session: Session, path: Path, options: MatchOptions
) -> tuple[HashResult, MatchReport]:
    """The file's signals and its matches; weak signals (flat pictures) are not looked up.

    A lookup's hashes are not kept, so large JPEGs are decoded reduced, for speed.
    """
    opened = OpenedFile(
        path, limits=runtime.settings.media_limits, reduced=True, decoder=runtime.decoder
    )
    return match_opened(runtime, session, opened, options)


def match_opened(
    runtime: Runtime, session: Session, opened: OpenedFile, options: MatchOptions
) -> tuple[HashResult, MatchReport]:
    """``match_file`` for a file already opened (an assessment's): its decodes and the
    signals already hashed of it are reused.

    Keypoints cost more to extract than every other signal together, so a picture gets
    them only when the signal they back up (PDQ) found nothing and some bank holds
    keypoints to compare with.
    """
    runtime.indexes.catch_up(session)
    result = hash_opened(runtime, opened, _first_stage_names(runtime.indexes))
    matcher = Matcher(runtime.indexes, session)
    signals = reliable_signals(result)
    report = matcher.match(signals, options)
    second = second_stage_signal_type()
    if (
        result.format.kind in second.media_kinds
        and not report.found_by(second.backs_up or "")
        and second_stage_wanted(runtime.indexes, options)
    ):
        keypoints = hash_opened(runtime, opened, second.name)
        signals |= reliable_signals(keypoints)
        # Both stages again, so allow banks weigh every match together.
        report = matcher.match(signals, options)
        result = replace(result, signals=result.signals + keypoints.signals)
    _queue_sightings(runtime, report, options)
    count_lookup("second" if report.second_stage_ran else "first", bool(report.matches))
    return result, report


def _queue_sightings(runtime: Runtime, report: MatchReport, options: MatchOptions) -> None:
    """Queue a sighting of each fetched entry that counted as a match, for the exchanges
    that report them (``exchanges.service.queue_sightings`` picks those).

    Most lookups match no fetched entry and return before touching the database. The
    rest write in a session of their own, committed here: the caller's may be read-only
    (triage's) or never committed.
    """
    if not options.report_sightings:
        return
    now = utc_now()
    fetched = [
        match.entry.id
        for match in report.matches
        # A raw lookup's disabled entries are shown, not matched.
        if match.entry.remote_id is not None and match.entry.active_at(now)
    ]
    if not fetched:
        return
    try:
        with runtime.sessions() as session:
            session.info["actor"] = _ACTOR
            queue_sightings(session, fetched, author=runtime.settings.exchange_author)
            session.commit()
    except SQLAlchemyError:
        # A platform's upload is answered even when its sighting cannot be queued.
        logger.exception("the sightings of entries %s could not be queued", fetched)
