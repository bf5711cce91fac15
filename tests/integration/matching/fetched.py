"""Entries as a fetch from an exchange leaves them: a local bank's entry with the
publisher's indicator id and where it came from, and the exchange it came through."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.banks.models import BankEntry
from accord.server.exchanges.models import Exchange, ExchangeMessage

PUBLISHER = "Electoral Commission of Ruritania"
#: The version of the publisher's indicator every fetched entry holds.
MODIFIED = "2026-12-01T10:00:00.000Z"


@dataclass(frozen=True)
class Fetched:
    entry_id: int
    remote_id: str
    exchange: Exchange


def fetched_entry(
    client: TestClient,
    db_session: Session,
    signals: dict[str, str],
    *,
    bank: str = "FROM_PARTNERS",
    exchange: str = "ruritania",
    marking: str = "TLP:AMBER",
    report_sightings: bool = True,
    case_reference: str | None = None,
) -> Fetched:
    """An entry of ``bank`` (made if missing) fetched through ``exchange`` (made if
    missing), as ``banks.service.apply_remote_indicators`` stores one."""
    if client.get(f"/v1/banks/{bank}").status_code == 404:
        made = client.post("/v1/banks", json={"name": bank, "marking": marking})
        assert made.status_code == 201, made.text
    added = client.post(f"/v1/banks/{bank}/entries", json={"signals": signals})
    assert added.status_code == 201, added.text
    entry = db_session.get(BankEntry, added.json()["id"])
    assert entry is not None
    remote_id = f"indicator--{uuid.uuid4()}"
    entry.remote_id = remote_id
    entry.origin = {
        "exchange": exchange,
        "owner": PUBLISHER,
        "marking": marking,
        "case_reference": case_reference,
        "modified": MODIFIED,
    }
    subscription = db_session.scalar(select(Exchange).where(Exchange.name == exchange))
    if subscription is None:
        subscription = Exchange(
            name=exchange,
            api_root="https://publisher.example/taxii2/accord/",
            collection_id=str(uuid.uuid4()),
            collection_title=bank,
            bank_id=entry.bank_id,
            report_sightings=report_sightings,
        )
        db_session.add(subscription)
    db_session.commit()
    return Fetched(entry.id, remote_id, subscription)


def sent_back(db_session: Session, object_type: str) -> list[ExchangeMessage]:
    """The opinions or sightings queued for publishers, oldest first."""
    db_session.expire_all()
    return list(
        db_session.scalars(
            select(ExchangeMessage)
            .where(ExchangeMessage.object_type == object_type)
            .order_by(ExchangeMessage.id)
        )
    )
