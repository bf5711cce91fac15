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
from accord.server.credentials.service import REGISTRY_BANK, record_for_watermark
from accord.server.matching.lookup import match_file
from accord.server.matching.service import MatchOptions
from accord.server.services import Services


def bank_lookup(services: Services, session: Session) -> BankLookup:
    def lookup(media: MediaFile) -> list[BankHit]:
        _, report = match_file(services, session, media.path, MatchOptions())
        hits = [
            BankHit(
                bank=match.bank.name,
                kind=str(match.bank.kind),
                signal_type=match.signal_type,
                distance=match.distance,
                reference=match.entry.case_reference,
                note=match.entry.note,
                original=_kept(services, match.entry),
            )
            for match in report.matches + report.suppressed
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


def _kept(services: Services, entry: BankEntry) -> Path | None:
    return _blob(services, entry.asset_sha256) if entry.asset_sha256 else None


def _blob(services: Services, sha256: str) -> Path | None:
    return services.blobs.path_for(sha256) if services.blobs.exists(sha256) else None
