"""A file is decoded once per request: the assessment, its lookup in this instance's
banks, and a caller (triage) hashing it for a bank afterwards share one decode."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from accord.media import image
from accord.media.file import MediaFile
from accord.server.assessments.service import assessment_of
from accord.server.banks import service as banks
from accord.server.banks.models import BankKind
from accord.server.hashing.service import hash_for_bank, open_file, reliable_signals
from accord.signals.hashing import hash_file
from tests.integration.notice_action import runtime_of

PHOTO = Path("pdq") / "bridge-mods" / "aaa-orig.jpg"


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The path of each picture decoded from here on."""
    decoded: list[Path] = []
    real = image.decode_image

    def counting(media: MediaFile, **options: Any) -> image.DecodedImage:
        decoded.append(media.path)
        return real(media, **options)

    monkeypatch.setattr(image, "decode_image", counting)
    return decoded


@pytest.fixture
def fakes(client: TestClient, db_session: Session, corpus: Path) -> None:
    """A deceptive bank holding the photo: the lookup finds it, and keeps no original."""
    bank = banks.create_bank(db_session, "FAKES", kind=BankKind.DECEPTIVE)
    signals = {s.type: s.value for s in hash_file(corpus / PHOTO).signals}
    banks.add_entry(db_session, bank, signals, banks.EntryFields(case_reference="case-7"))
    runtime_of(client).indexes.dirty = True


@pytest.mark.usefixtures("fakes")
def test_assessing_an_upload_decodes_it_once(
    client: TestClient, corpus: Path, decodes: list[Path]
) -> None:
    content = (corpus / PHOTO).read_bytes()
    response = client.post("/v1/assess", files={"file": ("repost.jpg", content)})
    assert response.status_code == 200, response.text
    assert response.json()["deciding"] == ["banks.deceptive"]
    assert len(decodes) == 1


@pytest.mark.usefixtures("fakes")
def test_an_assessed_file_is_hashed_for_a_bank_without_a_second_decode(
    client: TestClient, db_session: Session, corpus: Path, decodes: list[Path]
) -> None:
    """What triage does with a notice's file: assess it, then keep its signals."""
    runtime = runtime_of(client)
    opened = open_file(runtime, corpus / PHOTO)
    assessment = assessment_of(runtime, db_session, opened)
    signals = reliable_signals(hash_for_bank(runtime, opened))
    assert decodes == [corpus / PHOTO]
    assert assessment.to_json()["band"] == "confirmed_deceptive"
    assert signals == reliable_signals(hash_for_bank(runtime, corpus / PHOTO))
