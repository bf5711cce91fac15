"""The assessment's bank lookup on this instance: every bank, suppressed matches included,
and accord's watermark resolved to its provenance record. Each hit brings what shows how
a copy differs from the entry: the registered file itself where the blob store keeps it
(pictures), and, for a signal type whose values span time (sound, video frames), the
stretches that match nothing in the entry's value. A file signed here as made by AI is in
the ``GENERATED`` bank (its watermark too): its hits name the generator.

The lookup hashes the file the assessment already opened, so its picture is decoded once.
"""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from accord.assessment.evidence import AssessedFile, BankHit, BankLookup
from accord.media.kinds import MediaKind
from accord.server.banks.schemas import BankKind
from accord.server.banks.service import entry_signals
from accord.server.credentials.service import (
    generators,
    record_for_watermark,
    signed_bank,
)
from accord.server.matching.service import Match, MatchOptions, match_opened
from accord.server.runtime import Runtime
from accord.signals.hashing import HashResult
from accord.signals.registry import signal_type_classes
from accord.signals.watermark import read_watermark

if TYPE_CHECKING:
    from accord.server.banks.models import BankEntry


def bank_lookup(runtime: Runtime, session: Session, copies: ExitStack) -> BankLookup:
    """``copies`` holds the registered files lent for comparison (a download, when the
    blobs are in S3) until the assessment that asked for them is done."""

    def lookup(subject: AssessedFile) -> list[BankHit]:
        hashed, report = match_opened(runtime, session, subject.opened, MatchOptions())
        matches = report.matches + report.suppressed
        differing = _differences(session, hashed, matches)
        reading = read_watermark(subject.image()) if subject.kind is MediaKind.IMAGE else None
        record = record_for_watermark(session, reading.payload) if reading else None
        made_by = generators(
            session,
            {m.entry.case_reference for m in matches if m.entry.case_reference}
            | ({record.id} if record else set()),
        )
        hits = [
            BankHit(
                bank=match.bank.name,
                kind=str(match.bank.kind),
                signal_type=match.signal_type,
                distance=match.distance,
                reference=match.entry.case_reference,
                note=match.entry.note,
                original=_kept(runtime, copies, subject, match.entry),
                differing_seconds=differing.get((match.entry.id, match.signal_type)),
                confirmed_by=_confirmed_by(match.entry.origin),
                generator=_generator(made_by, match),
            )
            for match in matches
        ]
        if record is not None:
            bank, kind, _ = signed_bank(record.source_type)
            hits.append(
                BankHit(
                    bank=bank,
                    kind=str(kind),
                    signal_type="watermark",
                    distance=0.0,
                    reference=record.id,
                    note=record.title,
                    original=_blob(runtime, copies, subject, record.signed_sha256),
                    generator=made_by.get(record.id),
                )
            )
        return hits

    return lookup


def _differences(
    session: Session, hashed: HashResult, matches: list[Match]
) -> dict[tuple[int, str], tuple[tuple[float, float], ...]]:
    """For each match by a timed signal (sound, video): the stretches unlike the entry."""
    types = signal_type_classes()
    timed = [
        match for match in matches if match.signal_type in types and types[match.signal_type].timed
    ]
    if not timed:
        return {}
    stored = entry_signals(session, [match.entry.id for match in timed])
    found = {}
    for match in timed:
        query = hashed.signal(match.query_type or match.signal_type)
        entry_value = stored.get(match.entry.id, {}).get(match.signal_type)
        if query is not None and entry_value is not None:
            spans = types[match.signal_type].differing_spans(query.value, entry_value, match.detail)
            found[(match.entry.id, match.signal_type)] = tuple(spans)
    return found


def _generator(made_by: dict[str, str], match: Match) -> str | None:
    """The generator of a generated bank's entry: its record's signer."""
    if match.bank.kind != BankKind.GENERATED or not match.entry.case_reference:
        return None
    return made_by.get(match.entry.case_reference)


def _kept(
    runtime: Runtime, copies: ExitStack, subject: AssessedFile, entry: BankEntry
) -> Path | None:
    return _blob(runtime, copies, subject, entry.asset_sha256) if entry.asset_sha256 else None


def _blob(runtime: Runtime, copies: ExitStack, subject: AssessedFile, sha256: str) -> Path | None:
    """The registered file, when the store keeps it and a picture is compared with it
    (only pictures are: others are not fetched)."""
    if subject.kind is not MediaKind.IMAGE:
        return None
    try:
        return copies.enter_context(runtime.blobs.local_copy(sha256))
    except OSError:  # not kept, or the store unreachable: assessed without comparing
        return None


def _confirmed_by(origin: dict[str, Any] | None) -> str | None:
    """Who confirmed an entry fetched from an exchange, in words; None for a local one."""
    if not origin:
        return None
    return f"{origin.get('owner') or 'a partner'}, through the exchange {origin.get('exchange')},"
