"""Revoking a record disables its bank entry wherever the entry is: also a record signed
before the GENERATED bank existed, whose entry of an AI source type sits in REGISTRY."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from accord.provenance.signing import SourceType
from accord.server.banks.models import Bank, BankEntry
from accord.server.credentials.service import REGISTRY_BANK, revoke_record
from tests.integration.conftest import SignAsEc


def test_a_record_whose_entry_is_in_registry_is_revoked_whatever_its_source_type(
    db_session: Session, sign_as_ec: SignAsEc, corpus: Path
) -> None:
    record, _ = sign_as_ec(corpus / "pdq" / "bridge-mods" / "aaa-orig.jpg", "Bridge")
    # As an AI-declared record signed before GENERATED existed: its entry is in REGISTRY.
    record.source_type = str(SourceType.AI_GENERATED)
    db_session.flush()
    entry = db_session.get(BankEntry, record.registry_entry_id)
    assert entry is not None
    bank = db_session.get(Bank, entry.bank_id)
    assert bank is not None
    assert (bank.name, entry.enabled) == (REGISTRY_BANK, True)
    revoke_record(db_session, record.id, "issued in error")
    assert record.revoked_at is not None
    assert entry.enabled is False
