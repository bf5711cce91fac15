"""Sign files for an issuer: watermark, fingerprints, Content Credentials, a record, and a
registry entry.

Every signed file gets a provenance record. A picture first gets accord's watermark,
carrying the record's id; then the signals of what will be published go into the
``REGISTRY`` bank (kind authentic), or, for a file its credentials declare made by AI, the
``GENERATED`` bank (kind generated; ``records.signed_bank``). A copy that a platform
stripped of its credentials, re-encoded or cropped can then be traced to its record by its
watermark, or by an ordinary bank lookup.

The one entry other domains and the CLI call: reading records (``records``) and verifying
a file and tracing it to its original (``tracing``) are named from here.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import uuid
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import c2pa
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from accord.errors import Conflict, NotFound
from accord.media.file import MediaFile, open_media
from accord.provenance.signing import (
    Signed,
    SignRequest,
    SourceType,
    ingredient_archive,
    sign_media,
)
from accord.provenance.watermarking import (
    Marking,
    mark_picture,
    payload_for_record,
    read_file_watermark,
)
from accord.server.banks import service as banks
from accord.server.banks.schemas import EntryFields
from accord.server.credentials.models import ProvenanceRecord
from accord.server.credentials.records import (
    GENERATED_BANK,
    REGISTRY_BANK,
    SIGNED_BANKS,
    generators,
    live_pictures,
    live_record,
    record_for_manifest,
    record_for_watermark,
    signed_bank,
)
from accord.server.credentials.tracing import Traced, verify_and_trace
from accord.server.db.base import utc_now
from accord.server.hashing.service import hash_for_bank, reliable_signals
from accord.server.issuers.service import get_issuer, signing_chain, trust_anchors
from accord.server.matching.service import MatchOptions, match_file
from accord.server.runtime import Runtime
from accord.signals.hashing import OpenedFile
from accord.signals.registry import soft_binding_algorithms
from accord.signals.watermark import WatermarkReading

if TYPE_CHECKING:
    from accord.server.banks.models import Bank

__all__ = [
    "GENERATED_BANK",
    "REGISTRY_BANK",
    "SIGNED_BANKS",
    "Signing",
    "Traced",
    "generators",
    "live_pictures",
    "live_record",
    "record_for_manifest",
    "record_for_watermark",
    "records_of",
    "revoke_record",
    "sign_for_issuer",
    "signed_bank",
    "signed_before",
    "verify_and_trace",
]

#: Signal types that find the same bytes, never an edit.
_EXACT = ("sha256", "md5")


@dataclass(frozen=True, slots=True)
class Signing:
    """What to sign and what to declare about it."""

    issuer: str
    source_type: SourceType
    title: str | None = None
    #: The original this file was edited from (its parent ingredient).
    parent: Path | None = None


def sign_for_issuer(
    runtime: Runtime, session: Session, path: Path, signing: Signing
) -> tuple[ProvenanceRecord, Signed]:
    """Sign the file at ``path``; the record and its bank entry (``REGISTRY``, or
    ``GENERATED`` for a source type that says AI) are added to ``session``.

    Without an explicit parent, a file that is an edit of a file signed here (its
    watermark names it, or the registry finds it) gets that file as its parent ingredient.
    """
    settings = runtime.settings
    issuer = get_issuer(session, signing.issuer)
    original = open_media(path, settings.media_limits)
    parent = open_media(signing.parent, settings.media_limits) if signing.parent else None
    digest = _sha256(path)
    existing_mark = read_file_watermark(original)
    registered = (
        _parent_record(runtime, session, parent)
        if parent
        else _registered_original(runtime, session, original, digest, existing_mark)
    )
    record_id = uuid.uuid4().hex
    title = signing.title or path.name
    # The parent's signer is judged as verification here would judge it.
    anchors = trust_anchors(session, runtime.trust_anchors)
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=settings.upload_dir) as scratch:
        # A picture already marked (an edit of one signed here) keeps its mark: a second
        # one on top would blur both.
        payload = None if existing_mark else payload_for_record(record_id)
        marking = (
            Marking(None) if payload is None else mark_picture(original, payload, Path(scratch))
        )
        marked = marking.path
        watermark = payload if marked else None
        media = open_media(marked, settings.media_limits) if marked else original
        # The signals of what will be published: the marked picture.
        signals = reliable_signals(hash_for_bank(runtime, OpenedFile(media)))  # opened once
        request = SignRequest(
            title=title,
            source_type=signing.source_type,
            author=issuer.organization,
            # A parent signed here is named by its signed ingredient, credentials and all,
            # even when the file given is the unsigned original.
            parent=None if registered else parent,
            parent_archive=registered.ingredient_archive if registered else None,
            fingerprints={
                name: value for name, value in signals.items() if name in soft_binding_algorithms()
            },
            watermark=watermark,
        )
        signed = sign_media(
            media,
            signing_chain(issuer, settings.master_key.get_secret_value()),
            request,
            tsa_url=settings.tsa_url,
            allow_without_timestamp=settings.allow_signing_without_timestamp,
            anchors=anchors,
        )
        signed = replace(signed, unmarked=marking.why_not)
        # Kept, so that an assessment can show what an altered copy changed.
        published = Path(scratch) / "signed"
        published.write_bytes(signed.data)
        runtime.blobs.put_file(published)
    record = ProvenanceRecord(
        id=record_id,
        issuer_id=issuer.id,
        title=title,
        source_type=str(signing.source_type),
        media_kind=str(media.kind),
        original_sha256=digest,
        signed_sha256=hashlib.sha256(signed.data).hexdigest(),
        manifest_label=_active_label(signed, media),
        manifest_store=signed.manifest_store,
        timestamped=signed.timestamped,
        watermark=None if watermark is None else f"{watermark:016x}",
        unmarked_reason=signed.unmarked or "",
        parent_id=registered.id if registered else None,
        ingredient_archive=_archive(signed, title, anchors),
    )
    entry = banks.add_entry(
        session,
        _signed_bank(session, record.source_type),
        # The copy people will share is the signed one: its exact digests, and the
        # perceptual signals of the (marked) picture.
        {**signals, "sha256": record.signed_sha256, "md5": _md5(signed.data)},
        EntryFields(
            source="accord sign",
            case_reference=record.id,
            asset_sha256=record.signed_sha256,
            labels=[issuer.name],
            note=title,
            added_by=issuer.name,
        ),
    )
    record.registry_entry_id = entry.id
    session.add(record)
    session.flush()
    runtime.indexes.dirty = True  # this process's next lookup sees the entry
    return record, signed


def _registered_original(
    runtime: Runtime,
    session: Session,
    media: MediaFile,
    digest: str,
    mark: WatermarkReading | None,
) -> ProvenanceRecord | None:
    """The live record of the file this one was edited from: the one its watermark names,
    else the registry's nearest perceptual match. Signing the same bytes again is no edit."""
    record = _named_or_nearest(runtime, session, media, mark)
    if record is None or digest in (record.original_sha256, record.signed_sha256):
        return None
    return record


def _parent_record(
    runtime: Runtime, session: Session, parent: MediaFile
) -> ProvenanceRecord | None:
    """The live record of a parent given explicitly, when it was signed here: the file
    itself (its original or signed bytes), else the record its watermark names."""
    digest = _sha256(parent.path)
    query = (
        select(ProvenanceRecord)
        .where(
            or_(
                ProvenanceRecord.original_sha256 == digest, ProvenanceRecord.signed_sha256 == digest
            )
        )
        .where(ProvenanceRecord.revoked_at.is_(None))
        .where(ProvenanceRecord.ingredient_archive.is_not(None))
        .order_by(ProvenanceRecord.created_at.desc(), ProvenanceRecord.id)
    )
    record = session.scalars(query.limit(1)).first()
    mark = read_file_watermark(parent) if record is None else None
    if mark is None:
        # A look-alike is not enough: the person named this file, maybe an edit of ours.
        return record
    return _named_or_nearest(runtime, session, parent, mark)


def _named_or_nearest(
    runtime: Runtime, session: Session, media: MediaFile, mark: WatermarkReading | None
) -> ProvenanceRecord | None:
    """The live record with an ingredient archive that the watermark names, else the
    registry's nearest perceptual match."""
    if mark is not None:
        record = record_for_watermark(session, mark.payload)
    else:
        options = MatchOptions(banks=SIGNED_BANKS)
        _, report = match_file(runtime, session, media.path, options)
        perceptual = [
            match
            for match in report.matches
            if match.entry.case_reference and match.signal_type not in _EXACT
        ]
        nearest = min(perceptual, key=lambda match: match.distance, default=None)
        record = session.get(ProvenanceRecord, nearest.entry.case_reference) if nearest else None
    if record is None or record.revoked_at is not None or record.ingredient_archive is None:
        return None
    return record


def _archive(signed: Signed, title: str, anchors: list[str]) -> bytes | None:
    try:
        return ingredient_archive(signed, title, anchors)
    except c2pa.C2paError:
        return None  # edits of this file will be signed without their parent


def revoke_record(session: Session, record_id: str, reason: str) -> ProvenanceRecord:
    """Mark a record revoked and take its signals out of its bank's lookups."""
    record = session.get(ProvenanceRecord, record_id)
    if record is None:
        raise NotFound(f"no provenance record {record_id}")
    if record.revoked_at is not None:
        # Saying "revoked" again would hide that the first reason still stands.
        msg = (
            f"record {record_id} was already revoked on {record.revoked_at:%Y-%m-%d}: "
            f"{record.revocation_reason or 'no reason given'}"
        )
        raise Conflict(msg)
    record.revoked_at = utc_now()
    record.revocation_reason = reason
    if record.registry_entry_id is not None:
        # By id, not by the bank its source type goes to now: a record signed before
        # GENERATED existed has its entry in REGISTRY, whatever its source type says.
        entry = banks.entry_by_id(session, record.registry_entry_id)
        if entry is not None:
            banks.update_entry(session, entry, {"enabled": False})
    return record


def _signed_bank(session: Session, source_type: str) -> Bank:
    """The bank a file signed with ``source_type`` is registered in, created on first use."""
    name, kind, description = signed_bank(source_type)
    return banks.ensure_bank(session, name, kind=kind, description=description)


def signed_before(session: Session, path: Path, signing: Signing) -> ProvenanceRecord | None:
    """The newest live record of these very bytes signed by the same issuer with the same
    source type: signing them again would add a second record that stripped copies might
    resolve to instead. (Another source type is another declaration: a new record.)"""
    query = (
        select(ProvenanceRecord)
        .where(ProvenanceRecord.issuer_id == get_issuer(session, signing.issuer).id)
        .where(ProvenanceRecord.original_sha256 == _sha256(path))
        .where(ProvenanceRecord.source_type == str(signing.source_type))
        .where(ProvenanceRecord.revoked_at.is_(None))
        .order_by(ProvenanceRecord.created_at.desc(), ProvenanceRecord.id)
    )
    return session.scalars(query.limit(1)).first()


def records_of(session: Session, issuer: str) -> list[ProvenanceRecord]:
    issuer_id = get_issuer(session, issuer).id
    query = select(ProvenanceRecord).where(ProvenanceRecord.issuer_id == issuer_id)
    # The id breaks ties, so records signed in the same instant list alike everywhere.
    order = (ProvenanceRecord.created_at, ProvenanceRecord.id)
    return list(session.scalars(query.order_by(*order)))


def _sha256(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _md5(data: bytes) -> str:
    return hashlib.md5(data, usedforsecurity=False).hexdigest()


def _active_label(signed: Signed, media: MediaFile) -> str:
    context = c2pa.Context.from_dict({"verify": {"remote_manifest_fetch": False}})
    with c2pa.Reader(media.format.mime, io.BytesIO(signed.data), context=context) as reader:
        label: str = json.loads(reader.json())["active_manifest"]
    return label
