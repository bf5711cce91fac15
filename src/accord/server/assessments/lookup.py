"""The assessment's bank lookup on this instance: every bank, suppressed matches included,
and accord's watermark resolved to its provenance record; with the registered file
itself where the blob store keeps it, so a copy can be compared with its original."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from accord.assessment.evidence import BankHit, BankLookup
from accord.media.file import MediaFile
from accord.provenance.watermarking import read_file_watermark
from accord.server.banks.models import BankEntry
from accord.server.banks.service import entry_signals
from accord.server.credentials.service import REGISTRY_BANK, record_for_watermark
from accord.server.matching.lookup import match_file
from accord.server.matching.service import Match, MatchOptions
from accord.server.services import Services
from accord.signals.audio import differing_segments
from accord.signals.base import Signal


def bank_lookup(services: Services, session: Session) -> BankLookup:
    def lookup(media: MediaFile) -> list[BankHit]:
        hashed, report = match_file(services, session, media.path, MatchOptions())
        matches = report.matches + report.suppressed
        heard = _differences(session, hashed.signal("audio"), matches)
        hits = [
            BankHit(
                bank=match.bank.name,
                kind=str(match.bank.kind),
                signal_type=match.signal_type,
                distance=match.distance,
                reference=match.entry.case_reference,
                note=match.entry.note,
                original=_kept(services, match.entry),
                differing_seconds=heard.get(match.entry.id)
                if match.signal_type == "audio"
                else None,
            )
            for match in matches
        ]
        reading = read_file_watermark(media)
        record = record_for_watermark(session, reading.payload) if reading else None
        if record is not None:
            hits.append(
                BankHit(
                    bank=REGISTRY_BANK,
                    kind="authentic",
                    signal_type="watermark",
                    distance=0.0,
                    reference=record.id,
                    note=record.title,
                    original=_blob(services, record.signed_sha256),
                )
            )
        return hits

    return lookup


def _differences(
    session: Session, audio: Signal | None, matches: list[Match]
) -> dict[int, tuple[tuple[float, float], ...]]:
    """For each sound match, the stretches of the file that sound unlike the entry."""
    sound = [match for match in matches if match.signal_type == "audio"]
    if audio is None or not sound:
        return {}
    stored = entry_signals(session, [match.entry.id for match in sound])
    return {
        match.entry.id: tuple(
            differing_segments(
                audio.value,
                stored[match.entry.id]["audio"],
                float(match.detail.get("offset_seconds", 0.0)),
            )
        )
        for match in sound
        if "audio" in stored.get(match.entry.id, {})
    }


def _kept(services: Services, entry: BankEntry) -> Path | None:
    return _blob(services, entry.asset_sha256) if entry.asset_sha256 else None


def _blob(services: Services, sha256: str) -> Path | None:
    return services.blobs.path_for(sha256) if services.blobs.exists(sha256) else None
