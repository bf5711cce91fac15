"""An erasure proven unrecoverable: after it, the erased values are in no table, no
audit entry (whose chain still verifies), no byte of SQLite's files, and no backup taken
afterwards; the same values were found everywhere before, so the scans can fail."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from pydantic import SecretStr
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.audit import service as audit
from accord.server.backups.service import make_backup
from accord.server.cases.models import Case
from accord.server.db.base import utc_now
from accord.server.erasure import service as erasure
from accord.server.notices.schemas import NoticeDraft, Notifier
from accord.server.notices.service import receive
from accord.server.persons import service as persons
from accord.server.persons.models import ReferenceFace
from accord.server.settings import Settings
from accord.server.storage.blobs import FolderBlobStore
from tests.integration.databases import own_engine_beside
from tests.integration.erasure.scan import files_holding, tables_holding

EMAIL = "erin.erasable@mail.example"
NAME = "Erin Erasable-Notifier"
EXPLANATION = "Erin's own words: a fake clip of the mayor, seen at the Zyxwv market"
OTHER_EMAIL = "kept.notifier@mail.example"
NOTIFIER_NEEDLES = (EMAIL.encode(), NAME.encode(), b"Zyxwv market")


@pytest.fixture
def instance(database_url: str, tmp_path: Path) -> Iterator[tuple[Settings, Engine]]:
    audit.install_audit_trail()  # as the server and the command line do
    with own_engine_beside(database_url, tmp_path, "erasure") as engine:
        settings = Settings(
            env="test",
            data_dir=tmp_path / "data",
            database_url=engine.url.render_as_string(hide_password=False),
            master_key=SecretStr("the master key of an instance that erases"),
            auto_migrate=False,
            smtp_host="mail.invalid",  # acknowledgements are queued (never sent here)
        )
        yield settings, engine


def _files_of(engine: Engine) -> list[Path]:
    """SQLite's database file and its write-ahead log; nothing for PostgreSQL."""
    if engine.dialect.name != "sqlite":
        return []
    database = Path(str(engine.url.database))
    return [path for path in (database, Path(f"{database}-wal")) if path.exists()]


def _send(sessions: sessionmaker[Session], settings: Settings, name: str, email: str) -> None:
    draft = NoticeDraft(
        reason="deceptive_ai_content",
        explanation=EXPLANATION if email == EMAIL else "A fake clip of the mayor.",
        good_faith=True,
        url="https://videoshare.example/v/1",
    )
    with sessions.begin() as session:
        receive(
            session, settings, FolderBlobStore(settings.blob_dir), draft,
            Notifier(name=name, email=email),
        )  # fmt: skip


def test_an_erased_notifier_is_nowhere_in_the_database_its_files_or_a_later_backup(
    instance: tuple[Settings, Engine], tmp_path: Path
) -> None:
    settings, engine = instance
    sessions = sessionmaker(engine)
    _send(sessions, settings, NAME, EMAIL)
    _send(sessions, settings, "Kim Kept", OTHER_EMAIL)

    holding = tables_holding(engine, NOTIFIER_NEEDLES)
    assert {"notices.notifier_email", "mail_messages.recipient"} <= holding
    # The audit log holds them sealed, never in clear ...
    assert not {name for name in holding if name.startswith("audit_log.")}
    with sessions() as session:
        readable = audit.newest(session, 50)
    assert EMAIL in str(readable)  # ... and opens them for auditors, while the key lives
    make_backup(settings, tmp_path / "before")
    assert files_holding([tmp_path / "before"], NOTIFIER_NEEDLES)

    with sessions.begin() as session:
        session.info["actor"] = "cli:dpo"
        request = erasure.erase_notifier_data(
            session, EMAIL.upper(), requested_by="cli:dpo", note="Art. 17 request by letter"
        )
        assert request.erased == {"notices": 1, "emails": 1, "appeals": 0, "measures": 0}
    erasure.scrub(engine)

    assert tables_holding(engine, NOTIFIER_NEEDLES) == set()
    assert files_holding(_files_of(engine), NOTIFIER_NEEDLES) == set()
    make_backup(settings, tmp_path / "after")
    assert files_holding([tmp_path / "after"], NOTIFIER_NEEDLES) == set()
    # The other notifier's data is untouched, and the chain still verifies.
    assert tables_holding(engine, [OTHER_EMAIL.encode()])
    with sessions() as session:
        assert audit.verify(session).intact
        readable = audit.newest(session, 100)
        trail = erasure.trail_of(session, erasure.list_requests(session)[0])
    assert EMAIL not in str(readable)
    assert OTHER_EMAIL in str(readable)
    notice_inserts = [e for e in readable if e["table"] == "notices" and e["action"] == "insert"]
    assert notice_inserts[0]["after"]["notifier_email"] == audit.ERASED
    assert {entry["table"] for entry in trail} >= {"notices", "mail_messages"}


def test_an_erased_persons_name_and_embeddings_are_nowhere(
    instance: tuple[Settings, Engine], faces: Path, tmp_path: Path
) -> None:
    settings, engine = instance
    sessions = sessionmaker(engine)
    with sessions.begin() as session:
        person = persons.register_person(session, "Quentin Erasable", role="candidate")
        persons.record_consent(session, person, "cli:registrar")
        persons.add_reference_photo(session, person, faces / "obama.jpg")
        person_id = person.id
        # A case whose assessment names them, as triage's likeness check writes it.
        finding = {"person_id": person_id, "name": "Quentin Erasable", "distance": 0.31}
        session.add(
            Case(
                reference="C-QE0001", due_at=utc_now(), person_id=person_id,
                assessment={
                    "band": "likely_manipulated", "protected_people": [finding],
                    "summary": "Looks like Quentin Erasable, a protected person.",
                },
            )
        )  # fmt: skip
    with sessions() as session:
        embedding = session.scalars(select(ReferenceFace.embedding)).one()
    # The embedding's bytes, and a slice of them long enough to be nobody else's.
    needles = (b"Quentin Erasable", embedding, embedding[64:96])
    assert np.frombuffer(embedding, "<f4").shape == (128,)
    assert "reference_faces.embedding" in tables_holding(engine, needles)

    with sessions.begin() as session:
        request = erasure.erase_person_data(session, person_id, requested_by="cli:dpo")
        assert request.erased == {
            "faces": 1, "voices": 0, "representatives": 0, "people": 1, "cases": 1,
        }  # fmt: skip
    erasure.scrub(engine)

    assert tables_holding(engine, needles) == set()
    assert files_holding(_files_of(engine), needles) == set()
    make_backup(settings, tmp_path / "after")
    assert files_holding([tmp_path / "after"], needles) == set()
    with sessions() as session:
        assert audit.verify(session).intact
        readable = str(audit.newest(session, 100))
    assert "Quentin" not in readable
    assert audit.ERASED in readable
    with sessions() as session:
        case = session.scalars(select(Case)).one()
    assert case.person_id is None
    assert case.assessment == {
        "band": "likely_manipulated", "protected_people": [],
        "summary": "Looks like [erased], a protected person.",
    }  # fmt: skip
